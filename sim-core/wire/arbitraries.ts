/**
 * fast-check arbitraries for every wire message, within every bound (for
 * tests only). Peer numbers are u32 so numericIdCodec round-trips them.
 * `big: true` lets lists reach their maximum counts.
 */
import fc from 'fast-check';
import {
  HASH_BYTES,
  KAD_ID_BYTES,
  MAX_ADDR_ENTRIES,
  MAX_GM_DIRECTED_PAYLOAD_BYTES,
  MAX_GM_EVENTS,
  MAX_GM_SYNC_LINKS,
  MAX_GM_ROUTE_HOPS,
  MAX_GM_SYNC_ENTRIES,
  MAX_INV_ITEMS,
  MAX_KAD_NODES,
  MAX_REASON_BYTES,
  MAX_USER_AGENT_BYTES,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
} from './constants.ts';
import { MsgType, type Message, type MsgType as MsgTypeId } from './messages.ts';
import { utf8Length } from './utf8.ts';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const u53 = fc.oneof(fc.maxSafeNat(), fc.constantFrom(0, 2 ** 32 - 1, 2 ** 32, Number.MAX_SAFE_INTEGER));
const peer = u32;
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const address = fc.record({ host: u32, port: u16 });

/** Keeps whole code points while the UTF-8 length stays within `max`. */
function clipUtf8(s: string, max: number): string {
  let out = '';
  for (const cp of s) {
    if (utf8Length(out + cp, max) < 0) break;
    out += cp;
  }
  return out;
}

/** Well-formed strings up to `max` UTF-8 bytes: ASCII, any code point, and a BOM-led case. */
export const wireString = (max: number) =>
  fc
    .oneof(
      fc.string({ unit: 'grapheme-ascii', maxLength: max }),
      fc.string({ unit: 'binary', maxLength: max }),
      fc.string({ unit: 'binary', maxLength: 8 }).map((s) => '\ufeff' + s),
    )
    .map((s) => clipUtf8(s, max));

function list<T>(item: fc.Arbitrary<T>, min: number, max: number, big: boolean): fc.Arbitrary<T[]> {
  return fc.array(item, { minLength: min, maxLength: max, size: big ? 'max' : 'small' });
}

