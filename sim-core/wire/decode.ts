import {
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
  MAX_REASON_BYTES,
  MAX_USER_AGENT_BYTES,
  PEER_ID_BYTES,
  PUBLIC_KEY_BYTES,
  SIGNATURE_BYTES,
} from './constants.ts';
import { WireError, type WireErrorKind } from './errors.ts';
import type { IdCodec, PeerNum } from './ids.ts';
import { MsgType, type GmEvent, type GmSyncEntry, type GmSyncLink, type InvItem, type Message, type NetAddress, type VersionMsg } from './messages.ts';
import {
  ADDR_ENTRY_BYTES,
  DEFAULT_WIRE_LIMITS,
  GM_EVENT_BYTES,
  GM_EVENT_SIGNED_EXTRA_BYTES,
  GM_SIGNED_COUNT_BIT,
  GM_SYNC_ENTRY_FIXED_BYTES,
  GM_SYNC_ENTRY_SIGNED_EXTRA_BYTES,
  GM_SYNC_LINK_BYTES,
  GM_SYNC_LINK_SIGNED_EXTRA_BYTES,
  INV_ITEM_BYTES,
  KAD_NODE_BYTES,
  isKnownType,
  lengthFieldError,
  type WireLimits,
} from './sizes.ts';
import { readUtf8 } from './utf8.ts';

/** Reads fields from `b[p..end)`; every read is bounds-checked and throws WireError. */
class Reader {
  /** Bit 15 of the last flaggedCount. */
  signedCount = false;

  constructor(
    readonly b: Uint8Array,
    public p: number,
    readonly end: number,
    readonly ids: IdCodec,
    readonly type: number,
  ) {}

  fail(kind: WireErrorKind, detail: string, at = this.p): never {
    throw new WireError(kind, detail, at, this.type);
  }

