import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageArbitraries, messageArbitrary } from './arbitraries.ts';
import {
  BLOCK_FIXED_BYTES,
  MSG_TYPES,
  checkFields,
  WireError,
  decodeFrame,
  decodePayload,
  encodeFrame,
  encodedSize,
  maxBlockBodyBytes,
  typeName,
  wireSizer,
  type WireErrorKind,
} from './codec.ts';
import { DEFAULT_MAX_FRAME_BYTES, MAX_ADDR_ENTRIES, MAX_GM_EVENTS, MAX_INV_ITEMS, MAX_MAX_FRAME_BYTES, MAX_REASON_BYTES, MAX_USER_AGENT_BYTES } from './constants.ts';
import { exactIdCodec } from './fuzz.ts';
import { numericIdCodec as ids } from './ids.ts';
import { MsgType, type Message } from './messages.ts';
import { FLOOD_PING_BYTES } from '../protocols/flood/messages.ts';

const BIG = { maxFrameBytes: MAX_MAX_FRAME_BYTES };
const ping = (nonce: number): Message => ({ type: MsgType.Ping, nonce });
const hash = (fill = 7) => new Uint8Array(32).fill(fill);

function wireErr(f: () => unknown): WireError {
  try {
    f();
  } catch (e) {
    if (e instanceof WireError) return e;
    throw e;
  }
  throw new Error('expected a WireError');
}
const kindOf = (f: () => unknown): WireErrorKind => wireErr(f).kind;

describe('round trip', () => {
  for (const [type, arb] of Object.entries(messageArbitraries())) {
    it(`${typeName(Number(type))}: decode(encode(m)) equals m, encodedSize is exact`, () => {
      fc.assert(
        fc.property(arb, (m) => {
          const frame = encodeFrame(m, ids);
          expect(encodedSize(m)).toBe(frame.length);
          expect(wireSizer.sizeOf(m)).toBe(frame.length);
          expect(wireSizer.typeOf(m)).toBe(Number(type));
          expect(frame[4]).toBe(Number(type));
          expect(new DataView(frame.buffer).getUint32(0)).toBe(frame.length - 4);
          expect(decodeFrame(frame, ids)).toEqual(m);
        }),
        { numRuns: 300 },
      );
    });
  }

  it('lists at their maximum counts round-trip (big limit)', () => {
    fc.assert(
      fc.property(messageArbitrary(true), (m) => {
        const frame = encodeFrame(m, ids, undefined, BIG);
        expect(frame.length).toBe(encodedSize(m));
        expect(decodeFrame(frame, ids, BIG)).toEqual(m);
      }),
      { numRuns: 150 },
    );
  });

  it('encodes into a caller buffer, and through an interning id codec', () => {
    fc.assert(
      fc.property(messageArbitrary(), fc.nat({ max: 64 }), (m, extra) => {
        const out = new Uint8Array(encodedSize(m) + extra).fill(0xaa);
        const view = encodeFrame(m, ids, out);
        expect(view.buffer).toBe(out.buffer);
        expect(view).toEqual(encodeFrame(m, ids));
        const exact = exactIdCodec();
        expect(decodeFrame(encodeFrame(m, exact), exact)).toEqual(m);
      }),
      { numRuns: 500 },
    );
    expect(() => encodeFrame(ping(1), ids, new Uint8Array(12))).toThrow(RangeError);
  });

  it('decodes a payload in the middle of a larger buffer', () => {
    const frame = encodeFrame({ type: MsgType.Reject, rejectedType: 3, code: 0x10, reason: 'nope ✓' }, ids);
    const big = new Uint8Array(frame.length + 20);
    big.set(frame, 10);
    expect(decodePayload(MsgType.Reject, big.subarray(3), 12, 7 + frame.length, ids)).toEqual({ type: MsgType.Reject, rejectedType: 3, code: 0x10, reason: 'nope ✓' });
    expect(() => decodePayload(MsgType.Ping, big, 5, 4, ids)).toThrow(RangeError);
    expect(() => decodePayload(MsgType.Ping, big, 0, big.length + 1, ids)).toThrow(RangeError);
  });

  it('strings: BOM, astral code points and exact byte bounds survive', () => {
    for (const s of ['\ufeffbom', '😀'.repeat(16), 'é'.repeat(55) + 'a', '']) {
      const m: Message = { type: MsgType.Disconnect, code: 1, reason: s };
      expect(decodeFrame(encodeFrame(m, ids), ids)).toEqual(m);
    }
    const ua = '€'.repeat(21) + 'a'; // 64 bytes
    const v: Message = { type: MsgType.Version, protocolVersion: 1, services: 0, timestampUs: 0, nonce: 0, startHeight: 0, listen: { host: 0, port: 0 }, publicKey: hash(), userAgent: ua };
    expect(encodedSize(v)).toBe(5 + 65 + 64);
    expect(decodeFrame(encodeFrame(v, ids), ids)).toEqual(v);
  });
});

