import * as Comlink from 'comlink';
import type { Frame, SimWorkerApi } from '../worker/protocol.ts';

export type SimApi = Comlink.Remote<SimWorkerApi>;

/** Starts the simulation worker (a module worker: the same sim-core code the CLI runs). */
export function startWorker(): { api: SimApi; terminate(): void } {
  const worker = new Worker(new URL('../worker/sim.worker.ts', import.meta.url), { type: 'module', name: 'peermap-sim' });
  const api = Comlink.wrap<SimWorkerApi>(worker);
  return { api, terminate: () => worker.terminate() };
}

/** Wraps a frame callback so the worker can call it across the thread boundary. */
export function frameCallback(fn: (f: Frame) => void): (f: Frame) => void {
  return Comlink.proxy(fn);
}
