#!/usr/bin/env node
// Entry point of the `peermap` command: loads the TypeScript CLI through tsx,
// so `npx peermap ...` works right after `npm ci` with no build step.
import { tsImport } from 'tsx/esm/api';

const { main } = await tsImport('../sim-core/node/cli/main.ts', import.meta.url);
process.exitCode = await main(process.argv);
