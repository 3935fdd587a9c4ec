// Test fixture (children.test.ts): starts a child that would run for minutes tracked, prints its pid, waits to be killed.
// With a folder as argument, registers its removal as the cleanup of an interrupt (as bench:profile does with its
// temporary folder), and the child, signalled, writes into that folder on its way out (as a stopped run writes its summary).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { atInterrupt, tracked } from './children.ts';

const folder = process.argv[2];
if (folder) atInterrupt(() => rmSync(folder, { recursive: true, force: true }));
const onSignal = folder
  ? `const stop = () => setTimeout(() => { require('node:fs').mkdirSync(${JSON.stringify(folder)} + '/written-on-exit', { recursive: true }); process.exit(0); }, 300);
     process.on('SIGTERM', stop); process.on('SIGINT', stop);`
  : '';
// The child says when its handlers are in place: a signal before that would end it before it could write.
const child = tracked(spawn(process.execPath, ['-e', `${onSignal} process.stdout.write('ready\\n'); setTimeout(() => {}, 600_000)`], { stdio: ['ignore', 'pipe', 'ignore'] }));
child.stdout.once('data', () => process.stdout.write(`child ${child.pid}\n`));
setTimeout(() => {}, 600_000);
