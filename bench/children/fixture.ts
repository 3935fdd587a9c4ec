// Test fixture (children.test.ts): starts a child that would run for minutes through spawnChild, prints its pid, waits to be killed.
import { spawnChild } from './children.ts';

const child = spawnChild(process.execPath, ['-e', 'setTimeout(() => {}, 600_000)'], { stdio: 'ignore' });
child.once('spawn', () => process.stdout.write(`child ${child.pid}\n`));
setTimeout(() => {}, 600_000);
