import type { Scenario } from '../scenario/schema/index.ts';
import type { HostContext, World } from '../net/world.ts';
import type { MessageSizer, PeerProtocol } from './protocol.ts';

/**
 * How the scenario runner plugs one protocol family in: its message sizer,
 * how to build each host's state machine, and the protocol's own metrics.
 */
export interface ProtocolDriver<M> {
  readonly name: string;
  readonly sizer: MessageSizer<M>;
  createPeer(ctx: HostContext<M>, scenario: Scenario): PeerProtocol<M>;
  /** Protocol-specific figures for a time-series sample (cheap). */
  sample(world: World<M>): Record<string, number>;
  /** Protocol-specific end-of-run metrics. */
  finalMetrics(world: World<M>): Record<string, unknown>;
}
