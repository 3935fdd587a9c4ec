import type { Scenario } from '../scenario/schema/index.ts';
import type { Strategy } from '../scenario/schema/protocols.ts';
import type { AppFactory, StrategyEnv } from './node/driver.ts';

/**
 * The app factory of each overlay strategy. A strategy module registers
 * itself here; `none` runs the bare peer manager.
 */
const FACTORIES: Partial<Record<Strategy, (env: StrategyEnv) => AppFactory>> = {
  none: () => () => undefined,
};

export function registerStrategy(name: Strategy, make: (env: StrategyEnv) => AppFactory): void {
  FACTORIES[name] = make;
}

export function strategyApps(scenario: Scenario): (env: StrategyEnv) => AppFactory {
  if (scenario.protocol.kind !== 'node') throw new Error('strategies apply to node protocols');
  const make = FACTORIES[scenario.protocol.strategy];
  if (!make) throw new Error(`strategy ${scenario.protocol.strategy} is not available yet`);
  return make;
}
