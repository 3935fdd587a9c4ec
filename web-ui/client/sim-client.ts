import * as Comlink from 'comlink';
import type { Frame, SimWorkerApi } from '../worker/protocol.ts';
import { LanePool, type LaneApi } from './lane-pool.ts';

/** What the page calls: the lane pool (the worker's method names; one worker per lane side by side). */
export type SimApi = LanePool;

/** Starts the simulation: a pool of module workers (the same sim-core code the CLI runs), one per lane of a live view. */
export function startWorker(): { api: SimApi; terminate(): void } {
  const pool = new LanePool({
    spawn: () => {
      const worker = new Worker(new URL('../worker/sim.worker.ts', import.meta.url), { type: 'module', name: 'peermap-sim' });
      return { api: Comlink.wrap<SimWorkerApi>(worker) as unknown as LaneApi, terminate: () => worker.terminate() };
    },
    callback: (fn) => Comlink.proxy(fn),
  });
  return { api: pool, terminate: () => pool.terminate() };
}

/** Marks a frame callback (kept for callers: the pool makes its own per-worker proxies). */
export function frameCallback(fn: (f: Frame) => void): (f: Frame) => void {
  return fn;
}
