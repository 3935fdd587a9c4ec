#!/usr/bin/env node
// Entry point of the `peermap` command: loads the TypeScript CLI through tsx,
// so `npx peermap ...` works right after `npm ci` with no build step.
import { tsImport } from 'tsx/esm/api';

// A closed stdout or stderr (`peermap run … | head`, a parent that went away) is not a failure of the
// run: its files are written before its last lines, which are dropped instead of crashing the process.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

const { main } = await tsImport('../sim-core/node/cli/main.ts', import.meta.url);
process.exitCode = await main(process.argv);
