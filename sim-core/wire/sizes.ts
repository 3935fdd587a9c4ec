import type { MessageSizer } from '../sans-io/protocol.ts';
import {
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_HEADER_BYTES,
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
  MAX_MAX_FRAME_BYTES,
  MAX_REASON_BYTES,
  MAX_USER_AGENT_BYTES,
  MIN_MAX_FRAME_BYTES,
  PEER_ID_BYTES,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
} from './constants.ts';
import { WireError } from './errors.ts';
import { MsgType, type Message } from './messages.ts';
import { utf8Length } from './utf8.ts';

/** Payload layout sizes (bytes). Field order on the wire is the interface order in messages.ts. */
export const NET_ADDRESS_BYTES = 4 + 2; // host u32, port u16
export const VERSION_FIXED_BYTES = 2 + 4 + 8 + 8 + 4 + NET_ADDRESS_BYTES + PUBLIC_KEY_BYTES + 1; // + userAgent
export const ADDR_ENTRY_BYTES = PEER_ID_BYTES + NET_ADDRESS_BYTES + 4;
export const INV_ITEM_BYTES = 1 + HASH_BYTES;
export const GM_EVENT_BYTES = 1 + 1 + PEER_ID_BYTES + PEER_ID_BYTES + 8 + 1;
export const GM_DIRECTED_FIXED_BYTES = 1 + 1 + 1 + 1 + 2; // + route ids + payload
export const GM_SYNC_ENTRY_FIXED_BYTES = PEER_ID_BYTES + 1; // + links
export const GM_SYNC_LINK_BYTES = PEER_ID_BYTES + 1 + 8;
/** What a signed message adds: per event the origin's key and signature; per sync entry the key, per link the signature. */
export const GM_EVENT_SIGNED_EXTRA_BYTES = PUBLIC_KEY_BYTES + SIGNATURE_BYTES;
export const GM_SYNC_ENTRY_SIGNED_EXTRA_BYTES = PUBLIC_KEY_BYTES;
export const GM_SYNC_LINK_SIGNED_EXTRA_BYTES = SIGNATURE_BYTES;
/** Bit 15 of a gm-events / gm-sync count: the message is signed. */
export const GM_SIGNED_COUNT_BIT = 0x8000;
export const KAD_NODE_BYTES = KAD_ID_BYTES + NET_ADDRESS_BYTES;
export const BLOCK_FIXED_BYTES = HASH_BYTES + HASH_BYTES + 4 + PEER_ID_BYTES + 8 + 4; // + body

/** Receiver-side limits. maxFrameBytes bounds a whole frame, header included. */
export interface WireLimits {
  readonly maxFrameBytes: number;
}
export const DEFAULT_WIRE_LIMITS: WireLimits = { maxFrameBytes: DEFAULT_MAX_FRAME_BYTES };

/** Throws RangeError unless `n` is an integer in [MIN_MAX_FRAME_BYTES, MAX_MAX_FRAME_BYTES]. */
export function checkMaxFrameBytes(n: number): number {
  if (!Number.isInteger(n) || n < MIN_MAX_FRAME_BYTES || n > MAX_MAX_FRAME_BYTES) {
    throw new RangeError(`maxFrameBytes must be an integer in [${MIN_MAX_FRAME_BYTES}, ${MAX_MAX_FRAME_BYTES}], got ${n}`);
  }
  return n;
}

/** Largest block body a frame of at most `maxFrameBytes` can carry. */
export function maxBlockBodyBytes(maxFrameBytes: number): number {
  return maxFrameBytes - FRAME_HEADER_BYTES - BLOCK_FIXED_BYTES;
}

