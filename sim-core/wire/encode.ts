import { KAD_ID_BYTES, HASH_BYTES, PEER_ID_BYTES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './constants.ts';
import { WireError, type WireErrorKind } from './errors.ts';
import type { IdCodec, PeerNum } from './ids.ts';
import { MsgType, type InvItem, type Message, type NetAddress } from './messages.ts';
import { DEFAULT_WIRE_LIMITS, encodedSize, GM_SIGNED_COUNT_BIT, type WireLimits } from './sizes.ts';
import { checkUtf8, writeUtf8 } from './utf8.ts';

/** Stands for a missing key or signature: fails the length check with a typed error. */
const EMPTY = new Uint8Array(0);

/**
 * A message's fields in encoding order, each range-checked; errors carry the
 * offset in the frame. This class only checks (checkFields: an object that
 * passes has an encoding); Writer also writes each field once checked.
 */
class FieldChecks {
  pos = 0;
  constructor(
    readonly ids: IdCodec,
    public type: number,
  ) {}

  fail(kind: WireErrorKind, detail: string): never {
    throw new WireError(kind, detail, this.pos, this.type);
  }

  u8(v: number, what: string): void {
    if ((v & 0xff) !== v) this.fail('out-of-range', `${what}: ${v} is not a u8`);
    this.put8(v);
  }

  u16(v: number, what: string): void {
    if ((v & 0xffff) !== v) this.fail('out-of-range', `${what}: ${v} is not a u16`);
    this.put16(v);
  }

  u32(v: number, what: string): void {
    if (v >>> 0 !== v) this.fail('out-of-range', `${what}: ${v} is not a u32`);
    this.raw32(v);
  }

  /** A u53 as u64 big-endian. */
  u53(v: number, what: string): void {
    if (!(Number.isSafeInteger(v) && v >= 0)) this.fail('out-of-range', `${what}: ${v} is not a u53`);
    this.raw32(Math.floor(v / 0x1_0000_0000));
    this.raw32(v >>> 0);
  }

  /** A u8 no greater than `max` (small bit sets). */
  u8max(v: number, max: number, what: string): void {
    if (!Number.isInteger(v) || v < 0 || v > max) this.fail('out-of-range', `${what}: ${v} is not in 0…${max}`);
    this.put8(v);
  }

  /** A u8 restricted to two values (flags and small enums). */
  u8of(v: number, a: number, b: number, what: string): void {
    if (v !== a && v !== b) this.fail('out-of-range', `${what}: ${v} is not ${a} or ${b}`);
    this.put8(v);
  }

  fixed(b: Uint8Array, len: number, what: string): void {
    if (!(b instanceof Uint8Array) || b.length !== len) this.fail('bad-length', `${what}: ${b?.length} bytes, need ${len}`);
    this.putBytes(b);
  }

  /** A peer number as its 32-byte id: one this run's ids know (a number with no id has no encoding). */
  peer(p: PeerNum, what: string): void {
    if (!this.ids.hasPeer(p)) this.fail('out-of-range', `${what}: ${p} is not a peer number of this run`);
    this.putPeer(p);
  }

  kad(p: PeerNum, what: string): void {
    if (!this.ids.hasPeer(p)) this.fail('out-of-range', `${what}: ${p} is not a peer number of this run`);
    this.putKad(p);
  }

  addr(a: NetAddress): void {
    this.u32(a.host, 'address.host');
    this.u16(a.port, 'address.port');
  }

  /** u8 byte length, then UTF-8 (sizing already bounded it to ≤ 255 bytes). */
  str8(s: string): void {
    this.pos = checkUtf8(s, this.pos + 1, this.type);
  }

  items(items: InvItem[]): void {
    this.u16(items.length, 'item count');
    for (let i = 0; i < items.length; i++) {
      this.u8(items[i].kind, 'item.kind');
      this.fixed(items[i].hash, HASH_BYTES, 'item.hash');
    }
  }

  /** A payload of bytes whose length was checked (and written) before. */
  payload(b: Uint8Array): void {
    this.pos += b.length;
  }

  /** `n` zero bytes (a block's modelled body). */
  zeros(n: number): void {
    this.pos += n;
  }

  raw32(_v: number): void {
    this.pos += 4;
  }

  protected put8(_v: number): void {
    this.pos++;
  }

  protected put16(_v: number): void {
    this.pos += 2;
  }

  protected putBytes(b: Uint8Array): void {
    this.pos += b.length;
  }

  protected putPeer(_p: PeerNum): void {
    this.pos += PEER_ID_BYTES;
  }

  protected putKad(_p: PeerNum): void {
    this.pos += KAD_ID_BYTES;
  }
}

/** FieldChecks that write each checked field at `pos` into `out`. */
class Writer extends FieldChecks {
  constructor(
    readonly out: Uint8Array,
    ids: IdCodec,
    type: number,
  ) {
    super(ids, type);
  }

  override raw32(v: number): void {
    const o = this.out;
    const p = this.pos;
    o[p] = v >>> 24;
    o[p + 1] = v >>> 16;
    o[p + 2] = v >>> 8;
    o[p + 3] = v;
    this.pos = p + 4;
  }

  protected override put8(v: number): void {
    this.out[this.pos++] = v;
  }

  protected override put16(v: number): void {
    const o = this.out;
    o[this.pos] = v >>> 8;
    o[this.pos + 1] = v;
    this.pos += 2;
  }

  protected override putBytes(b: Uint8Array): void {
    this.out.set(b, this.pos);
    this.pos += b.length;
  }

  protected override putPeer(p: PeerNum): void {
    this.ids.writePeerId(p, this.out, this.pos);
    this.pos += PEER_ID_BYTES;
  }

  protected override putKad(p: PeerNum): void {
    this.ids.writeKadId(p, this.out, this.pos);
    this.pos += KAD_ID_BYTES;
  }

  /** u8 byte length, then UTF-8; the length is back-patched (sizing already bounded it to ≤ 255). */
  override str8(s: string): void {
    const at = this.pos;
    this.pos = writeUtf8(s, this.out, at + 1, this.type);
    this.out[at] = this.pos - at - 1;
  }

  override payload(b: Uint8Array): void {
    this.out.set(b, this.pos);
    this.pos += b.length;
  }

  override zeros(n: number): void {
    this.out.fill(0, this.pos, this.pos + n); // the body: zeros, so sizes are honest
    this.pos += n;
  }
}

/**
 * Throws the WireError encodeFrame would throw for `msg`, without encoding
 * it: where message objects travel instead of bytes, the network carries
 * only what has an encoding, so a receiver sees no value the decoder could
 * not have produced (a peer number outside the run, a u8 of 300, NaN).
 */
export function checkFields(msg: Message, ids: IdCodec): void {
  fieldChecker(ids)(msg);
}

/** checkFields with one checker for every message (the sizer's: no object per send). */
export function fieldChecker(ids: IdCodec): (msg: Message) => void {
  const c = new FieldChecks(ids, 0);
  return (msg) => {
    c.type = msg.type;
    c.pos = 5;
    writePayload(c, msg);
  };
}

/**
 * Encodes `msg` as one frame: u32 BE length (type + payload), u8 type,
 * payload. Writes into `out` if given (returns a view of its first bytes;
 * RangeError if too small), else allocates exactly. Throws WireError for a
 * message outside its bounds or a frame over `limits.maxFrameBytes`.
 */
export function encodeFrame(msg: Message, ids: IdCodec, out?: Uint8Array, limits: WireLimits = DEFAULT_WIRE_LIMITS): Uint8Array {
  const size = encodedSize(msg);
  if (size > limits.maxFrameBytes) {
    throw new WireError('oversized-frame', `frame of ${size} bytes > maxFrameBytes ${limits.maxFrameBytes}`, 0, msg.type);
  }
  let buf: Uint8Array;
  if (out === undefined) buf = new Uint8Array(size);
  else if (out.length < size) throw new RangeError(`encodeFrame: out has ${out.length} bytes, frame needs ${size}`);
  else buf = out.length === size ? out : out.subarray(0, size);
  const w = new Writer(buf, ids, msg.type);
  w.raw32(size - 4);
  buf[4] = msg.type;
  w.pos = 5;
  writePayload(w, msg);
  if (w.pos !== size) throw new Error(`encodeFrame: wrote ${w.pos} bytes of ${size} for type ${msg.type}`); // a codec bug
  return buf;
}

function writePayload(w: FieldChecks, m: Message): void {
  switch (m.type) {
    case MsgType.Version:
      w.u16(m.protocolVersion, 'protocolVersion');
      w.u32(m.services, 'services');
      w.u53(m.timestampUs, 'timestampUs');
      w.u53(m.nonce, 'nonce');
      w.u32(m.startHeight, 'startHeight');
      w.addr(m.listen);
      w.fixed(m.publicKey, PUBLIC_KEY_BYTES, 'publicKey');
      w.str8(m.userAgent);
      if (m.powNonce !== undefined) w.u53(m.powNonce, 'powNonce');
      return;
    case MsgType.Verack:
      w.fixed(m.signature, SIGNATURE_BYTES, 'signature');
      return;
    case MsgType.Ping:
    case MsgType.Pong:
      w.u53(m.nonce, 'nonce');
      return;
    case MsgType.GetAddr:
      return;
    case MsgType.Addr:
      w.u16(m.entries.length, 'entry count');
      for (const e of m.entries) {
        w.peer(e.peer, 'entry.peer');
        w.addr(e.address);
        w.u32(e.lastSeenS, 'lastSeenS');
      }
      return;
    case MsgType.Inv:
    case MsgType.GetData:
      w.items(m.items);
      return;
    case MsgType.Reject:
      w.u8(m.rejectedType, 'rejectedType');
      w.u8(m.code, 'code');
      w.str8(m.reason);
      return;
    case MsgType.Disconnect:
      w.u8(m.code, 'code');
      w.str8(m.reason);
      return;
    case MsgType.Beacon:
      w.peer(m.peer, 'peer');
      w.addr(m.listen);
      w.u32(m.services, 'services');
      w.u53(m.nonce, 'nonce');
      return;
    case MsgType.GmEvents: {
      const signed = m.signed === true;
      w.u16(m.events.length | (signed ? GM_SIGNED_COUNT_BIT : 0), 'event count');
      for (const e of m.events) {
        w.u8of(e.kind, 1, 2, 'event.kind');
        w.u8of(e.direction, 1, 2, 'event.direction');
        w.peer(e.origin, 'event.origin');
        w.peer(e.peer, 'event.peer');
        w.u53(e.timestampUs, 'event.timestampUs');
        w.u8(e.ttl, 'event.ttl');
        if (signed) {
          w.fixed(e.publicKey ?? EMPTY, PUBLIC_KEY_BYTES, 'event.publicKey');
          w.fixed(e.signature ?? EMPTY, SIGNATURE_BYTES, 'event.signature');
        }
      }
      return;
    }
    case MsgType.GmDirected:
      w.u8(m.route.length, 'route length');
      for (const p of m.route) w.peer(p, 'route');
      if (!(m.hop < m.route.length)) w.fail('out-of-range', `hop: ${m.hop} ≥ route length ${m.route.length}`);
      w.u8(m.hop, 'hop');
      w.u8of(m.reroute, 0, 1, 'reroute');
      w.u8(m.payloadKind, 'payloadKind');
      w.u16(m.payload.length, 'payload length');
      w.payload(m.payload);
      return;
    case MsgType.GmSyncRequest:
      w.u53(m.sinceUs, 'sinceUs');
      return;
    case MsgType.GmSync: {
      const signed = m.signed === true;
      w.u16(m.entries.length | (signed ? GM_SIGNED_COUNT_BIT : 0), 'entry count');
      for (const e of m.entries) {
        w.peer(e.peer, 'entry.peer');
        if (signed) w.fixed(e.publicKey ?? EMPTY, PUBLIC_KEY_BYTES, 'entry.publicKey');
        w.u8(e.links.length, 'link count');
        for (const l of e.links) {
          w.peer(l.peer, 'link.peer');
          w.u8max(l.flags, 3, 'link.flags');
          w.u53(l.timestampUs, 'link.timestampUs');
          if (signed) w.fixed(l.signature ?? EMPTY, SIGNATURE_BYTES, 'link.signature');
        }
      }
      w.u8of(m.more, 0, 1, 'more');
      return;
    }
    case MsgType.KadFindNode:
      w.u32(m.requestId, 'requestId');
      w.fixed(m.target, KAD_ID_BYTES, 'target');
      return;
    case MsgType.KadNodes:
      w.u32(m.requestId, 'requestId');
      w.u8(m.nodes.length, 'node count');
      for (const n of m.nodes) {
        w.kad(n.peer, 'node.peer');
        w.addr(n.address);
      }
      return;
    case MsgType.KadPing:
    case MsgType.KadPong:
      w.u32(m.requestId, 'requestId');
      return;
    case MsgType.Block:
      w.fixed(m.hash, HASH_BYTES, 'hash');
      w.fixed(m.parent, HASH_BYTES, 'parent');
      w.u32(m.height, 'height');
      w.peer(m.origin, 'origin');
      w.u53(m.minedAtUs, 'minedAtUs');
      w.u32(m.bodyBytes, 'bodyBytes');
      w.zeros(m.bodyBytes);
      return;
    case MsgType.FloodPing:
      w.u32(m.origin, 'origin');
      w.u32(m.seq, 'seq');
      w.u8(m.ttl, 'ttl');
      return;
  }
}
