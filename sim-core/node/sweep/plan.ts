/**
 * The job plan of a sweep: strategies × seeds over one scenario, in a
 * stable order (strategy-major, then seeds as given, as `compare` does).
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

export interface SweepPlan {
  /** The scenario file as given on the command line (recorded, and checked equal by merge). */
  file: string;
  /** The parsed scenario with overrides applied; only the strategy and the seed vary. */
  base: Scenario;
  strategies: readonly Strategy[];
  seeds: readonly number[];
}

export interface SweepJob {
  /** Position in the stable job order, 0-based. */
  index: number;
  strategy: Strategy;
  seed: number;
  spec: JobSpec;
  /** The run's file, relative to the sweep folder. */
  file: string;
}

/** 1-based: shard `index` of `count`. */
export interface Shard {
  index: number;
  count: number;
}

export const MAX_SHARDS = 10_000;

export function runFileName(strategy: string, seed: number): string {
  return `runs/${strategy}-seed${seed}.json`;
}

/** Every job of the plan, in the stable order. */
export function sweepJobs(plan: SweepPlan): SweepJob[] {
  return compareJobs(plan.base, plan.strategies, plan.seeds).map((j, index) => ({ index, ...j, file: runFileName(j.strategy, j.seed) }));
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
