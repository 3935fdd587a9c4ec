import { join } from 'node:path';
import { aggregateMetrics, type Aggregate } from '../../metrics/aggregate.ts';
import type { RunResult } from '../../scenario/simulation.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import type { Strategy } from '../../scenario/schema/protocols.ts';
import type { JobProgress, JobResult, JobRunner, JobSpec } from '../jobs/jobs.ts';
import { withStrategy } from './options.ts';
import { resultKey, variantLabel, type Variant, type VarySpec } from '../sweep/vary.ts';

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
  /**
   * In the order given on the command line; with --vary, per variant then
   * strategy, keyed "strategy [path=value, …]" (sweep's naming), so each
   * variant is a column of the table and a lane of the report.
   */
  strategies: Record<string, StrategyResult>;
  /** --vary as given, and each variant's label and sets (only with --vary). */
  vary?: VarySpec[];
  variants?: { index: number; label: string; sets: string[] }[];
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
  /** compare --vary: the variants (each a scenario with its sets applied) and the flags; absent: the base only. */
  vary?: { specs: readonly VarySpec[]; variants: readonly Variant[] };
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
  const jobs = variedJobs(input);
  const rec = input.record;
  if (rec) for (const j of jobs) j.spec.record = { path: join(rec.dir, replayFileName(j.strategy, j.seed, j.variant)), everyS: rec.everyS, keyframeEveryS: rec.keyframeEveryS };
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
  for (const key of new Set(jobs.map((j) => j.key))) {
    const runs = jobs.flatMap((j, i) => (j.key === key ? [toRecord(results[i])] : []));
    strategies[key] = { aggregate: aggregateMetrics(runs.map((r) => r.metrics)), runs };
  }
  const b = input.base;
  const vary = input.vary;
  return {
    scenario: { name: b.name, file: input.file, peers: b.peers.count, durationS: b.durationS, config: b },
    seeds: [...input.seeds],
    strategies,
    ...(vary && { vary: [...vary.specs], variants: vary.variants.map((v) => ({ index: v.index, label: variantLabel(v.sets), sets: [...v.sets] })) }),
    generatedBy: input.generatedBy,
    commit: input.commit,
  };
}

/** The job matrix: variant-major (as sweep), then compare's strategy × seed; keys and labels name the variant. */
function variedJobs(input: CompareInput): { strategy: Strategy; seed: number; spec: JobSpec; key: string; variant: number | null }[] {
  if (!input.vary) return compareJobs(input.base, input.strategies, input.seeds).map((j) => ({ ...j, key: j.strategy, variant: null }));
  return input.vary.variants.flatMap((v) =>
    compareJobs(v.scenario, input.strategies, input.seeds).map((j) => {
      const key = resultKey(j.strategy, v);
      return { ...j, spec: { ...j.spec, label: `${key} seed ${j.seed}` }, key, variant: v.index };
    }),
  );
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

/** The replay file of one run of a comparison (with --vary: of variant `variant`, 1-based as in compare.json's `variants`). */
export function replayFileName(strategy: string, seed: number, variant: number | null = null): string {
  return `replay-${strategy}${variant === null ? '' : `-v${variant}`}-seed${seed}.ndjson.gz`;
}
