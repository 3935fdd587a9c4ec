import type { Scenario } from '../scenario/schema/index.ts';
import type { Strategy } from '../scenario/schema/protocols.ts';
import { withBlocks } from './blocks/workload.ts';
import { overlayRuntime } from './globalmap/strategy.ts';
import { kademliaRuntime } from './kademlia/strategy.ts';
import type { StrategyEnv, StrategyRuntime } from './node/driver.ts';

/**
 * The app factory of each overlay strategy. A strategy module registers
 * itself here; `none` runs the bare peer manager.
 */
const FACTORIES: Partial<Record<Strategy, (env: StrategyEnv) => StrategyRuntime>> = {
  none: () => ({ appFor: () => undefined }),
  globalmap: overlayRuntime('globalmap'),
  random: overlayRuntime('random'),
  kademlia: kademliaRuntime,
};

export function strategyRuntime(scenario: Scenario): (env: StrategyEnv) => StrategyRuntime {
  if (scenario.protocol.kind !== 'node') throw new Error('strategies apply to node protocols');
  const make = FACTORIES[scenario.protocol.strategy];
  if (!make) throw new Error(`strategy ${scenario.protocol.strategy} is not available yet`);
  return withBlocks(make);
}
