import { join } from 'node:path';
import { aggregateMetrics, type Aggregate } from '../../metrics/aggregate.ts';
import type { RunResult } from '../../scenario/simulation.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import type { Strategy } from '../../scenario/schema/protocols.ts';
import type { JobProgress, JobResult, JobRunner, JobSpec } from '../jobs/jobs.ts';
import { withStrategy } from './options.ts';

/** One seed's run as recorded in compare.json. */
export interface RunRecord {
  seed: number;
  traceHash: string;
  endReason: RunResult['endReason'];
  eventsProcessed: number;
  simulatedSeconds: number;
  wallSeconds: number;
  eventsPerSecond: number;
  peakRssBytes: number;
  metrics: Record<string, unknown>;
  /** The run's replay file (compare --record), relative to compare.json. */
  replay?: { file: string; bytes: number };
}

export interface StrategyResult {
  aggregate: Aggregate;
  runs: RunRecord[];
}

/** What compare.json holds. */
export interface CompareResult {
  scenario: { name: string; file: string; peers: number; durationS: number; config: Scenario };
  seeds: number[];
  /** In the order given on the command line. */
  strategies: Record<string, StrategyResult>;
  generatedBy: string;
  commit: string;
}

export interface CompareEvents {
  /** A job starts: its index (0-based) in strategy-major order, and the total. */
  onJobStart?(index: number, total: number, spec: JobSpec): void;
  onJobProgress?(index: number, total: number, spec: JobSpec, p: JobProgress): void;
  onJobDone?(index: number, total: number, spec: JobSpec, r: JobResult): void;
}

export interface CompareInput {
  file: string;
  /** The parsed scenario (with overrides applied); only the strategy and the seed vary. */
  base: Scenario;
  strategies: readonly Strategy[];
  seeds: readonly number[];
  runner: JobRunner;
  /** compare --record: one replay file per run in `dir`. */
  record?: { dir: string; everyS: number; keyframeEveryS: number };
  generatedBy: string;
  commit: string;
}

/** The job matrix, strategy-major, seeds in the order given. */
export function compareJobs(base: Scenario, strategies: readonly Strategy[], seeds: readonly number[]): { strategy: Strategy; seed: number; spec: JobSpec }[] {
  return strategies.flatMap((strategy) =>
    seeds.map((seed) => ({ strategy, seed, spec: { label: `${strategy} seed ${seed}`, scenario: withStrategy(base, strategy, seed) } })),
  );
}

/**
 * Runs every strategy × seed through the runner and aggregates each
 * strategy over its seeds. All jobs are submitted at once, so a pooled
 * runner may run them in parallel; results are placed by index, so the
 * output does not depend on completion order.
 */
export async function runComparison(input: CompareInput, events: CompareEvents = {}): Promise<CompareResult> {
  const jobs = compareJobs(input.base, input.strategies, input.seeds);
  const rec = input.record;
  if (rec) for (const j of jobs) j.spec.record = { path: join(rec.dir, replayFileName(j.strategy, j.seed)), everyS: rec.everyS, keyframeEveryS: rec.keyframeEveryS };
  const total = jobs.length;
  const results = await Promise.all(
    jobs.map(async ({ spec }, i) => {
      let started = false;
      const start = () => {
        if (!started) events.onJobStart?.(i, total, spec);
        started = true;
      };
      const r = await input.runner.run(spec, (p) => {
        start();
        events.onJobProgress?.(i, total, spec, p);
      });
      start();
      events.onJobDone?.(i, total, spec, r);
      return r;
    }),
  );
  const strategies: Record<string, StrategyResult> = {};
  for (const strategy of input.strategies) {
    const runs = jobs.flatMap((j, i) => (j.strategy === strategy ? [toRecord(results[i])] : []));
    strategies[strategy] = { aggregate: aggregateMetrics(runs.map((r) => r.metrics)), runs };
  }
  const b = input.base;
  return {
    scenario: { name: b.name, file: input.file, peers: b.peers.count, durationS: b.durationS, config: b },
    seeds: [...input.seeds],
    strategies,
    generatedBy: input.generatedBy,
    commit: input.commit,
  };
}

function toRecord(r: JobResult): RunRecord {
  return {
    seed: r.seed,
    traceHash: r.traceHash,
    endReason: r.endReason,
    eventsProcessed: r.eventsProcessed,
    simulatedSeconds: r.simulatedSeconds,
    wallSeconds: r.wallSeconds,
    eventsPerSecond: r.eventsPerSecond,
    peakRssBytes: r.peakRssBytes,
    metrics: r.metrics,
    ...(r.replay && { replay: r.replay }),
  };
}

/** The replay file of one run of a comparison. */
export function replayFileName(strategy: string, seed: number): string {
  return `replay-${strategy}-seed${seed}.ndjson.gz`;
}