describe('sizes and names', () => {
  it('type names are stable kebab-case', () => {
    expect(MSG_TYPES.map((t) => typeName(t))).toEqual([
      'version', 'verack', 'ping', 'pong', 'get-addr', 'addr', 'inv', 'get-data', 'reject', 'disconnect', 'beacon',
      'gm-events', 'gm-directed', 'gm-sync-request', 'gm-sync', 'kad-find-node', 'kad-nodes', 'kad-ping', 'kad-pong', 'block', 'flood-ping',
    ]);
    expect(MSG_TYPES).toEqual(Object.values(MsgType));
    expect(wireSizer.typeName(99)).toBe('type-99');
  });

  it('fixed sizes match the documented layout', () => {
    expect(encodedSize({ type: MsgType.FloodPing, origin: 1, seq: 2, ttl: 3 })).toBe(FLOOD_PING_BYTES);
    expect(encodedSize(ping(0))).toBe(13);
    expect(encodedSize({ type: MsgType.GetAddr })).toBe(5);
    // Beacon: header 5 + peer id 32 + address 6 + services 4 + nonce 8.
    expect(encodedSize({ type: MsgType.Beacon, peer: 1, listen: { host: 2, port: 3 }, services: 1, nonce: 9 })).toBe(55);
    expect(encodedSize({ type: MsgType.KadFindNode, requestId: 1, target: new Uint8Array(20) })).toBe(29);
    expect(BLOCK_FIXED_BYTES).toBe(112);
  });

  it('block bodies are counted without being materialised', () => {
    const block = (bodyBytes: number): Message => ({ type: MsgType.Block, hash: hash(1), parent: hash(2), height: 9, origin: 4, minedAtUs: 5, bodyBytes });
    expect(encodedSize(block(10_000_000))).toBe(5 + 112 + 10_000_000);
    const maxBody = maxBlockBodyBytes(DEFAULT_MAX_FRAME_BYTES);
    expect(encodeFrame(block(maxBody), ids).length).toBe(DEFAULT_MAX_FRAME_BYTES);
    expect(kindOf(() => encodeFrame(block(maxBody + 1), ids))).toBe('oversized-frame');
    const out = new Uint8Array(5 + 112 + 50).fill(0xff);
    encodeFrame(block(50), ids, out);
    expect(out.subarray(117).every((b) => b === 0)).toBe(true);
    expect(kindOf(() => encodedSize(block(-1)))).toBe('out-of-range');
    expect(kindOf(() => encodedSize(block(2 ** 32)))).toBe('out-of-range');
  });
});

/** What the sizer does with a message object: its size (counts, strings), then every field. */
function checked(m: Message): void {
  encodedSize(m);
  checkFields(m, ids);
}

/** Paths to the number leaves of a message (its type excluded). */
function numberPaths(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (typeof v === 'number') return at.length === 1 && at[0] === 'type' ? [] : [at];
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return [];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => numberPaths(x, [...at, Array.isArray(v) ? Number(k) : k]));
}

