import type { World } from '../../net/world.ts';
import type { ProtocolDriver } from '../driver.ts';
import type { FloodSettings } from './config-schema.ts';
import { FloodPeer, type FloodStats } from './flood-peer.ts';
import { floodSizer, type FloodPing } from './messages.ts';

function totals(world: World<FloodPing>): FloodStats & { neighbours: number } {
  const t = { originated: 0, firstReceipts: 0, duplicates: 0, forwarded: 0, dialFailures: 0, neighbours: 0 };
  for (let a = 0; a < world.hostCount; a++) {
    const p = world.protocolOf(a) as FloodPeer;
    t.originated += p.stats.originated;
    t.firstReceipts += p.stats.firstReceipts;
    t.duplicates += p.stats.duplicates;
    t.forwarded += p.stats.forwarded;
    t.dialFailures += p.stats.dialFailures;
    if (world.isUp(a)) t.neighbours += p.neighbours.size;
  }
  return t;
}

/** The flooding-ping demo protocol among `peers` hosts, as the scenario runner sees it. */
export function floodDriver(cfg: FloodSettings, peers: number): ProtocolDriver<FloodPing> {
  return {
    name: 'flood',
    sizer: floodSizer,
    createPeer: (ctx) => new FloodPeer(ctx.address, peers, ctx.io, ctx.rng('flood'), cfg),
    sample,
    finalMetrics: (world) => ({ flood: finalMetrics(world) }),
  };
}

function sample(world: World<FloodPing>): Record<string, number> {
  const t = totals(world);
  return { pingsOriginated: t.originated, meanDegree: world.hostCount > 0 ? t.neighbours / world.hostCount : 0 };
}

function finalMetrics(world: World<FloodPing>): Record<string, unknown> {
  const t = totals(world);
  const others = Math.max(1, world.hostCount - 1);
  return {
    pingsOriginated: t.originated,
    firstReceipts: t.firstReceipts,
    duplicates: t.duplicates,
    forwarded: t.forwarded,
    dialFailures: t.dialFailures,
    /** Mean fraction of the other peers a ping reached (pings still in flight at the end count as partial). */
    meanReachFraction: t.originated > 0 ? t.firstReceipts / (t.originated * others) : 0,
    duplicatesPerFirstReceipt: t.firstReceipts > 0 ? t.duplicates / t.firstReceipts : 0,
    meanDegree: world.hostCount > 0 ? t.neighbours / world.hostCount : 0,
  };
}
