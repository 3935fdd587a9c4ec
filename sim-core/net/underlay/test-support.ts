import { RngStreams } from '../../engine/rng.ts';
import { ScriptedPeer, type Seen } from '../../testing/scripted-peer.ts';
import { ConstantLatency, type LatencyModel } from '../latency.ts';
import { World } from '../world.ts';
import { Bandwidth } from './bandwidth.ts';
import { UnderlayHosts } from './hosts.ts';
import type { Impairments } from './impairments.ts';
import { HolePunch } from './nat.ts';
import { RelayModel } from './relay.ts';
import { UnderlayTransit } from './transit.ts';

export const sizer = { typeOf: () => 1, sizeOf: (m: unknown) => String(m).length, typeName: () => 'text' };
export type React = (p: ScriptedPeer<string>, e: Seen) => void;

export interface TestNetOptions {
  hosts: number;
  nat?: number[];
  upnp?: number[];
  relays?: number[];
  relaySlots?: number;
  bandwidth?: Bandwidth;
  impairments?: Impairments;
  latency?: LatencyModel;
  seed?: number;
  react?: React[];
}

/** A World of scripted peers over an UnderlayTransit, for tests (host h reacts with react[h]). */
export function testNet(o: TestNetOptions) {
  const n = o.hosts;
  const rng = new RngStreams(o.seed ?? 1);
  const hosts = new UnderlayHosts({ capacity: n, nat: Uint8Array.from(o.nat ?? []), upnp: Uint8Array.from(o.upnp ?? []) });
  const relayMask = new Uint8Array(n);
  for (const r of o.relays ?? []) relayMask[r] = 1;
  const relays = new RelayModel(n, o.relaySlots ?? 4, relayMask);
  const transit = new UnderlayTransit({ hosts, punch: new HolePunch(rng.stream('net/punch')), relays, bandwidth: o.bandwidth, impairments: o.impairments });
  const world = new World<string>({ rng, latency: o.latency ?? new ConstantLatency(10), sizer, transit });
  const peers: ScriptedPeer<string>[] = [];
  for (let h = 0; h < n; h++) world.addHost((ctx) => (peers[h] = new ScriptedPeer(ctx.io, o.react?.[h])));
  return { world, transit, peers, relays };
}

export const messagesOf = (p: ScriptedPeer<string>) => p.seen.filter((e) => e.ev === 'message').map((e) => (e as { msg: string }).msg);
