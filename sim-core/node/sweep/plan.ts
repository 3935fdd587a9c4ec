/**
 * The job plan of a sweep: variants × strategies × seeds, in a stable order
 * (variant-major, then strategy, then seeds as given; without --vary this is
 * `compare`'s order).
 * The order alone decides which shard runs a job and where its result goes,
 * so outputs never depend on completion order, the number of workers or
 * how the jobs were split over machines.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from 'commander';
import type { Scenario } from '../../scenario/schema/index.ts';
import type { Strategy } from '../../scenario/schema/protocols.ts';
import { compareJobs } from '../compare/compare.ts';
import type { JobSpec } from '../jobs/jobs.ts';
import { resultKey, variantLabel, type Variant, type VarySpec } from './vary.ts';

export interface SweepPlan {
  /** The scenario file as given on the command line (recorded, and checked equal by merge). */
  file: string;
  /** The parsed scenario with overrides (--set, --peers, --duration) applied, without any --vary. */
  base: Scenario;
  strategies: readonly Strategy[];
  seeds: readonly number[];
  /** --vary as given; empty for a sweep without it (whose files keep format 1). */
  vary: readonly VarySpec[];
  /** Every combination of the --vary values; exactly one ({ index 1, sets [], scenario base }) without --vary. */
  variants: readonly Variant[];
}

/** The one variant of a sweep without --vary. */
export function singleVariant(base: Scenario): Variant[] {
  return [{ index: 1, sets: [], scenario: base }];
}

export interface SweepJob {
  /** Position in the stable job order, 0-based. */
  index: number;
  strategy: Strategy;
  seed: number;
  spec: JobSpec;
  /** The run's file, relative to the sweep folder. */
  file: string;
  /** The variant's index (1-based) in a sweep with --vary, else null. */
  variant: number | null;
  /** The key of the job's entry in sweep.json's `results`. */
  key: string;
}

/** 1-based: shard `index` of `count`. */
export interface Shard {
  index: number;
  count: number;
}

export const MAX_SHARDS = 10_000;

/** Bound on the jobs of one sweep (variants × strategies × seeds). */
export const MAX_JOBS = 20_000;

/** Derived from the job alone (never read from a file), so it is always inside the sweep folder's runs/. */
export function runFileName(strategy: Strategy, seed: number, variant: number | null = null): string {
  return variant === null ? `runs/${strategy}-seed${seed}.json` : `runs/v${variant}-${strategy}-seed${seed}.json`;
}

/** Every job of the plan, in the stable order. */
export function sweepJobs(plan: SweepPlan): SweepJob[] {
  const varied = plan.vary.length > 0;
  return plan.variants
    .flatMap((v) =>
      compareJobs(v.scenario, plan.strategies, plan.seeds).map((j) => {
        const variant = varied ? v.index : null;
        const label = varied ? `${j.spec.label} [${variantLabel(v.sets)}]` : j.spec.label;
        return { ...j, spec: { ...j.spec, label }, variant, file: runFileName(j.strategy, j.seed, variant), key: resultKey(j.strategy, varied ? v : null) };
      }),
    )
    .map((j, index) => ({ index, ...j }));
}

/** The shard that runs job `index`: job j goes to shard (j mod n) + 1. */
export function shardOfJob(index: number, count: number): number {
  return (index % count) + 1;
}

/** The jobs of one shard, in the stable order (all of them without a shard). */
export function selectShard(jobs: readonly SweepJob[], shard: Shard | null): SweepJob[] {
  return shard ? jobs.filter((j) => shardOfJob(j.index, shard.count) === shard.index) : [...jobs];
}

/** `--shard i/n`: shard i (1-based) of n. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const bad = (why: string) => new InvalidArgumentError(`--shard ${why}, got "${text}" (e.g. 1/4 for the first of four shards)`);
  if (!m) throw bad('must be i/n');
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw bad(`n must be in 1..${MAX_SHARDS}`);
  if (index < 1 || index > count) throw bad(`i must be in 1..${count}`);
  return { index, count };
}

/** A short hash of a job's resolved scenario, recorded in its run file so merge can check runs belong to the plan. */
export function configHash(scenario: Scenario): string {
  return createHash('sha256').update(JSON.stringify(scenario)).digest('hex').slice(0, 16);
}