/** One arbitrary per message type. */
export function messageArbitraries(big = false): Record<MsgTypeId, fc.Arbitrary<Message>> {
  const invItem = fc.record({ kind: u8, hash: bytes(HASH_BYTES) });
  const t = <T extends MsgTypeId>(type: T) => fc.constant(type);
  const arbs: Record<MsgTypeId, fc.Arbitrary<Message>> = {
    [MsgType.Version]: fc.record({
      type: t(MsgType.Version),
      protocolVersion: u16,
      services: u32,
      timestampUs: u53,
      nonce: u53,
      startHeight: u32,
      listen: address,
      publicKey: bytes(PUBLIC_KEY_BYTES),
      userAgent: wireString(MAX_USER_AGENT_BYTES),
      powNonce: u53,
    }, { requiredKeys: ['type', 'protocolVersion', 'services', 'timestampUs', 'nonce', 'startHeight', 'listen', 'publicKey', 'userAgent'] }),
    [MsgType.Verack]: fc.record({ type: t(MsgType.Verack), signature: bytes(SIGNATURE_BYTES) }),
    [MsgType.Ping]: fc.record({ type: t(MsgType.Ping), nonce: u53 }),
    [MsgType.Pong]: fc.record({ type: t(MsgType.Pong), nonce: u53 }),
    [MsgType.GetAddr]: fc.record({ type: t(MsgType.GetAddr) }),
    [MsgType.Addr]: fc.record({
      type: t(MsgType.Addr),
      entries: list(fc.record({ peer, address, lastSeenS: u32 }), 0, MAX_ADDR_ENTRIES, big),
    }),
    [MsgType.Inv]: fc.record({ type: t(MsgType.Inv), items: list(invItem, 0, MAX_INV_ITEMS, big) }),
    [MsgType.GetData]: fc.record({ type: t(MsgType.GetData), items: list(invItem, 0, MAX_INV_ITEMS, big) }),
    [MsgType.Reject]: fc.record({ type: t(MsgType.Reject), rejectedType: u8, code: u8, reason: wireString(MAX_REASON_BYTES) }),
    [MsgType.Disconnect]: fc.record({ type: t(MsgType.Disconnect), code: u8, reason: wireString(MAX_REASON_BYTES) }),
    [MsgType.Beacon]: fc.record({ type: t(MsgType.Beacon), peer, listen: address, services: u32, nonce: u53 }),
    [MsgType.GmEvents]: fc.oneof(
      fc.record({
        type: t(MsgType.GmEvents),
        events: list(
          fc.record({ kind: fc.constantFrom(1, 2), direction: fc.constantFrom(1, 2), origin: peer, peer, timestampUs: u53, ttl: u8 }),
          1,
          MAX_GM_EVENTS,
          big,
        ),
      }),
      // Signed map: each event with its origin's key and signature.
      fc.record({
        type: t(MsgType.GmEvents),
        events: list(
          fc.record({ kind: fc.constantFrom(1, 2), direction: fc.constantFrom(1, 2), origin: peer, peer, timestampUs: u53, ttl: u8, publicKey: bytes(PUBLIC_KEY_BYTES), signature: bytes(SIGNATURE_BYTES) }),
          1,
          MAX_GM_EVENTS,
          big,
        ),
        signed: fc.constant(true),
      }),
    ),
    [MsgType.GmDirected]: fc
      .record({
        route: list(peer, 2, MAX_GM_ROUTE_HOPS, big),
        hop: u8,
        reroute: fc.constantFrom(0, 1),
        payloadKind: u8,
        payload: fc.uint8Array({ maxLength: MAX_GM_DIRECTED_PAYLOAD_BYTES, size: big ? 'max' : 'small' }),
      })
      .map(({ route, hop, reroute, payloadKind, payload }) => ({
        type: MsgType.GmDirected,
        route,
        hop: hop % route.length,
        reroute,
        payloadKind,
        payload,
      })),
    [MsgType.GmSyncRequest]: fc.record({ type: t(MsgType.GmSyncRequest), sinceUs: u53 }),
    [MsgType.GmSync]: fc.oneof(
      fc.record({
        type: t(MsgType.GmSync),
        entries: list(fc.record({ peer, links: list(fc.record({ peer, flags: fc.integer({ min: 0, max: 3 }), timestampUs: u53 }), 0, MAX_GM_SYNC_LINKS, big) }), 0, MAX_GM_SYNC_ENTRIES, big),
        more: fc.constantFrom(0, 1),
      }),
      fc.record({
        type: t(MsgType.GmSync),
        entries: list(
          fc.record({
            peer,
            links: list(fc.record({ peer, flags: fc.integer({ min: 0, max: 3 }), timestampUs: u53, signature: bytes(SIGNATURE_BYTES) }), 0, MAX_GM_SYNC_LINKS, big),
            publicKey: bytes(PUBLIC_KEY_BYTES),
          }),
          0,
          MAX_GM_SYNC_ENTRIES,
          big,
        ),
        more: fc.constantFrom(0, 1),
        signed: fc.constant(true),
      }),
    ),
    [MsgType.KadFindNode]: fc.record({ type: t(MsgType.KadFindNode), requestId: u32, target: bytes(KAD_ID_BYTES) }),
    [MsgType.KadNodes]: fc.record({ type: t(MsgType.KadNodes), requestId: u32, nodes: list(fc.record({ peer, address }), 0, MAX_KAD_NODES, big) }),
    [MsgType.KadPing]: fc.record({ type: t(MsgType.KadPing), requestId: u32 }),
    [MsgType.KadPong]: fc.record({ type: t(MsgType.KadPong), requestId: u32 }),
    [MsgType.Block]: fc.record({
      type: t(MsgType.Block),
      hash: bytes(HASH_BYTES),
      parent: bytes(HASH_BYTES),
      height: u32,
      origin: peer,
      minedAtUs: u53,
      bodyBytes: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: big ? 60_000 : 2_000 })),
    }),
    [MsgType.FloodPing]: fc.record({ type: t(MsgType.FloodPing), origin: u32, seq: u32, ttl: u8 }),
  };
  return arbs;
}

/** Any message (small lists unless `big`). */
export function messageArbitrary(big = false): fc.Arbitrary<Message> {
  return fc.oneof(...Object.values(messageArbitraries(big)));
}
