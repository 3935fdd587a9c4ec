import * as registered from './registry.ts';

/** One registered strategy, with its literal name and config key. */
export type RegisteredStrategy = (typeof registered)[keyof typeof registered];
export type Strategy = RegisteredStrategy['name'];

/** The registry's entries ordered by name (a bundler may not keep the export order). */
export const STRATEGY_ENTRIES: readonly RegisteredStrategy[] = Object.values(registered).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

for (const [i, e] of STRATEGY_ENTRIES.entries()) {
  if (i > 0 && STRATEGY_ENTRIES[i - 1].name === e.name) throw new Error(`protocols/registry.ts: two strategies are named ${JSON.stringify(e.name)}`);
}

/** The strategy names, for `protocol.strategy` and `--strategies`. */
export const STRATEGIES = STRATEGY_ENTRIES.map((e) => e.name) as readonly Strategy[] as readonly [Strategy, ...Strategy[]];

export function strategyEntry(name: Strategy): RegisteredStrategy {
  const entry = STRATEGY_ENTRIES.find((e) => e.name === name);
  if (!entry) throw new Error(`protocol.strategy: ${JSON.stringify(name)} is not a registered strategy (${STRATEGIES.join(', ')})`);
  return entry;
}
