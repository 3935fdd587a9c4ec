import type { RngStreams } from '../engine/rng.ts';
import { secondsToUs } from '../engine/time.ts';
import { withBlocks } from '../protocols/blocks/workload.ts';
import type { ProtocolDriver } from '../protocols/driver.ts';
import { floodDriver } from '../protocols/flood/driver.ts';
import { nodeDriver } from '../protocols/node/driver.ts';
import type { NodeRun } from '../protocols/node/run.ts';
import { strategyEntry } from '../protocols/strategies.ts';
import type { StrategyEntry, StrategyEnv, StrategyRuntime } from '../protocols/strategy.ts';
import type { Scenario } from './schema/index.ts';

/** The driver for a scenario's `protocol.kind` (and strategy). */
export function createDriver(scenario: Scenario, rng: RngStreams, netGroupOf?: (address: number) => number): ProtocolDriver<unknown> {
  const proto = scenario.protocol;
  switch (proto.kind) {
    case 'flood':
      return floodDriver(proto, scenario.peers.count) as ProtocolDriver<unknown>;
    case 'node':
      return nodeDriver({ ...nodeRunFrom(scenario), netGroupOf }, rng, strategyRuntime(scenario)) as ProtocolDriver<unknown>;
    default:
      throw new Error(`protocol.kind: no driver for ${JSON.stringify((proto as { kind: unknown }).kind)}`);
  }
}

/** What the node driver and the strategies read of a scenario. */
export function nodeRunFrom(scenario: Scenario): NodeRun {
  const proto = scenario.protocol;
  if (proto.kind !== 'node') throw new Error('protocol.kind: the node driver needs kind node');
  return {
    peers: scenario.peers.count,
    bootstrap: scenario.bootstrap,
    adversaries: scenario.adversaries,
    durationS: scenario.durationS,
    crashes: scenario.actions.filter((a) => a.do === 'crash').flatMap((a) => a.peers.map((address) => ({ address, atUs: secondsToUs(a.atS) }))),
    node: proto.node,
    crypto: scenario.crypto,
    wire: scenario.wire,
    mapSecurity: (proto as { globalmap?: { security?: 'seed' | 'signed' } }).globalmap?.security,
  };
}

/** The scenario's strategy, given its config section, with the block workload on top when enabled. */
export function strategyRuntime(scenario: Scenario): (env: StrategyEnv) => StrategyRuntime {
  const proto = scenario.protocol;
  if (proto.kind !== 'node') throw new Error('protocol.strategy: strategies apply to node protocols');
  const entry: StrategyEntry = strategyEntry(proto.strategy);
  const sections = proto as unknown as Record<string, unknown>;
  const make = (env: StrategyEnv) => (entry.configKey === undefined ? entry.runtime(env) : entry.runtime(env, sections[entry.configKey]));
  return withBlocks(make, proto.workload.blocks);
}
