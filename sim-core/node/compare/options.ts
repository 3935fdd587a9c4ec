import { InvalidArgumentError } from 'commander';
import { ScenarioError } from '../../scenario/errors.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import { loadScenarioFile } from '../files.ts';
import { STRATEGIES, type Strategy } from '../../scenario/schema/protocols.ts';
import { strategyRuntime } from '../../scenario/drivers.ts';

/** Bound on seeds per comparison, so a typo like `1..1000000` fails fast instead of running for days. */
export const MAX_SEEDS = 1000;
const MAX_SEED = 2 ** 32 - 1;

/** `--seeds`: a comma list of integers and inclusive ranges, e.g. `1..5`, `1,2,7`, `1..3,10`. */
export function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  const bad = (why: string) => new InvalidArgumentError(`--seeds ${why}, got "${text}" (e.g. 1..5 or 1,2,7)`);
  for (const part of text.split(',').map((p) => p.trim())) {
    const m = /^(\d+)(?:\s*\.\.\s*(\d+))?$/.exec(part);
    if (!m) throw bad('must be integers or ranges a..b separated by commas');
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    if (hi > MAX_SEED) throw bad(`values must be ≤ ${MAX_SEED}`);
    if (hi < lo) throw bad(`range ${part} is empty`);
    if (seeds.length + (hi - lo + 1) > MAX_SEEDS) throw bad(`must list at most ${MAX_SEEDS} seeds`);
    for (let s = lo; s <= hi; s++) seeds.push(s);
  }
  const dup = seeds.find((s, i) => seeds.indexOf(s) !== i);
  if (dup !== undefined) throw bad(`lists seed ${dup} twice`);
  return seeds;
}

/** `--strategies`: a comma list of names; syntax only (names are checked against the scenario by `checkStrategies`). */
export function parseStrategyList(text: string): string[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new InvalidArgumentError(`--strategies must name at least one of ${STRATEGIES.join(', ')}`);
  const dup = names.find((s, i) => names.indexOf(s) !== i);
  if (dup !== undefined) throw new InvalidArgumentError(`--strategies lists ${dup} twice`);
  return names;
}

const FLAG = 'protocol.strategy (from --strategies)';

/**
 * Checks the strategies against the schema and this build (a strategy in the
 * schema may not have landed yet), and that the scenario has a protocol with
 * strategies at all. Throws a ScenarioError naming the field (exit 2).
 */
export function checkStrategies(source: string, scenario: Scenario, names: readonly string[]): Strategy[] {
  if (scenario.protocol.kind !== 'node') {
    throw new ScenarioError(source, [
      { path: 'protocol.kind', got: JSON.stringify(scenario.protocol.kind), allowed: 'compare varies protocol.strategy, which needs protocol.kind: node' },
    ]);
  }
  const unknown = names.filter((n) => !(STRATEGIES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new ScenarioError(
      source,
      unknown.map((n) => ({ path: FLAG, got: JSON.stringify(n), allowed: `must be one of ${STRATEGIES.map((s) => JSON.stringify(s)).join(', ')}` })),
    );
  }
  const strategies = names as Strategy[];
  const missing = strategies.filter((s) => !isAvailable(withStrategy(scenario, s, scenario.seed)));
  if (missing.length > 0) {
    const available = STRATEGIES.filter((s) => isAvailable(withStrategy(scenario, s, scenario.seed)));
    throw new ScenarioError(
      source,
      missing.map((n) => ({ path: FLAG, got: JSON.stringify(n), allowed: `not available in this build yet; available: ${available.join(', ')}` })),
    );
  }
  return strategies;
}

function isAvailable(s: Scenario): boolean {
  try {
    strategyRuntime(s);
    return true;
  } catch {
    return false;
  }
}

/** The one scenario definition with only the strategy and the seed changed. */
export function withStrategy(base: Scenario, strategy: Strategy, seed: number): Scenario {
  if (base.protocol.kind !== 'node') throw new Error('strategies apply to node protocols');
  // A deep copy, so no run can affect another through shared config objects.
  const copy = structuredClone(base);
  return { ...copy, seed, protocol: { ...(copy.protocol as typeof base.protocol), strategy } };
}

/**
 * The scenario of `compare` / `sweep` with --peers/--duration/--set applied and
 * the strategies checked; a ScenarioError is printed and becomes exit code 2.
 */
export function loadForStrategies(
  file: string,
  opts: { peers?: number; duration?: number; set?: readonly string[]; strategies: readonly string[] },
): { base: Scenario; strategies: Strategy[] } | 2 {
  try {
    const base = loadScenarioFile(file, { peers: opts.peers, durationS: opts.duration, sets: opts.set });
    return { base, strategies: checkStrategies(file, base, opts.strategies) };
  } catch (e) {
    if (e instanceof ScenarioError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
}