  need(n: number, what: string): void {
    if (this.end - this.p < n) this.fail('truncated', `${what}: need ${n} bytes, ${this.end - this.p} left`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.b[this.p++];
  }

  u16(what: string): number {
    this.need(2, what);
    const b = this.b;
    const p = this.p;
    this.p = p + 2;
    return (b[p] << 8) | b[p + 1];
  }

  u32(what: string): number {
    this.need(4, what);
    return this.raw32();
  }

  raw32(): number {
    const b = this.b;
    const p = this.p;
    this.p = p + 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }

  /** u64 big-endian that must be < 2^53. */
  u53(what: string): number {
    this.need(8, what);
    const hi = this.raw32();
    if (hi >= 0x20_0000) this.fail('out-of-range', `${what}: ≥ 2^53`, this.p - 4);
    return hi * 0x1_0000_0000 + this.raw32();
  }

  u8max(max: number, what: string): number {
    const v = this.u8(what);
    if (v > max) this.fail('out-of-range', `${what}: ${v} is not in 0…${max}`, this.p - 1);
    return v;
  }

  u8of(a: number, b: number, what: string): number {
    const v = this.u8(what);
    if (v !== a && v !== b) this.fail('out-of-range', `${what}: ${v} is not ${a} or ${b}`, this.p - 1);
    return v;
  }

  /** A copy, so the message never aliases a reassembly buffer that will be reused. */
  bytes(n: number, what: string): Uint8Array {
    this.need(n, what);
    const p = this.p;
    this.p = p + n;
    return this.b.slice(p, p + n);
  }

  peer(): PeerNum {
    this.need(PEER_ID_BYTES, 'peer id');
    const v = this.ids.readPeerId(this.b, this.p);
    this.p += PEER_ID_BYTES;
    return v;
  }

  kad(): PeerNum {
    this.need(KAD_ID_BYTES, 'kademlia id');
    const v = this.ids.readKadId(this.b, this.p);
    this.p += KAD_ID_BYTES;
    return v;
  }

  addr(): NetAddress {
    const host = this.u32('address.host');
    return { host, port: this.u16('address.port') };
  }

  /**
   * A count prefix (u8 or u16) checked against [min, max] and against the
   * bytes left (each item takes ≥ itemBytes), before any item is read.
   */
  count(wide: boolean, min: number, max: number, itemBytes: number, what: string): number {
    const at = this.p;
    const n = wide ? this.u16(what) : this.u8(what);
    return this.checkCount(n, at, min, max, itemBytes, what);
  }

  /** A u16 count whose bit 15 says "signed" (gm-events, gm-sync); sets `signedCount`. */
  flaggedCount(min: number, max: number, itemBytes: number, signedItemBytes: number, what: string): number {
    const at = this.p;
    const v = this.u16(what);
    this.signedCount = (v & GM_SIGNED_COUNT_BIT) !== 0;
    return this.checkCount(v & ~GM_SIGNED_COUNT_BIT, at, min, max, this.signedCount ? signedItemBytes : itemBytes, what);
  }

  private checkCount(n: number, at: number, min: number, max: number, itemBytes: number, what: string): number {
    if (n > max) this.fail('too-many-items', `${what}: ${n} > ${max}`, at);
    if (n < min) this.fail('bad-length', `${what}: ${n} < ${min}`, at);
    if (n * itemBytes > this.end - this.p) this.fail('truncated', `${what}: ${n} items need ≥ ${n * itemBytes} bytes, ${this.end - this.p} left`, at);
    return n;
  }

  str8(max: number, what: string): string {
    const n = this.count(false, 0, max, 1, what);
    const p = this.p;
    this.p = p + n;
    return readUtf8(this.b, p, p + n, this.type);
  }

  items(): InvItem[] {
    const n = this.count(true, 0, MAX_INV_ITEMS, INV_ITEM_BYTES, 'item count');
    const items: InvItem[] = [];
    for (let i = 0; i < n; i++) items.push({ kind: this.u8('item.kind'), hash: this.bytes(HASH_BYTES, 'item.hash') });
    return items;
  }
}

function checkArgs(bytes: Uint8Array, offset: number, end: number): void {
  if (!(Number.isInteger(offset) && Number.isInteger(end) && offset >= 0 && offset <= end && end <= bytes.length)) {
    throw new RangeError(`decode: bad range [${offset}, ${end}) of ${bytes.length} bytes`);
  }
}

/**
 * Decodes the payload of a `type` frame occupying `bytes[offset..end)`.
 * Throws WireError for any content problem (offsets index `bytes`), RangeError
 * only for a bad `offset`/`end` (a caller bug). Byte fields are copies.
 */
export function decodePayload(type: number, bytes: Uint8Array, offset: number, end: number, ids: IdCodec, limits: WireLimits = DEFAULT_WIRE_LIMITS): Message {
  checkArgs(bytes, offset, end);
  if (end - offset + FRAME_HEADER_BYTES > limits.maxFrameBytes) {
    throw new WireError('oversized-frame', `payload of ${end - offset} bytes > maxFrameBytes ${limits.maxFrameBytes} − header`, offset, type);
  }
  if (!isKnownType(type)) throw new WireError('unknown-type', `no message type ${type}`, offset, type);
  const r = new Reader(bytes, offset, end, ids, type);
  const msg = readPayload(r, type as MsgType);
  if (r.p !== end) r.fail('trailing-bytes', `${end - r.p} bytes after the last field`);
  return msg;
}

/** Decodes exactly one whole frame (header included) filling `bytes`. */
export function decodeFrame(bytes: Uint8Array, ids: IdCodec, limits: WireLimits = DEFAULT_WIRE_LIMITS): Message {
  if (bytes.length < FRAME_HEADER_BYTES) throw new WireError('truncated', `frame header: ${bytes.length} of ${FRAME_HEADER_BYTES} bytes`, bytes.length);
  const len = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  const bad = lengthFieldError(len, limits.maxFrameBytes);
  if (bad !== null) throw new WireError(bad, `length field ${len} (maxFrameBytes ${limits.maxFrameBytes})`, 0);
  const type = bytes[4];
  if (!isKnownType(type)) throw new WireError('unknown-type', `no message type ${type}`, 4, type);
  if (bytes.length < 4 + len) throw new WireError('truncated', `frame of ${4 + len} bytes, got ${bytes.length}`, bytes.length, type);
  if (bytes.length > 4 + len) throw new WireError('trailing-bytes', `${bytes.length - 4 - len} bytes after the frame`, 4 + len, type);
  return decodePayload(type, bytes, FRAME_HEADER_BYTES, 4 + len, ids, limits);
}

function readPayload(r: Reader, type: MsgType): Message {
  switch (type) {
    case MsgType.Version: {
      const v: VersionMsg = {
        type,
        protocolVersion: r.u16('protocolVersion'),
        services: r.u32('services'),
        timestampUs: r.u53('timestampUs'),
        nonce: r.u53('nonce'),
        startHeight: r.u32('startHeight'),
        listen: r.addr(),
        publicKey: r.bytes(PUBLIC_KEY_BYTES, 'publicKey'),
        userAgent: r.str8(MAX_USER_AGENT_BYTES, 'userAgent bytes'),
      };
      // The optional trailing proof-of-work nonce; 1..7 leftover bytes stay trailing bytes (an error).
      if (r.end - r.p >= 8) v.powNonce = r.u53('powNonce');
      return v;
    }
    case MsgType.Verack:
      return { type, signature: r.bytes(SIGNATURE_BYTES, 'signature') };
    case MsgType.Ping:
    case MsgType.Pong:
      return { type, nonce: r.u53('nonce') };
    case MsgType.GetAddr:
      return { type };
    case MsgType.Addr: {
      const n = r.count(true, 0, MAX_ADDR_ENTRIES, ADDR_ENTRY_BYTES, 'entry count');
      const entries = [];
      for (let i = 0; i < n; i++) entries.push({ peer: r.peer(), address: r.addr(), lastSeenS: r.u32('lastSeenS') });
      return { type, entries };
    }
    case MsgType.Inv:
    case MsgType.GetData:
      return { type, items: r.items() };
    case MsgType.Reject:
      return { type, rejectedType: r.u8('rejectedType'), code: r.u8('code'), reason: r.str8(MAX_REASON_BYTES, 'reason bytes') };
    case MsgType.Disconnect:
      return { type, code: r.u8('code'), reason: r.str8(MAX_REASON_BYTES, 'reason bytes') };
    case MsgType.Beacon:
      return { type, peer: r.peer(), listen: r.addr(), services: r.u32('services'), nonce: r.u53('nonce') };
    case MsgType.GmEvents: {
      const n = r.flaggedCount(1, MAX_GM_EVENTS, GM_EVENT_BYTES, GM_EVENT_BYTES + GM_EVENT_SIGNED_EXTRA_BYTES, 'event count');
      const signed = r.signedCount;
      const events: GmEvent[] = [];
      for (let i = 0; i < n; i++) {
        const e: GmEvent = {
          kind: r.u8of(1, 2, 'event.kind'),
          direction: r.u8of(1, 2, 'event.direction'),
          origin: r.peer(),
          peer: r.peer(),
          timestampUs: r.u53('event.timestampUs'),
          ttl: r.u8('event.ttl'),
        };
        if (signed) {
          e.publicKey = r.bytes(PUBLIC_KEY_BYTES, 'event.publicKey');
          e.signature = r.bytes(SIGNATURE_BYTES, 'event.signature');
        }
        events.push(e);
      }
      return signed ? { type, events, signed } : { type, events };
    }
    case MsgType.GmDirected: {
      const n = r.count(false, 2, MAX_GM_ROUTE_HOPS, PEER_ID_BYTES, 'route length');
      const route: PeerNum[] = [];
      for (let i = 0; i < n; i++) route.push(r.peer());
      const hop = r.u8('hop');
      if (hop >= n) r.fail('out-of-range', `hop: ${hop} ≥ route length ${n}`, r.p - 1);
      const reroute = r.u8of(0, 1, 'reroute');
      const payloadKind = r.u8('payloadKind');
      const len = r.count(true, 0, MAX_GM_DIRECTED_PAYLOAD_BYTES, 1, 'payload length');
      return { type, route, hop, reroute, payloadKind, payload: r.bytes(len, 'payload') };
    }
    case MsgType.GmSyncRequest:
      return { type, sinceUs: r.u53('sinceUs') };
    case MsgType.GmSync: {
      const n = r.flaggedCount(0, MAX_GM_SYNC_ENTRIES, GM_SYNC_ENTRY_FIXED_BYTES, GM_SYNC_ENTRY_FIXED_BYTES + GM_SYNC_ENTRY_SIGNED_EXTRA_BYTES, 'entry count');
      const signed = r.signedCount;
      const linkBytes = signed ? GM_SYNC_LINK_BYTES + GM_SYNC_LINK_SIGNED_EXTRA_BYTES : GM_SYNC_LINK_BYTES;
      const entries: GmSyncEntry[] = [];
      for (let i = 0; i < n; i++) {
        const peer = r.peer();
        const publicKey = signed ? r.bytes(PUBLIC_KEY_BYTES, 'entry.publicKey') : undefined;
        const k = r.count(false, 0, MAX_GM_SYNC_LINKS, linkBytes, 'link count');
        const links: GmSyncLink[] = [];
        for (let j = 0; j < k; j++) {
          const l: GmSyncLink = { peer: r.peer(), flags: r.u8max(3, 'link.flags'), timestampUs: r.u53('link.timestampUs') };
          if (signed) l.signature = r.bytes(SIGNATURE_BYTES, 'link.signature');
          links.push(l);
        }
        entries.push(publicKey ? { peer, links, publicKey } : { peer, links });
      }
      const more = r.u8of(0, 1, 'more');
      return signed ? { type, entries, more, signed } : { type, entries, more };
    }
    case MsgType.KadFindNode:
      return { type, requestId: r.u32('requestId'), target: r.bytes(KAD_ID_BYTES, 'target') };
    case MsgType.KadNodes: {
      const requestId = r.u32('requestId');
      const n = r.count(false, 0, MAX_KAD_NODES, KAD_NODE_BYTES, 'node count');
      const nodes = [];
      for (let i = 0; i < n; i++) nodes.push({ peer: r.kad(), address: r.addr() });
      return { type, requestId, nodes };
    }
    case MsgType.KadPing:
    case MsgType.KadPong:
      return { type, requestId: r.u32('requestId') };
    case MsgType.Block: {
      const msg = {
        type,
        hash: r.bytes(HASH_BYTES, 'hash'),
        parent: r.bytes(HASH_BYTES, 'parent'),
        height: r.u32('height'),
        origin: r.peer(),
        minedAtUs: r.u53('minedAtUs'),
        bodyBytes: r.u32('bodyBytes'),
      };
      // The body is skipped, not copied: it must fill the rest of the frame exactly.
      const left = r.end - r.p;
      if (msg.bodyBytes > left) r.fail('truncated', `block body: ${msg.bodyBytes} bytes, ${left} left`, r.p - 4);
      r.p += msg.bodyBytes;
      return msg;
    }
    case MsgType.FloodPing:
      return { type, origin: r.u32('origin'), seq: r.u32('seq'), ttl: r.u8('ttl') };
  }
}
