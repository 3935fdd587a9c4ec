/**
 * Random valid messages from a seeded uniform source, for the fuzzer (fast
 * and shrink-free; the tests' fast-check arbitraries are in arbitraries.ts).
 */
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
import { MsgType, type GmEvent, type GmSyncEntry, type GmSyncLink, type InvItem, type Message, type NetAddress } from './messages.ts';
import { MSG_TYPES } from './sizes.ts';

/** A uniform source in [0, 1), e.g. seedrandom.alea(seed). */
export type Rand = () => number;

const int = (r: Rand, n: number): number => Math.floor(r() * n);
const u8 = (r: Rand): number => int(r, 256);
const u16 = (r: Rand): number => int(r, 0x1_0000);
const U32_EDGES = [0, 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff];
const u32 = (r: Rand): number => (r() < 0.1 ? U32_EDGES[int(r, U32_EDGES.length)] : int(r, 2 ** 32));
const U53_EDGES = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 52, Number.MAX_SAFE_INTEGER];
const u53 = (r: Rand): number => (r() < 0.2 ? U53_EDGES[int(r, U53_EDGES.length)] : int(r, 2 ** 21) * 2 ** 32 + int(r, 2 ** 32));
const peer = (r: Rand): number => (r() < 0.5 ? int(r, 1000) : u32(r));
const addr = (r: Rand): NetAddress => ({ host: u32(r), port: u16(r) });

function bytes(r: Rand, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = u8(r);
  return b;
}

/** Mostly 0…4 items, sometimes anything up to max (or exactly max). */
function count(r: Rand, min: number, max: number, big: boolean): number {
  const x = r();
  if (big && x < 0.3) return max;
  if (big || x < 0.05) return min + int(r, max - min + 1);
  return min + int(r, Math.min(max - min, 4) + 1);
}

function list<T>(r: Rand, min: number, max: number, big: boolean, item: (r: Rand) => T): T[] {
  const out: T[] = [];
  for (let n = count(r, min, max, big); n > 0; n--) out.push(item(r));
  return out;
}

/** Code points of 1 to 4 UTF-8 bytes (BOM included), clipped to `max` bytes. */
function str(r: Rand, max: number): string {
  const ranges = [
    [0x20, 0x7f],
    [0, 0x80],
    [0x80, 0x800],
    [0x800, 0xd800],
    [0xe000, 0x10000],
    [0x10000, 0x110000],
    [0xfeff, 0xff00],
  ];
  let s = '';
  let used = 0;
  for (let k = int(r, max + 1); k > 0; k--) {
    const [lo, hi] = ranges[r() < 0.6 ? 0 : int(r, ranges.length)];
    const cp = lo + int(r, hi - lo);
    used += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (used > max) break;
    s += String.fromCodePoint(cp);
  }
  return s;
}

const invItem = (r: Rand): InvItem => ({ kind: r() < 0.8 ? 1 + int(r, 2) : u8(r), hash: bytes(r, HASH_BYTES) });

export function randomMessage(r: Rand, big = false): Message {
  const type = MSG_TYPES[int(r, MSG_TYPES.length)];
  switch (type) {
    case MsgType.Version: {
      const v: Message = {
        type,
        protocolVersion: u16(r),
        services: u32(r),
        timestampUs: u53(r),
        nonce: u53(r),
        startHeight: u32(r),
        listen: addr(r),
        publicKey: bytes(r, PUBLIC_KEY_BYTES),
        userAgent: str(r, MAX_USER_AGENT_BYTES),
      };
      if (r() < 0.5) v.powNonce = u53(r);
      return v;
    }
    case MsgType.Verack:
      return { type, signature: bytes(r, SIGNATURE_BYTES) };
    case MsgType.Ping:
    case MsgType.Pong:
      return { type, nonce: u53(r) };
    case MsgType.GetAddr:
      return { type };
    case MsgType.Addr:
      return { type, entries: list(r, 0, MAX_ADDR_ENTRIES, big, () => ({ peer: peer(r), address: addr(r), lastSeenS: u32(r) })) };
    case MsgType.Inv:
    case MsgType.GetData:
      return { type, items: list(r, 0, MAX_INV_ITEMS, big, invItem) };
    case MsgType.Reject:
      return { type, rejectedType: u8(r), code: u8(r), reason: str(r, MAX_REASON_BYTES) };
    case MsgType.Disconnect:
      return { type, code: u8(r), reason: str(r, MAX_REASON_BYTES) };
    case MsgType.Beacon:
      return { type, peer: peer(r), listen: addr(r), services: u32(r), nonce: u53(r) };
    case MsgType.GmEvents: {
      // Half of them signed (signed global map): each event with a key and a signature.
      const signed = r() < 0.5;
      const events = list(r, 1, MAX_GM_EVENTS, big, () => {
        const e: GmEvent = { kind: 1 + int(r, 2), direction: 1 + int(r, 2), origin: peer(r), peer: peer(r), timestampUs: u53(r), ttl: u8(r) };
        if (signed) {
          e.publicKey = bytes(r, PUBLIC_KEY_BYTES);
          e.signature = bytes(r, SIGNATURE_BYTES);
        }
        return e;
      });
      return signed ? { type, events, signed } : { type, events };
    }
    case MsgType.GmDirected: {
      const route = list(r, 2, MAX_GM_ROUTE_HOPS, big, peer);
      const payload = bytes(r, r() < 0.1 ? int(r, MAX_GM_DIRECTED_PAYLOAD_BYTES + 1) : int(r, 64));
      return { type, route, hop: int(r, route.length), reroute: int(r, 2), payloadKind: u8(r), payload };
    }
    case MsgType.GmSyncRequest:
      return { type, sinceUs: u53(r) };
    case MsgType.GmSync: {
      const signed = r() < 0.5;
      const entries = list(r, 0, big ? (signed ? 8 : 16) : MAX_GM_SYNC_ENTRIES, false, (): GmSyncEntry => {
        const e: GmSyncEntry = { peer: peer(r), links: [] };
        if (signed) e.publicKey = bytes(r, PUBLIC_KEY_BYTES);
        e.links = list(r, 0, MAX_GM_SYNC_LINKS, big, () => {
          const l: GmSyncLink = { peer: peer(r), flags: int(r, 4), timestampUs: u53(r) };
          if (signed) l.signature = bytes(r, SIGNATURE_BYTES);
          return l;
        });
        return e;
      });
      return signed ? { type, entries, more: int(r, 2), signed } : { type, entries, more: int(r, 2) };
    }
    case MsgType.KadFindNode:
      return { type, requestId: u32(r), target: bytes(r, KAD_ID_BYTES) };
    case MsgType.KadNodes:
      return { type, requestId: u32(r), nodes: list(r, 0, MAX_KAD_NODES, big, () => ({ peer: peer(r), address: addr(r) })) };
    case MsgType.KadPing:
    case MsgType.KadPong:
      return { type, requestId: u32(r) };
    case MsgType.Block:
      return {
        type,
        hash: bytes(r, HASH_BYTES),
        parent: bytes(r, HASH_BYTES),
        height: u32(r),
        origin: peer(r),
        minedAtUs: u53(r),
        bodyBytes: r() < 0.1 ? int(r, 70_000) : int(r, 256),
      };
    case MsgType.FloodPing:
      return { type, origin: u32(r), seq: u32(r), ttl: u8(r) };
  }
}
