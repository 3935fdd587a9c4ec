import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, type GmDirectedMsg } from '../../wire/messages.ts';
import type { NodeApi } from '../node/app.ts';
import type { GlobalmapDeps } from './deps.ts';
import { shortestRoute } from './routing.ts';
import type { LinkInfo } from './selection.ts';
import type { GlobalmapStats } from './stats.ts';

/** Directed payload kinds: u32 address + u8 reachability flags (stand-ins for an SDP offer / answer). */
export const PAYLOAD_OFFER = 1; // "let us connect": the sender's address and whether it can be dialled
export const PAYLOAD_ANSWER = 2; // "dial me": the answerer is reachable, the offerer is not
export const REACH_REACHABLE = 1;
export const REACH_RELAY = 2;

export function encodeContact(address: number, flags: number): Uint8Array {
  const b = new Uint8Array(5);
  new DataView(b.buffer).setUint32(0, address);
  b[4] = flags;
  return b;
}

export function decodeContact(b: Uint8Array): { address: number; flags: number } | undefined {
  if (b.length !== 5) return undefined;
  return { address: new DataView(b.buffer, b.byteOffset).getUint32(0), flags: b[4] };
}

/** `from` is the neighbour that delivered it (the last hop; the source itself when the route is direct). */
export type DirectedHandler = (source: PeerNum, payloadKind: number, payload: Uint8Array, from: PeerNum) => void;

/**
 * G4: messages routed along a path the sender computed from its map. Each
 * hop forwards to the next peer on the route; a hop whose next peer is not
 * its neighbour may compute a new path from its own map once (the consumable
 * `reroute` flag), otherwise the message is dropped and counted as failed —
 * "more light messages rather than guaranteed delivery".
 */
export class DirectedRouter {
  constructor(
    private readonly api: NodeApi,
    private readonly deps: GlobalmapDeps,
    private readonly stats: GlobalmapStats,
    private readonly links: ReadonlyMap<PeerNum, LinkInfo>,
  ) {}

  /** Sends a payload to `to` along the shortest confirmed path; false if the map has none. */
  send(to: PeerNum, payloadKind: number, payload: Uint8Array): boolean {
    const store = this.deps.store;
    if (!store) return false;
    const route = shortestRoute(store, this.deps.scratch, this.deps.peerSpace(), this.api.self, to, this.links.keys());
    if (!route || route.length < 2) return false;
    this.stats.directedSent++;
    const reroute = this.deps.cfg.enableReRouting ? 1 : 0;
    return this.api.send(route[1], { type: MsgType.GmDirected, route, hop: 1, reroute, payloadKind, payload });
  }

  receive(_now: TimeUs, from: PeerNum, m: GmDirectedMsg, deliver: DirectedHandler): void {
    if (m.route[m.hop] !== this.api.self || m.route[m.hop - 1] !== from) return this.api.offence(from, 'inconsistent-events');
    if (m.hop === m.route.length - 1) {
      this.stats.directedDelivered++;
      this.stats.directedHopsSum += m.hop;
      return deliver(m.route[0], m.payloadKind, m.payload, from);
    }
    const next = m.route[m.hop + 1];
    if (this.links.has(next)) {
      this.stats.directedForwarded++;
      this.api.send(next, { ...m, hop: m.hop + 1 });
      return;
    }
    if (m.reroute === 1 && this.deps.store) {
      const dest = m.route[m.route.length - 1];
      const tail = shortestRoute(this.deps.store, this.deps.scratch, this.deps.peerSpace(), this.api.self, dest, this.links.keys());
      const route = tail ? [...m.route.slice(0, m.hop), ...tail] : undefined;
      if (route && route.length <= 16 && !hasLoop(route)) {
        this.stats.directedRerouted++;
        this.api.send(route[m.hop + 1], { ...m, route, hop: m.hop + 1, reroute: 0 });
        return;
      }
    }
    this.stats.directedFailed++;
  }
}

function hasLoop(route: readonly PeerNum[]): boolean {
  return new Set(route).size !== route.length;
}
