import { RngStreams } from '../../engine/rng.ts';
import { secondsToUs } from '../../engine/time.ts';
import { ConstantLatency } from '../../net/latency.ts';
import { World } from '../../net/world.ts';
import { parseScenario } from '../../scenario/load.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import { nodeRunFrom } from '../../scenario/drivers.ts';
import { joinTimes } from '../../scenario/simulation.ts';
import type { ProtocolDriver } from '../driver.ts';
import { nodeDriver } from '../node/driver.ts';
import type { StrategyEnv, StrategyRuntime } from '../strategy.ts';
import type { KademliaSettings } from './config-schema.ts';
import type { WireItem } from '../node/peer-node.ts';

/** A node-protocol scenario with strategy kademlia; `kademlia` is the YAML body of `protocol.kademlia`. */
export function kademliaScenario(opts: { name?: string; peers: number; durationS: number; joinOverS?: number; seed?: number; latencyMs?: number; kademlia?: string }): Scenario {
  const yaml = `
name: ${opts.name ?? 'kademlia-test'}
seed: ${opts.seed ?? 1}
durationS: ${opts.durationS}
peers: { count: ${opts.peers}, joinOverS: ${opts.joinOverS ?? 30} }
bootstrap: { count: 3 }
network:
  latency: { model: constant, ms: ${opts.latencyMs ?? 25} }
protocol:
  kind: node
  strategy: kademlia
  kademlia: { ${opts.kademlia ?? ''} }
`;
  return parseScenario(yaml, `${opts.name ?? 'kademlia-test'}.yaml`);
}

/** The scenario's `protocol.kademlia` section. */
export function kademliaSettings(scenario: Scenario): KademliaSettings {
  if (scenario.protocol.kind !== 'node') throw new Error('protocol.kind: kademlia needs a node protocol');
  return scenario.protocol.kademlia;
}

/**
 * A bare world running the node driver with a custom strategy runtime (hooks
 * the scenario file does not expose, e.g. Kademlia clients): constant
 * latency, the scenario's join times, samples every 10 s (the strategy's
 * observer refreshes which peers are live then).
 */
export function nodeWorld(scenario: Scenario, makeRuntime: (env: StrategyEnv) => StrategyRuntime) {
  const rng = new RngStreams(scenario.seed);
  const driver: ProtocolDriver<WireItem> = nodeDriver(nodeRunFrom(scenario), rng, makeRuntime);
  const lat = scenario.network.latency;
  const world = new World<WireItem>({ rng, latency: new ConstantLatency(lat.model === 'constant' ? lat.ms : 25), sizer: driver.sizer });
  const starts = joinTimes(scenario, rng.stream('scenario/join'));
  for (let i = 0; i < scenario.peers.count; i++) {
    world.addHost((ctx) => driver.createPeer(ctx, i));
    world.startAt(i, starts[i]);
  }
  const tick = () => {
    driver.sample(world);
    world.at(world.now + secondsToUs(10), tick);
  };
  world.at(0, tick);
  return { world, driver };
}
