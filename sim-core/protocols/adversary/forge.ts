import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, type GmEvent, type GmEventsMsg, type GmSyncEntry } from '../../wire/messages.ts';
import { MAX_GM_EVENTS } from '../../wire/constants.ts';

/** GmEvent.kind / .direction values of the global map's wire format. */
export const GM_CONNECT = 1;
export const GM_DISCONNECT = 2;
export const GM_IN = 1;
export const GM_OUT = 2;

/** What a forger claims: `origin` says its link to `peer` went up or down at `timestampUs`. */
export interface ForgedClaim {
  origin: PeerNum;
  peer: PeerNum;
  kind: typeof GM_CONNECT | typeof GM_DISCONNECT;
  direction: typeof GM_IN | typeof GM_OUT;
  timestampUs: TimeUs;
  ttl: number;
}

/**
 * The one place a forged map event is built. The seed protocol's events
 * carry no proof of their origin, so a forgery is just the claim; once
 * events are signed by their origin, this is where a forger signs with the
 * only key it has (its own), which honest relays then reject.
 */
export function forgeEvent(c: ForgedClaim): GmEvent {
  return { kind: c.kind, direction: c.direction, origin: c.origin, peer: c.peer, timestampUs: c.timestampUs, ttl: c.ttl };
}

/**
 * How a forger signs in a signed map (protocol.globalmap.security: signed):
 * with the only key it has, its own (globalmap's signMapEvent), so honest
 * relays find the signature does not match the claimed origin and charge
 * the forger. Absent in the seed map, whose events carry no signature.
 */
export type Seal = (e: GmEvent) => GmEvent;

/** Forged events as gm-events messages of at most MAX_GM_EVENTS each (signed with `seal` when the map is signed). */
export function forgedMessages(claims: readonly ForgedClaim[], seal?: Seal): GmEventsMsg[] {
  const out: GmEventsMsg[] = [];
  for (let i = 0; i < claims.length; i += MAX_GM_EVENTS) {
    const events = claims.slice(i, i + MAX_GM_EVENTS).map(forgeEvent);
    out.push(seal ? { type: MsgType.GmEvents, events: events.map(seal), signed: true } : { type: MsgType.GmEvents, events });
  }
  return out;
}

/**
 * A forged join-sync record: `origin` "holds" links to `peers`, all
 * confirmed-looking connects at `timestampUs`. Like forgeEvent, the one
 * place a signature would go once sync records carry their origin's.
 */
export function forgeSyncEntry(origin: PeerNum, links: readonly { peer: PeerNum; out: boolean }[], timestampUs: TimeUs, seal?: Seal): GmSyncEntry {
  const entry: GmSyncEntry = { peer: origin, links: links.map((l) => ({ peer: l.peer, flags: 1 | (l.out ? 2 : 0), timestampUs })) };
  if (!seal) return entry;
  // Each register signed as the link event it records; the entry carries the signer's (the forger's) key.
  let publicKey: Uint8Array | undefined;
  entry.links = links.map((l, k) => {
    const e = seal({ kind: GM_CONNECT, direction: l.out ? GM_OUT : GM_IN, origin, peer: l.peer, timestampUs, ttl: 0 });
    publicKey = e.publicKey;
    return { ...entry.links[k], signature: e.signature };
  });
  return { ...entry, publicKey };
}
