import type { RngStreams } from '../engine/rng.ts';
import type { Scenario } from '../scenario/schema/index.ts';
import type { ProtocolDriver } from './driver.ts';
import { floodDriver } from './flood/driver.ts';
import { nodeDriver } from './node/driver.ts';
import { strategyRuntime } from './strategies.ts';

/** The driver for a scenario's `protocol.kind` (and strategy). */
export function createDriver(scenario: Scenario, rng: RngStreams): ProtocolDriver<unknown> {
  const kind = scenario.protocol.kind;
  switch (kind) {
    case 'flood':
      return floodDriver(scenario) as ProtocolDriver<unknown>;
    case 'node':
      return nodeDriver(scenario, rng, strategyRuntime(scenario)) as ProtocolDriver<unknown>;
    default:
      throw new Error(`no driver for protocol kind ${kind satisfies never}`);
  }
}
