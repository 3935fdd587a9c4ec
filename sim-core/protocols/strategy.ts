import type { z } from 'zod';
import type { RngStreams } from '../engine/rng.ts';
import type { World } from '../net/world.ts';
import type { Address } from '../sans-io/protocol.ts';
import type { Identity, IdentityRegistry } from './identity/registry.ts';
import type { NodeApp } from './node/app.ts';
import type { NodeConfig } from './node/config.ts';
import type { WireItem } from './node/peer-node.ts';
import type { NodeRun } from './node/run.ts';

/**
 * What a neighbour-selection strategy plugs in: an entry in registry.ts
 * naming it, its config section (a zod schema in its own folder) and the
 * runtime that builds each honest peer's app on top of the peer manager.
 */

/** What a strategy's runtime may use: shared per simulation. */
export interface StrategyEnv {
  run: NodeRun;
  rng: RngStreams;
  registry: IdentityRegistry;
  bootstrap: readonly Address[];
}

/**
 * Builds the app peer `index` hosts (its overlay strategy, maybe a workload); undefined for the bare peer manager.
 * `hostile` is true for an adversary running the honest stack (its index is peers.count + its ordinal, which a churn
 * arrival's index may also be: tell them apart by this flag, never by the index).
 */
export type AppFactory = (index: number, identity: Identity, hostile?: boolean) => NodeApp | undefined;

/** A strategy as the driver sees it: its apps, and its own metrics over them (index = honest peer). */
export interface StrategyRuntime {
  appFor: AppFactory;
  /** Cheap figures for each time-series sample. */
  sample?(apps: readonly (NodeApp | undefined)[], world: World<WireItem>, addresses: readonly number[]): Record<string, number>;
  /** End-of-run metrics, reported under `metrics.<name>`. */
  finalMetrics?(apps: readonly (NodeApp | undefined)[], world: World<WireItem>, addresses: readonly number[]): Record<string, unknown>;
  /** Key of finalMetrics in the summary (e.g. 'globalmap', 'kademlia'). */
  readonly name?: string;
  /** Further top-level sections of `metrics` (e.g. `blocks` from a workload), placed after the strategy's own. */
  extraSections?(apps: readonly (NodeApp | undefined)[], world: World<WireItem>): Record<string, unknown>;
  /** Adjusts the peer manager's configuration (e.g. no auto-dial when the strategy chooses neighbours). */
  nodeConfig?(cfg: NodeConfig): NodeConfig;
}

/** A strategy with a config section `protocol.<configKey>` (several strategies may share one: `random` reads `globalmap`). */
export interface ConfiguredStrategy<N extends string, K extends string, S extends z.ZodType> {
  /** The value of `protocol.strategy` (and of `--strategies`). */
  readonly name: N;
  /** One line for listings and the schema's documentation. */
  readonly summary: string;
  readonly configKey: K;
  /** Every field has a default, so an absent section parses to the defaults. */
  readonly schema: S;
  runtime(env: StrategyEnv, config: z.output<S>): StrategyRuntime;
}

/** A strategy without settings of its own. */
export interface BareStrategy<N extends string> {
  readonly name: N;
  readonly summary: string;
  readonly configKey?: undefined;
  readonly schema?: undefined;
  runtime(env: StrategyEnv): StrategyRuntime;
}

export type StrategyEntry = ConfiguredStrategy<string, string, z.ZodType> | BareStrategy<string>;

/** Declares a strategy, keeping its name and config key as literal types (the scenario's types derive from them). */
export function defineStrategy<const N extends string, const K extends string, S extends z.ZodType>(entry: ConfiguredStrategy<N, K, S>): ConfiguredStrategy<N, K, S>;
export function defineStrategy<const N extends string>(entry: BareStrategy<N>): BareStrategy<N>;
export function defineStrategy(entry: StrategyEntry): StrategyEntry {
  return entry;
}
