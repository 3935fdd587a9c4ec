// Test fixture (children.test.ts): starts a child that would run for minutes tracked, prints its pid, waits to be killed.
import { spawn } from 'node:child_process';
import { tracked } from './children.ts';

const child = tracked(spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600_000)'], { stdio: 'ignore' }));
child.once('spawn', () => process.stdout.write(`child ${child.pid}\n`));
setTimeout(() => {}, 600_000);
