// Bootstrap of a job worker thread (sim-core/node/jobs/pool.ts). Node 20
// worker_threads cannot load .ts files, even with --import tsx, so this
// plain-JS entry loads the TypeScript worker through tsx's API, as
// bin/peermap.mjs does for the CLI.
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker-main.ts', import.meta.url);
