import { InvalidArgumentError } from 'commander';
import { ScenarioError } from '../../scenario/errors.ts';
import { MAX_SETS, type ScenarioOverrides } from '../../scenario/load.ts';

/** Commander collector for the repeatable `--set path=value`. */
export function collectSet(value: string, previous: string[] = []): string[] {
  if (!value.includes('=')) throw new InvalidArgumentError(`--set must be path=value, e.g. protocol.globalmap.ttl=4; got "${value}"`);
  // The loader's bound, checked here too so commander reports it as a usage error.
  if (previous.length >= MAX_SETS) throw new InvalidArgumentError(`--set may be given at most ${MAX_SETS} times`);
  return [...previous, value];
}

/**
 * The loader's overrides from the flags: `--strategy X` is the set
 * protocol.strategy=X, applied before the --set list, so an explicit
 * --set protocol.strategy wins.
 */
export function scenarioOverrides(opts: { seed?: number; peers?: number; duration?: number; strategy?: string; set?: readonly string[] }): ScenarioOverrides {
  const sets = [...(opts.strategy !== undefined ? [`protocol.strategy=${opts.strategy}`] : []), ...(opts.set ?? [])];
  return { seed: opts.seed, peers: opts.peers, durationS: opts.duration, sets };
}

const STRATEGY_SET = '--set protocol.strategy';

/** The loader names `--strategy X` as the set it became; name the flag the user typed instead. */
export function nameStrategyFlag(e: ScenarioError, strategy: string | undefined): ScenarioError {
  // Only when the value is the flag's: a later --set protocol.strategy wins and is named as such.
  const fromFlag = (p: ScenarioError['problems'][number]) => p.path === STRATEGY_SET && p.got === JSON.stringify(strategy);
  if (strategy === undefined || !e.problems.some(fromFlag)) return e;
  return new ScenarioError(
    e.source,
    e.problems.map((p) => (fromFlag(p) ? { ...p, path: 'protocol.strategy (from --strategy)' } : p)),
  );
}
