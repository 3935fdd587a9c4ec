/**
 * `peermap sweep`: runs a plan's jobs (or one shard of them) through a
 * JobRunner, writes one file per run, and aggregates each strategy over its
 * seeds (mean ± 95% CI, sim-core/metrics/aggregate.ts). Everything that
 * depends on how the sweep was executed — wall times, memory, workers,
 * shards, machine — sits under keys named `execution`; the rest is a
 * function of the plan and the code alone.
 */
import { aggregateMetrics, type Aggregate } from '../../metrics/aggregate.ts';
import type { RunResult } from '../../scenario/simulation.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import type { CompareResult, RunRecord } from '../compare/compare.ts';
import type { JobProgress, JobResult, JobRunner } from '../jobs/jobs.ts';
import { machineInfo } from '../machine.ts';
import { configHash, sweepJobs, type Shard, type SweepJob, type SweepPlan } from './plan.ts';

export const SWEEP_FORMAT = 'peermap-sweep/1';
export const RUN_FORMAT = 'peermap-sweep-run/1';

/** How one run was executed: differs between otherwise identical sweeps. */
export interface RunExecution {
  wallSeconds: number;
  eventsPerSecond: number;
  /** Peak RSS of the process that ran the job (shared by a pool's workers). */
  peakRssBytes: number;
  /** The job's peak V8 heap (pool runs), sampled between chunks. */
  heapPeakBytes: number | null;
  /** CPU seconds of the thread that ran the job (Linux; 10 ms resolution), else null. */
  cpuSeconds: number | null;
  /** Pool worker (1..N) that ran the job; null in process. */
  worker: number | null;
  shard: Shard | null;
}

/** DIR/runs/<strategy>-seed<N>.json */
export interface SweepRunFile {
  format: typeof RUN_FORMAT;
  job: number;
  strategy: string;
  seed: number;
  scenario: string;
  /** Hash of the job's resolved scenario (see plan.configHash). */
  configHash: string;
  traceHash: string;
  endReason: RunResult['endReason'];
  eventsProcessed: number;
  simulatedSeconds: number;
  metrics: Record<string, unknown>;
  execution: RunExecution;
}

/** A run as listed in sweep.json (its metrics are in `file`). */
export interface SweepRunSummary {
  job: number;
  seed: number;
  traceHash: string;
  endReason: RunResult['endReason'];
  eventsProcessed: number;
  simulatedSeconds: number;
  file: string;
  execution: RunExecution;
}

export interface SweepExecution {
  /** This output's slice of the jobs; null for a whole or merged sweep. */
  shard: Shard | null;
  /** The shard folders a merge read, in the order given. */
  mergedFrom: { dir: string; shard: Shard | null; workers: number | null; wallSeconds: number | null; machine: unknown }[] | null;
  jobsRun: number;
  workers: number | null;
  wallSeconds: number | null;
  machine: ReturnType<typeof machineInfo> | null;
}

/** DIR/sweep.json */
export interface SweepResult {
  format: typeof SWEEP_FORMAT;
  scenario: { name: string; file: string; peers: number; durationS: number; config: Scenario };
  strategies: string[];
  seeds: number[];
  /** Jobs in the whole plan. */
  jobs: number;
  /** True when every job of the plan is included (always, unless this is one shard's output). */
  complete: boolean;
  /** Per strategy, in plan order: the aggregate over the included runs, and the runs in seed order. */
  results: Record<string, { aggregate: Aggregate; runs: SweepRunSummary[] }>;
  generatedBy: string;
  commit: string;
  execution: SweepExecution;
}

export interface SweepEvents {
  onJobStart?(job: SweepJob): void;
  onJobProgress?(job: SweepJob, p: JobProgress): void;
  /** Called in completion order; `run` is the record to write. */
  onJobDone?(job: SweepJob, run: SweepRunFile): void;
}

/** A finished job as its run file. */
export function toRunFile(job: SweepJob, r: JobResult, shard: Shard | null): SweepRunFile {
  return {
    format: RUN_FORMAT,
    job: job.index,
    strategy: job.strategy,
    seed: job.seed,
    scenario: r.scenario,
    configHash: configHash(job.spec.scenario),
    traceHash: r.traceHash,
    endReason: r.endReason,
    eventsProcessed: r.eventsProcessed,
    simulatedSeconds: r.simulatedSeconds,
    metrics: r.metrics,
    execution: {
      wallSeconds: r.wallSeconds,
      eventsPerSecond: r.eventsPerSecond,
      peakRssBytes: r.peakRssBytes,
      heapPeakBytes: r.heapPeakBytes ?? null,
      cpuSeconds: r.cpuSeconds,
      worker: r.worker ?? null,
      shard,
    },
  };
}

