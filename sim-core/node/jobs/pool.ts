/**
 * A worker_threads pool behind the JobRunner interface: N workers, each
 * loading the TypeScript simulation through worker.mjs (tsx's `tsImport`),
 * driven over comlink with its Node adapter. Jobs start in submission order
 * as workers free up; each call resolves with its own job's result, so a
 * caller that places results by index gets output independent of completion
 * order and of the number of workers.
 */
import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type ResourceLimits } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { JobCancelled, type JobProgress, type JobResult, type JobRunner, type JobSpec } from './jobs.ts';
import type { WorkerApi } from './worker-main.ts';

export interface PoolOptions {
  /** Worker threads (≥ 1); started lazily, at most one per job submitted. */
  workers: number;
  /** The worker bootstrap; tests may substitute one. */
  workerUrl?: URL;
  /** Passed to each Worker (e.g. a larger old-generation heap for 100k-peer runs). */
  resourceLimits?: ResourceLimits;
}

export interface WorkerPool extends JobRunner {
  /** The pool size (maximum number of workers). */
  readonly size: number;
  /** Workers started so far (replacements of crashed workers included). */
  readonly started: number;
}

/** The default pool size: the machine's available parallelism. */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

interface Pending {
  spec: JobSpec;
  onProgress?: (p: JobProgress) => void;
  resolve(r: JobResult): void;
  reject(e: unknown): void;
}

interface Slot {
  id: number;
  worker: Worker;
  remote: Comlink.Remote<WorkerApi>;
  busy: boolean;
  dead: boolean;
  /** Rejects when the worker exits or throws outside a job. */
  died: Promise<never>;
}

export class WorkerDied extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WorkerDied';
  }
}

const DEFAULT_WORKER_URL = new URL('./worker.mjs', import.meta.url);

export function workerPoolRunner(options: PoolOptions): WorkerPool {
  if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError(`workers must be an integer ≥ 1, got ${options.workers}`);
  const size = options.workers;
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let started = 0;
  let closed = false;

  const spawn = (): Slot => {
    // 1..N; a replacement for a crashed worker gets the next number.
    const id = ++started;
    const worker = new Worker(options.workerUrl ?? DEFAULT_WORKER_URL, { resourceLimits: options.resourceLimits });
    worker.unref(); // referenced only while it runs a job, so a forgotten close() cannot hang the process
    let fail: (e: unknown) => void = () => {};
    const died = new Promise<never>((_, reject) => (fail = reject));
    died.catch(() => {});
    const slot: Slot = { id, worker, remote: Comlink.wrap<WorkerApi>(nodeEndpoint(worker)), busy: false, dead: false, died };
    const kill = (e: unknown) => {
      if (slot.dead) return;
      slot.dead = true;
      slots.splice(slots.indexOf(slot), 1);
      fail(e);
      if (!closed) pump(); // a replacement takes the queued jobs
    };
    worker.on('error', (e) => kill(new WorkerDied(`worker ${id} failed: ${e.message}`, { cause: e })));
    worker.on('exit', (code) => kill(closed ? undefined : new WorkerDied(`worker ${id} exited (code ${code})`)));
    slots.push(slot);
    return slot;
  };

  const execute = async (slot: Slot, job: Pending): Promise<void> => {
    slot.busy = true;
    slot.worker.ref();
    const { port1, port2 } = new MessageChannel();
    if (job.onProgress) port1.on('message', (p: JobProgress) => job.onProgress?.(p));
    try {
      const result = await Promise.race([slot.remote.run(job.spec, Comlink.transfer(port2, [port2])), slot.died]);
      job.resolve({ ...result, worker: slot.id });
    } catch (e) {
      if (closed) job.reject(new JobCancelled(job.spec.label));
      else if (e instanceof WorkerDied) job.reject(new WorkerDied(`job ${job.spec.label}: ${e.message}`, { cause: e.cause ?? e }));
      else job.reject(e);
    } finally {
      port1.close();
      slot.busy = false;
      if (!slot.dead) slot.worker.unref();
      pump();
    }
  };

  const pump = (): void => {
    while (!closed && queue.length > 0) {
      const slot = slots.find((s) => !s.busy && !s.dead) ?? (slots.length < size ? spawn() : undefined);
      if (!slot) return;
      void execute(slot, queue.shift()!);
    }
  };

  return {
    size,
    get started() {
      return started;
    },
    run(spec, onProgress) {
      if (closed) return Promise.reject(new JobCancelled(spec.label));
      return new Promise<JobResult>((resolve, reject) => {
        queue.push({ spec, onProgress, resolve, reject });
        pump();
      });
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new JobCancelled(job.spec.label));
      await Promise.all(slots.slice().map((s) => s.worker.terminate()));
    },
  };
}