/** A deep copy of `m` with the number at `path` replaced. */
function withNumber(m: Message, path: (string | number)[], x: number): Message {
  const copy = structuredClone(m) as unknown as Record<string | number, unknown>;
  let o = copy;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  o[path[path.length - 1]] = x;
  return copy as unknown as Message;
}

describe('encode enforces bounds', () => {
  const entry = { peer: 1, address: { host: 1, port: 1 }, lastSeenS: 1 };
  const item = { kind: 1, hash: hash() };
  const event = { kind: 1, direction: 2, origin: 1, peer: 2, timestampUs: 3, ttl: 4 };
  const cases: Array<[string, Message, WireErrorKind]> = [
    ['addr entries', { type: MsgType.Addr, entries: new Array(MAX_ADDR_ENTRIES + 1).fill(entry) }, 'too-many-items'],
    ['inv items', { type: MsgType.Inv, items: new Array(MAX_INV_ITEMS + 1).fill(item) }, 'too-many-items'],
    ['gm events', { type: MsgType.GmEvents, events: new Array(MAX_GM_EVENTS + 1).fill(event) }, 'too-many-items'],
    ['no gm events', { type: MsgType.GmEvents, events: [] }, 'bad-length'],
    ['short route', { type: MsgType.GmDirected, route: [1], hop: 0, reroute: 0, payloadKind: 1, payload: new Uint8Array(0) }, 'bad-length'],
    ['hop past route', { type: MsgType.GmDirected, route: [1, 2], hop: 2, reroute: 0, payloadKind: 1, payload: new Uint8Array(0) }, 'out-of-range'],
    ['reroute flag', { type: MsgType.GmDirected, route: [1, 2], hop: 1, reroute: 2, payloadKind: 1, payload: new Uint8Array(0) }, 'out-of-range'],
    ['event kind', { type: MsgType.GmEvents, events: [{ ...event, kind: 3 }] }, 'out-of-range'],
    ['directed payload', { type: MsgType.GmDirected, route: [1, 2], hop: 0, reroute: 0, payloadKind: 1, payload: new Uint8Array(4097) }, 'too-many-items'],
    ['sync links', { type: MsgType.GmSync, entries: [{ peer: 1, links: new Array(65).fill({ peer: 1, flags: 1, timestampUs: 0 }) }], more: 0 }, 'too-many-items'],
    ['kad nodes', { type: MsgType.KadNodes, requestId: 1, nodes: new Array(65).fill({ peer: 1, address: { host: 1, port: 1 } }) }, 'too-many-items'],
    ['reason bytes', { type: MsgType.Reject, rejectedType: 0, code: 1, reason: 'é'.repeat(56) }, 'too-many-items'],
    ['u53 overflow', ping(2 ** 53), 'out-of-range'],
    ['negative u53', ping(-1), 'out-of-range'],
    ['fractional', { type: MsgType.KadPing, requestId: 1.5 }, 'out-of-range'],
    ['u8 overflow', { type: MsgType.FloodPing, origin: 1, seq: 1, ttl: 256 }, 'out-of-range'],
    ['u32 overflow', { type: MsgType.KadPong, requestId: 2 ** 32 }, 'out-of-range'],
    ['NaN', { type: MsgType.KadPong, requestId: NaN }, 'out-of-range'],
    ['signature length', { type: MsgType.Verack, signature: new Uint8Array(63) }, 'bad-length'],
    ['lone surrogate', { type: MsgType.Disconnect, code: 1, reason: 'a\ud800b' }, 'bad-utf8'],
    ['unknown type', { type: 77 } as unknown as Message, 'unknown-type'],
  ];
  const peerCases: Array<[string, Message]> = [
    ['addr entry peer -1', { type: MsgType.Addr, entries: [{ ...entry, peer: -1 }] }],
    ['gm event origin 2^40', { type: MsgType.GmEvents, events: [{ ...event, origin: 2 ** 40 }] }],
    ['route entry 1.5', { type: MsgType.GmDirected, route: [1, 1.5], hop: 0, reroute: 0, payloadKind: 1, payload: new Uint8Array(0) }],
    ['sync link peer NaN', { type: MsgType.GmSync, entries: [{ peer: 1, links: [{ peer: NaN, flags: 1, timestampUs: 0 }] }], more: 0 }],
    ['kad node peer -3', { type: MsgType.KadNodes, requestId: 1, nodes: [{ peer: -3, address: { host: 1, port: 1 } }] }],
    ['block origin Infinity', { type: MsgType.Block, hash: hash(), parent: hash(), height: 1, origin: Infinity, minedAtUs: 0, bodyBytes: 0 }],
  ];
  for (const [name, msg] of [...cases, ...peerCases.map(([n, m]): [string, Message, WireErrorKind] => [n, m, 'out-of-range'])]) {
    const kind = cases.find((c) => c[0] === name)?.[2] ?? 'out-of-range';
    it(`${name} → ${kind}, the same error from checkFields without encoding`, () => {
      const e = wireErr(() => encodeFrame(msg, ids));
      expect(e.kind).toBe(kind);
      expect(e.msgType).toBe(msg.type);
      const c = wireErr(() => checked(msg));
      expect([c.kind, c.offset, c.msgType]).toEqual([e.kind, e.offset, e.msgType]);
    });
  }

  it('a peer number the run has no id for has no encoding: out-of-range, never a TypeError', () => {
    const registry = { ...ids, hasPeer: (p: number) => Number.isInteger(p) && p >= 0 && p < 10 };
    const msg: Message = { type: MsgType.Addr, entries: [{ ...entry, peer: 10 }] };
    expect(wireErr(() => encodeFrame(msg, registry)).detail).toMatch(/entry\.peer: 10 is not a peer number/);
    expect(wireErr(() => checkFields(msg, registry)).kind).toBe('out-of-range');
    expect(() => checkFields({ ...msg, entries: [{ ...entry, peer: 9 }] }, registry)).not.toThrow();
  });

  it('checkFields throws exactly when encodeFrame does (same kind and offset), on messages with one number made hostile', () => {
    const hostile = fc.constantFrom(-1, 0.5, NaN, Infinity, 256, 65_536, 2 ** 32, 2 ** 40, 2 ** 53);
    fc.assert(
      fc.property(messageArbitrary(), hostile, fc.nat(), (m, bad, pick) => {
        const paths = numberPaths(m);
        if (paths.length === 0) return;
        const msg = withNumber(m, paths[pick % paths.length], bad);
        let encodeErr: WireError | undefined;
        try {
          encodeFrame(msg, ids, undefined, BIG); // the frame limit is the sizer's own check, before checkFields
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
          encodeErr = e;
        }
        let checkErr: WireError | undefined;
        try {
          checked(msg);
        } catch (e) {
          if (!(e instanceof WireError)) throw e;
          checkErr = e;
        }
        expect(checkErr === undefined).toBe(encodeErr === undefined);
        if (encodeErr && checkErr) expect([checkErr.kind, checkErr.offset]).toEqual([encodeErr.kind, encodeErr.offset]);
      }),
      { numRuns: 2000 },
    );
  });

  it('strings at their bounds are accepted, one byte more is not', () => {
    expect(encodedSize({ type: MsgType.Disconnect, code: 1, reason: 'x'.repeat(MAX_REASON_BYTES) })).toBe(5 + 2 + MAX_REASON_BYTES);
    expect(kindOf(() => encodedSize({ type: MsgType.Disconnect, code: 1, reason: 'x'.repeat(MAX_REASON_BYTES + 1) }))).toBe('too-many-items');
    const v = { type: MsgType.Version, protocolVersion: 1, services: 0, timestampUs: 0, nonce: 0, startHeight: 0, listen: { host: 0, port: 0 }, publicKey: hash() } as const;
    expect(kindOf(() => encodedSize({ ...v, userAgent: '😀'.repeat(MAX_USER_AGENT_BYTES / 4) + 'a' }))).toBe('too-many-items');
  });
});