/**
 * Runs `jobs` through the runner, all submitted at once in the stable order
 * (a pool starts them in that order as workers free up). Returns the run
 * files in job order whatever the completion order.
 */
export async function runSweepJobs(jobs: readonly SweepJob[], runner: JobRunner, shard: Shard | null, events: SweepEvents = {}): Promise<SweepRunFile[]> {
  return Promise.all(
    jobs.map(async (job) => {
      let started = false;
      const start = () => {
        if (!started) events.onJobStart?.(job);
        started = true;
      };
      const r = await runner.run(job.spec, (p) => {
        start();
        events.onJobProgress?.(job, p);
      });
      start();
      const run = toRunFile(job, r, shard);
      events.onJobDone?.(job, run);
      return run;
    }),
  );
}

export interface SweepMeta {
  generatedBy: string;
  commit: string;
  execution: SweepExecution;
}

/**
 * sweep.json from the plan and the runs it includes (any order, no
 * duplicates). Runs are placed by the plan's job order and each strategy is
 * aggregated over its runs in seed order, so the result is the same however
 * the runs were produced.
 */
export function buildSweepResult(plan: SweepPlan, runs: readonly SweepRunFile[], meta: SweepMeta): SweepResult {
  const jobs = sweepJobs(plan);
  const byJob = new Map(runs.map((r) => [r.job, r]));
  const results: SweepResult['results'] = {};
  for (const strategy of plan.strategies) {
    const included = jobs.filter((j) => j.strategy === strategy && byJob.has(j.index)).map((j) => ({ job: j, run: byJob.get(j.index)! }));
    results[strategy] = {
      aggregate: aggregateMetrics(included.map(({ run }) => run.metrics)),
      runs: included.map(({ job, run }) => ({
        job: job.index,
        seed: job.seed,
        traceHash: run.traceHash,
        endReason: run.endReason,
        eventsProcessed: run.eventsProcessed,
        simulatedSeconds: run.simulatedSeconds,
        file: job.file,
        execution: run.execution,
      })),
    };
  }
  const b = plan.base;
  return {
    format: SWEEP_FORMAT,
    scenario: { name: b.name, file: plan.file, peers: b.peers.count, durationS: b.durationS, config: b },
    strategies: [...plan.strategies],
    seeds: [...plan.seeds],
    jobs: jobs.length,
    complete: jobs.every((j) => byJob.has(j.index)),
    results,
    generatedBy: meta.generatedBy,
    commit: meta.commit,
    execution: meta.execution,
  };
}

/** The plan a sweep.json describes (for merge). */
export function planOf(s: SweepResult): SweepPlan {
  return { file: s.scenario.file, base: s.scenario.config, strategies: s.strategies as SweepPlan['strategies'], seeds: s.seeds };
}

/** A copy without any `execution` key: what must not depend on workers, shards or machine. */
export function withoutExecution<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === 'execution' ? undefined : v))) as T;
}

/** The same data in compare's shape, for compare.csv-style tables and report.html. */
export function toCompareResult(s: SweepResult, runs: readonly SweepRunFile[]): CompareResult {
  const byJob = new Map(runs.map((r) => [r.job, r]));
  const strategies: CompareResult['strategies'] = {};
  for (const [strategy, res] of Object.entries(s.results)) {
    strategies[strategy] = {
      aggregate: res.aggregate,
      runs: res.runs.map((summary): RunRecord => {
        const run = byJob.get(summary.job);
        return {
          seed: summary.seed,
          traceHash: summary.traceHash,
          endReason: summary.endReason,
          eventsProcessed: summary.eventsProcessed,
          simulatedSeconds: summary.simulatedSeconds,
          wallSeconds: summary.execution.wallSeconds,
          eventsPerSecond: summary.execution.eventsPerSecond,
          peakRssBytes: summary.execution.peakRssBytes,
          metrics: run?.metrics ?? {},
        };
      }),
    };
  }
  const { name, file, peers, durationS, config } = s.scenario;
  return { scenario: { name, file, peers, durationS, config }, seeds: [...s.seeds], strategies, generatedBy: s.generatedBy, commit: s.commit };
}