const TYPE_NAMES: ReadonlyArray<readonly [number, string]> = [
  [MsgType.Version, 'version'],
  [MsgType.Verack, 'verack'],
  [MsgType.Ping, 'ping'],
  [MsgType.Pong, 'pong'],
  [MsgType.GetAddr, 'get-addr'],
  [MsgType.Addr, 'addr'],
  [MsgType.Inv, 'inv'],
  [MsgType.GetData, 'get-data'],
  [MsgType.Reject, 'reject'],
  [MsgType.Disconnect, 'disconnect'],
  [MsgType.Beacon, 'beacon'],
  [MsgType.GmEvents, 'gm-events'],
  [MsgType.GmDirected, 'gm-directed'],
  [MsgType.GmSyncRequest, 'gm-sync-request'],
  [MsgType.GmSync, 'gm-sync'],
  [MsgType.KadFindNode, 'kad-find-node'],
  [MsgType.KadNodes, 'kad-nodes'],
  [MsgType.KadPing, 'kad-ping'],
  [MsgType.KadPong, 'kad-pong'],
  [MsgType.Block, 'block'],
  [MsgType.FloodPing, 'flood-ping'],
];
const NAME_BY_TYPE: string[] = new Array<string>(256).fill('');
for (const [t, name] of TYPE_NAMES) NAME_BY_TYPE[t] = name;

/** Every message type id, ascending. */
export const MSG_TYPES: readonly MsgType[] = TYPE_NAMES.map(([t]) => t as MsgType);

export function isKnownType(type: number): boolean {
  return (type & 0xff) === type && NAME_BY_TYPE[type] !== '';
}

/** Stable kebab-case name of a message type ('type-N' if unknown). */
export function typeName(type: number): string {
  return isKnownType(type) ? NAME_BY_TYPE[type] : `type-${type}`;
}

function tooMany(what: string, n: number, max: number, offset: number, type: number): WireError {
  return new WireError('too-many-items', `${what}: ${n} > ${max}`, offset, type);
}

function strBytes(s: string, max: number, what: string, offset: number, type: number): number {
  const n = utf8Length(s, max);
  if (n < 0) throw tooMany(`${what} bytes`, s.length, max, offset, type);
  return n;
}

/**
 * Payload bytes of `msg` (the frame is FRAME_HEADER_BYTES more). Allocation-free;
 * throws WireError if a list, string or payload is outside its count bounds,
 * since such a message has no encoding. Other field checks happen in encodeFrame.
 */
