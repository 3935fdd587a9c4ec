/**
 * A job worker thread, started by pool.ts through worker.mjs (Node 20 worker
 * threads cannot load .ts directly). Exposes `run` over comlink: the job
 * arrives as structured-clone data (the resolved scenario, a few kB) and
 * its result goes back the same way. Progress goes on a MessagePort the pool
 * transfers with the call, one small message per chunk of events.
 */
import { type MessagePort, parentPort, threadId } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { runJobInProcess, type JobResult, type JobSpec } from './jobs.ts';

export interface WorkerApi {
  /** Runs one job; posts a JobProgress on `progress` (if given) at the start and after each chunk, and closes it at the end. */
  run(spec: JobSpec, progress?: MessagePort): Promise<JobResult>;
  /** The pool's start-up handshake. */
  ready(): { threadId: number };
}

if (!parentPort) throw new Error('worker-main.ts runs only as a worker thread (see pool.ts)');

const api: WorkerApi = {
  async run(spec, progress) {
    // The job's peak V8 heap, sampled between chunks: RSS is the whole process's, shared by every worker.
    let heapPeakBytes = getHeapStatistics().used_heap_size;
    try {
      // A first report at the start, so the pool's caller knows the job is under way.
      progress?.postMessage({ simS: 0, totalS: spec.scenario.durationS, events: 0 });
      const result = await runJobInProcess(spec, (p) => {
        heapPeakBytes = Math.max(heapPeakBytes, getHeapStatistics().used_heap_size);
        progress?.postMessage(p);
      });
      heapPeakBytes = Math.max(heapPeakBytes, getHeapStatistics().used_heap_size);
      return { ...result, heapPeakBytes };
    } finally {
      progress?.close();
    }
  },
  ready: () => ({ threadId }),
};

Comlink.expose(api, nodeEndpoint(parentPort));
