/**
 * A sweep's plan from the command line: the scenario file with --set,
 * --peers and --duration, and one scenario per --vary combination, each
 * loaded and validated like the file itself (its sets after the --set
 * flags, so a variant's value wins over a --set of the same field).
 */
import { ScenarioError } from '../../scenario/errors.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import { checkStrategies } from '../compare/options.ts';
import { loadScenarioFile } from '../files.ts';
import { configHash, MAX_JOBS, singleVariant, type SweepPlan } from './plan.ts';
import { variantLabel, variantSets, type Variant, type VarySpec } from './vary.ts';

export interface PlanOptions {
  strategies: readonly string[];
  seeds?: number[];
  peers?: number;
  duration?: number;
  set?: string[];
  vary?: VarySpec[];
}

/** The plan, or the problem as one message for stderr (exit 2). */
export function loadSweepPlan(file: string, opts: PlanOptions): SweepPlan | { error: string } {
  const sets = opts.set ?? [];
  const vary = opts.vary ?? [];
  const load = (extra: readonly string[]): Scenario => loadScenarioFile(file, { peers: opts.peers, durationS: opts.duration, sets: [...sets, ...extra] });
  let base: Scenario;
  let strategies;
  try {
    base = load([]);
    strategies = checkStrategies(file, base, opts.strategies);
  } catch (e) {
    if (e instanceof ScenarioError) return { error: e.message };
    throw e;
  }
  const seeds = opts.seeds ?? [base.seed];
  let variants: Variant[] = singleVariant(base);
  if (vary.length > 0) {
    variants = [];
    const seen = new Map<string, string>();
    for (const [i, vs] of variantSets(vary).entries()) {
      const label = variantLabel(vs);
      let scenario: Scenario;
      try {
        scenario = load(vs);
        checkStrategies(file, scenario, strategies);
      } catch (e) {
        if (e instanceof ScenarioError) return { error: `peermap sweep: --vary ${label}:\n${e.message}` };
        throw e;
      }
      // Two values that give one scenario (e.g. --peers overrides a varied peers.count) would run the same jobs twice.
      const hash = configHash(scenario);
      const twin = seen.get(hash);
      if (twin !== undefined) return { error: `peermap sweep: --vary ${label} gives the same scenario as ${twin}; is the field overridden by another flag?` };
      seen.set(hash, label);
      variants.push({ index: i + 1, sets: vs, scenario });
    }
  }
  const jobs = variants.length * strategies.length * seeds.length;
  if (jobs > MAX_JOBS) return { error: `peermap sweep: ${variants.length} variant(s) × ${strategies.length} strateg(ies) × ${seeds.length} seed(s) = ${jobs} jobs; at most ${MAX_JOBS}` };
  return { file, base, strategies, seeds, vary, variants };
}
