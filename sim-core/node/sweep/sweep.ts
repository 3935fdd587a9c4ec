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
import { JobCancelled, type JobProgress, type JobResult, type JobRunner } from '../jobs/jobs.ts';
import { machineInfo } from '../machine.ts';
import { configHash, singleVariant, sweepJobs, type Shard, type SweepJob, type SweepPlan } from './plan.ts';
import { resultKey, variantLabel, type VarySpec } from './vary.ts';

export const SWEEP_FORMAT = 'peermap-sweep/1';
/** A sweep with --vary: adds `vary` and `variants`, and keys `results` by strategy and variant. */
export const SWEEP_FORMAT_VARIED = 'peermap-sweep/2';
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

/** DIR/runs/<strategy>-seed<N>.json, or DIR/runs/v<K>-<strategy>-seed<N>.json with --vary */
export interface SweepRunFile {
  format: typeof RUN_FORMAT;
  job: number;
  strategy: string;
  seed: number;
  /** With --vary: the variant's index (1-based) in sweep.json's `variants`. */
  variant?: number;
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
  /** Present (true) only when the sweep was stopped by SIGINT/SIGTERM: its runs are the jobs that had finished. */
  interrupted?: boolean;
  workers: number | null;
  wallSeconds: number | null;
  machine: ReturnType<typeof machineInfo> | null;
}

/** With --vary: one combination of values, and the scenario it gives (before the strategy and the seed are set). */
export interface SweepVariant {
  index: number;
  label: string;
  sets: string[];
  config: Scenario;
}

/** One entry of `results`; `strategy` and `variant` only with --vary (the key says which otherwise). */
export interface SweepResultEntry {
  strategy?: string;
  variant?: number;
  aggregate: Aggregate;
  runs: SweepRunSummary[];
}

/** DIR/sweep.json */
export interface SweepResult {
  format: typeof SWEEP_FORMAT | typeof SWEEP_FORMAT_VARIED;
  /** The scenario with --set, --peers and --duration applied, without --vary. */
  scenario: { name: string; file: string; peers: number; durationS: number; config: Scenario };
  strategies: string[];
  seeds: number[];
  vary?: VarySpec[];
  variants?: SweepVariant[];
  /** Jobs in the whole plan. */
  jobs: number;
  /** True when every job of the plan is included (always, unless this is one shard's output). */
  complete: boolean;
  /**
   * Per strategy (with --vary: per variant, then strategy; keyed "strategy [sets]"), in plan
   * order: the aggregate over the included runs, and the runs in seed order.
   */
  results: Record<string, SweepResultEntry>;
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
    ...(job.variant === null ? {} : { variant: job.variant }),
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
 * files in job order whatever the completion order; jobs cancelled by
 * closing the runner (an interrupt) are left out.
 */
export async function runSweepJobs(jobs: readonly SweepJob[], runner: JobRunner, shard: Shard | null, events: SweepEvents = {}): Promise<SweepRunFile[]> {
  const runs = await Promise.all(
    jobs.map(async (job) => {
      let started = false;
      const start = () => {
        if (!started) events.onJobStart?.(job);
        started = true;
      };
      let r: JobResult;
      try {
        r = await runner.run(job.spec, (p) => {
          start();
          events.onJobProgress?.(job, p);
        });
      } catch (e) {
        if (e instanceof JobCancelled) return null;
        throw e;
      }
      start();
      const run = toRunFile(job, r, shard);
      events.onJobDone?.(job, run);
      return run;
    }),
  );
  return runs.filter((r) => r !== null);
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
  const varied = plan.vary.length > 0;
  // The included runs per result key, in job order: one pass over the jobs, not one per key.
  const byKey = new Map<string, { job: SweepJob; run: SweepRunFile }[]>();
  for (const job of jobs) {
    const run = byJob.get(job.index);
    if (!run) continue;
    const list = byKey.get(job.key);
    if (list) list.push({ job, run });
    else byKey.set(job.key, [{ job, run }]);
  }
  const results: SweepResult['results'] = {};
  for (const variant of plan.variants) {
    for (const strategy of plan.strategies) {
      const key = resultKey(strategy, varied ? variant : null);
      const included = byKey.get(key) ?? [];
      results[key] = {
        ...(varied ? { strategy, variant: variant.index } : {}),
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
  }
  const b = plan.base;
  return {
    format: varied ? SWEEP_FORMAT_VARIED : SWEEP_FORMAT,
    scenario: { name: b.name, file: plan.file, peers: b.peers.count, durationS: b.durationS, config: b },
    strategies: [...plan.strategies],
    seeds: [...plan.seeds],
    ...(varied
      ? {
          vary: plan.vary.map((v) => ({ path: v.path, values: [...v.values] })),
          variants: plan.variants.map((v) => ({ index: v.index, label: variantLabel(v.sets), sets: [...v.sets], config: v.scenario })),
        }
      : {}),
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
  const base = s.scenario.config;
  const variants = s.variants ? s.variants.map((v) => ({ index: v.index, sets: v.sets, scenario: v.config })) : singleVariant(base);
  return { file: s.scenario.file, base, strategies: s.strategies as SweepPlan['strategies'], seeds: s.seeds, vary: s.vary ?? [], variants };
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
