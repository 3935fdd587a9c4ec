// comlink ships typings for its Node adapter only beside the UMD build; the
// ESM module imported at runtime has the same default export, which wraps a
// worker_threads Worker or MessagePort as a comlink Endpoint.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  import type { MessagePort, Worker } from 'node:worker_threads';
  export default function nodeEndpoint(nep: Worker | MessagePort): Endpoint;
}