export function payloadSize(msg: Message): number {
  const H = FRAME_HEADER_BYTES;
  switch (msg.type) {
    case MsgType.Version:
      return (
        VERSION_FIXED_BYTES + strBytes(msg.userAgent, MAX_USER_AGENT_BYTES, 'userAgent', H + VERSION_FIXED_BYTES - 1, msg.type) + (msg.powNonce === undefined ? 0 : 8)
      );
    case MsgType.Verack:
      return SIGNATURE_BYTES;
    case MsgType.Ping:
    case MsgType.Pong:
    case MsgType.GmSyncRequest:
      return 8;
    case MsgType.GetAddr:
      return 0;
    case MsgType.Addr: {
      const n = msg.entries.length;
      if (n > MAX_ADDR_ENTRIES) throw tooMany('addr entries', n, MAX_ADDR_ENTRIES, H, msg.type);
      return 2 + n * ADDR_ENTRY_BYTES;
    }
    case MsgType.Inv:
    case MsgType.GetData: {
      const n = msg.items.length;
      if (n > MAX_INV_ITEMS) throw tooMany('inventory items', n, MAX_INV_ITEMS, H, msg.type);
      return 2 + n * INV_ITEM_BYTES;
    }
    case MsgType.Reject:
      return 3 + strBytes(msg.reason, MAX_REASON_BYTES, 'reason', H + 2, msg.type);
    case MsgType.Disconnect:
      return 2 + strBytes(msg.reason, MAX_REASON_BYTES, 'reason', H + 1, msg.type);
    case MsgType.Beacon:
      return PEER_ID_BYTES + NET_ADDRESS_BYTES + 4 + 8;
    case MsgType.GmEvents: {
      const n = msg.refs !== undefined ? msg.refs.count : msg.events.length;
      if (n > MAX_GM_EVENTS) throw tooMany('gm events', n, MAX_GM_EVENTS, H, msg.type);
      if (n < 1) throw new WireError('bad-length', 'gm events: need at least 1', H, msg.type);
      return 2 + n * (msg.signed === true ? GM_EVENT_BYTES + GM_EVENT_SIGNED_EXTRA_BYTES : GM_EVENT_BYTES);
    }
    case MsgType.GmDirected: {
      const r = msg.route.length;
      if (r > MAX_GM_ROUTE_HOPS) throw tooMany('route hops', r, MAX_GM_ROUTE_HOPS, H, msg.type);
      if (r < 2) throw new WireError('bad-length', `route hops: ${r} < 2`, H, msg.type);
      const p = msg.payload.length;
      const at = H + 1 + r * PEER_ID_BYTES + 3;
      if (p > MAX_GM_DIRECTED_PAYLOAD_BYTES) throw tooMany('directed payload bytes', p, MAX_GM_DIRECTED_PAYLOAD_BYTES, at, msg.type);
      return GM_DIRECTED_FIXED_BYTES + r * PEER_ID_BYTES + p;
    }
    case MsgType.GmSync: {
      const n = msg.entries.length;
      if (n > MAX_GM_SYNC_ENTRIES) throw tooMany('sync entries', n, MAX_GM_SYNC_ENTRIES, H, msg.type);
      let size = 2;
      const signed = msg.signed === true;
      const entryBytes = signed ? GM_SYNC_ENTRY_FIXED_BYTES + GM_SYNC_ENTRY_SIGNED_EXTRA_BYTES : GM_SYNC_ENTRY_FIXED_BYTES;
      const linkBytes = signed ? GM_SYNC_LINK_BYTES + GM_SYNC_LINK_SIGNED_EXTRA_BYTES : GM_SYNC_LINK_BYTES;
      for (let i = 0; i < n; i++) {
        const k = msg.entries[i].links.length;
        if (k > MAX_GM_SYNC_LINKS) throw tooMany('sync links', k, MAX_GM_SYNC_LINKS, H + size + entryBytes - 1, msg.type);
        size += entryBytes + k * linkBytes;
      }
      return size + 1;
    }
    case MsgType.KadFindNode:
      return 4 + KAD_ID_BYTES;
    case MsgType.KadNodes: {
      const n = msg.nodes.length;
      if (n > MAX_KAD_NODES) throw tooMany('kad nodes', n, MAX_KAD_NODES, H + 4, msg.type);
      return 5 + n * KAD_NODE_BYTES;
    }
    case MsgType.KadPing:
    case MsgType.KadPong:
      return 4;
    case MsgType.Block: {
      const b = msg.bodyBytes;
      // Range-checked here because it is a size: a non-integer would poison the byte counters.
      if (!((b >>> 0) === b)) throw new WireError('out-of-range', `bodyBytes: ${b} is not a u32`, H + BLOCK_FIXED_BYTES - 4, msg.type);
      return BLOCK_FIXED_BYTES + b;
    }
    case MsgType.FloodPing:
      return 4 + 4 + 1;
    default:
      throw new WireError('unknown-type', 'no such message type', 4, (msg as { type: number }).type);
  }
}

/** Exact frame size of `msg`: header (u32 length + u8 type) plus payload. Allocation-free. */
export function encodedSize(msg: Message): number {
  return FRAME_HEADER_BYTES + payloadSize(msg);
}

/** The MessageSizer the simulator uses for every wire message. */
export const wireSizer: MessageSizer<Message> = {
  typeOf: (msg) => msg.type,
  sizeOf: encodedSize,
  typeName,
};

/** Whether a frame whose length field is `len` may be received under `maxFrameBytes` (null = fine). */
export function lengthFieldError(len: number, maxFrameBytes: number): 'frame-too-small' | 'oversized-frame' | null {
  if (len < 1) return 'frame-too-small';
  if (len > maxFrameBytes - 4) return 'oversized-frame';
  return null;
}
