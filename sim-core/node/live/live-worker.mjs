// Bootstrap of a live worker thread (live-workers.ts). Node 20 worker
// threads cannot load .ts files, so this plain-JS entry loads the
// TypeScript worker through tsx's API, as bin/peermap.mjs does for the CLI.
import { tsImport } from 'tsx/esm/api';

await tsImport('./live-worker-main.ts', import.meta.url);
