#!/usr/bin/env node
// Runs a TypeScript script (benches, tools) through tsx: node bin/tsx-run.mjs FILE.ts [args...]
import { tsImport } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const file = process.argv[2];
if (!file) {
  console.error('usage: node bin/tsx-run.mjs FILE.ts [args...]');
  process.exit(2);
}
process.argv.splice(1, 1); // the script sees: node FILE.ts args...
await tsImport(pathToFileURL(resolve(file)).href, import.meta.url);
