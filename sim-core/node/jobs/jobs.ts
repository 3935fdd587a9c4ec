import { basename } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { RecordOptions } from '../../record/recorder.ts';
import { RecordedRun } from '../record-file.ts';
import { usToSeconds } from '../../engine/time.ts';
import { Simulation, type RunResult } from '../../scenario/simulation.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import { peakRssBytes, threadCpuSeconds } from '../machine.ts';

/**
 * One simulation to run: a fully resolved scenario (seed, strategy and
 * overrides already applied), so a job is self-contained and can be sent to
 * a worker as structured-clone data.
 */
export interface JobSpec {
  /** Caller's label, e.g. "kademlia/seed 3"; shown in progress. */
  label: string;
  scenario: Scenario;
  /** Record the run into a replay file at `path` (compare --record). */
  record?: { path: string } & RecordOptions;
}

export interface JobProgress {
  simS: number;
  totalS: number;
  events: number;
}

/** A finished job: the run result plus what it cost. */
export interface JobResult extends RunResult {
  wallSeconds: number;
  eventsPerSecond: number;
  /** Peak RSS of the process that ran the job, so far (in-process runs share one process; pool workers share the pool's). */
  peakRssBytes: number;
  /** Pool runs: the worker (1..N) that ran the job, and the job's peak V8 heap sampled between chunks. */
  worker?: number;
  heapPeakBytes?: number;
  /** CPU seconds of the thread that ran the job (Linux), null elsewhere: with wallSeconds, tells waiting for a CPU from running slower on one. */
  cpuSeconds: number | null;
  /** The replay file written (spec.record): its name and size. */
  replay?: { file: string; bytes: number };
}

/**
 * Runs jobs. `compare` and `sweep` use only this interface: the in-process
 * runner below or the worker_threads pool (`workerPoolRunner` in pool.ts). Jobs given to
 * `run` concurrently may be executed in parallel by a pool.
 */
export interface JobRunner {
  run(spec: JobSpec, onProgress?: (p: JobProgress) => void): Promise<JobResult>;
  close(): Promise<void>;
}

/** Events per chunk between progress callbacks (and yields to the event loop). */
const CHUNK_EVENTS = 200_000;

/** Runs a job in this thread, in chunks, yielding to the event loop between them so timers and progress stay live. */
export async function runJobInProcess(spec: JobSpec, onProgress?: (p: JobProgress) => void, cancelled: () => boolean = () => false): Promise<JobResult> {
  const startMs = performance.now();
  const startCpuS = threadCpuSeconds();
  const sim = new Simulation(spec.scenario);
  const totalS = spec.scenario.durationS;
  const recording = spec.record ? new RecordedRun(sim, spec.record.path, spec.record) : undefined;
  try {
    while (!(recording ? recording.step(CHUNK_EVENTS) : sim.step(CHUNK_EVENTS))) {
      const p = sim.progress;
      onProgress?.({ simS: usToSeconds(p.nowUs), totalS, events: p.events });
      await recording?.writer.drain();
      await yieldToLoop();
      if (cancelled()) throw new JobCancelled(spec.label);
    }
  } catch (e) {
    recording?.writer.abort();
    throw e;
  }
  const result = sim.result();
  const replay = recording && { file: basename(spec.record!.path), bytes: await recording.close(result.endReason) };
  const wallSeconds = (performance.now() - startMs) / 1000;
  const endCpuS = threadCpuSeconds();
  return {
    ...(replay && { replay }),
    cpuSeconds: startCpuS === null || endCpuS === null ? null : endCpuS - startCpuS,
    ...result,
    wallSeconds,
    eventsPerSecond: wallSeconds > 0 ? result.eventsProcessed / wallSeconds : 0,
    peakRssBytes: peakRssBytes(),
  };
}

export class JobCancelled extends Error {
  constructor(label: string) {
    super(`job ${label} cancelled: the runner was closed`);
    this.name = 'JobCancelled';
  }
}

/**
 * The in-process runner: one job at a time (concurrent calls queue). `close`
 * cancels the running and queued jobs, so a failed comparison does not keep
 * the process busy with runs nobody will read.
 */
export function inProcessRunner(): JobRunner {
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;
  const isClosed = () => closed;
  return {
    run(spec, onProgress) {
      const job = tail.then(() => {
        if (closed) throw new JobCancelled(spec.label);
        return runJobInProcess(spec, onProgress, isClosed);
      });
      tail = job.catch(() => undefined);
      return job;
    },
    close: async () => {
      closed = true;
      await tail;
    },
  };
}
