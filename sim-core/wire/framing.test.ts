import { describe, expect, it } from 'vitest';
import { WireError, decodeFrame, encodeFrame, type WireErrorKind } from './codec.ts';
import { DEFAULT_MAX_FRAME_BYTES, MAX_MAX_FRAME_BYTES, MIN_MAX_FRAME_BYTES } from './constants.ts';
import { FrameDecoder } from './framing.ts';
import { numericIdCodec as ids } from './ids.ts';
import { MsgType, type Message } from './messages.ts';

/** A frame from a type and payload bytes, with the length computed unless given. */
function frame(type: number, payload: number[], len = payload.length + 1): Uint8Array {
  return new Uint8Array([len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff, type, ...payload]);
}
const u16 = (v: number) => [v >>> 8, v & 0xff];
const u32 = (v: number) => [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const zeros = (n: number) => new Array<number>(n).fill(0);
const ping = (nonce: number): Message => ({ type: MsgType.Ping, nonce });
const PING = [...encodeFrame(ping(42), ids)];

/** Expects `bytes` to be rejected with `kind` at `offset`, both by FrameDecoder and by decodeFrame. */
function rejects(bytes: Uint8Array, kind: WireErrorKind, offset: number, opts: { whole?: boolean } = {}): WireError {
  const res = new FrameDecoder(ids).push(bytes);
  expect(res.messages).toEqual([]);
  expect(res.error).toBeInstanceOf(WireError);
  expect([res.error?.kind, res.error?.offset]).toEqual([kind, offset]);
  if (opts.whole !== false) expect(() => decodeFrame(bytes, ids)).toThrow(expect.objectContaining({ kind, offset }));
  return res.error as WireError;
}

describe('each error kind, by hand', () => {
  it('oversized-frame: a length prefix past maxFrameBytes, detected from the 4 length bytes alone', () => {
    const e = rejects(new Uint8Array(u32(DEFAULT_MAX_FRAME_BYTES - 3)), 'oversized-frame', 0, { whole: false });
    expect(e.msgType).toBeUndefined();
    rejects(frame(MsgType.Ping, zeros(8), 0xffff_ffff), 'oversized-frame', 0);
    // The largest allowed frame is exactly maxFrameBytes long.
    expect(new FrameDecoder(ids).push(frame(MsgType.Ping, zeros(8), DEFAULT_MAX_FRAME_BYTES - 4)).error).toBeUndefined();
  });

  it('frame-too-small: a zero length has no room for the type', () => {
    rejects(new Uint8Array([0, 0, 0, 0, 3]), 'frame-too-small', 0, { whole: false });
  });

  it('unknown-type', () => {
    expect(rejects(frame(99, []), 'unknown-type', 4).msgType).toBe(99);
    rejects(frame(0, zeros(3)), 'unknown-type', 4);
  });

  it('truncated: a list whose count outruns the frame', () => {
    // addr: count 3, one 42-byte entry
    rejects(frame(MsgType.Addr, [...u16(3), ...zeros(42)]), 'truncated', 5);
    // a u53 cut short
    rejects(frame(MsgType.Ping, zeros(7)), 'truncated', 5);
    // a string length past the end
    rejects(frame(MsgType.Disconnect, [1, 10, 0x61]), 'truncated', 6);
  });

  it('bad-utf8: malformed, overlong and surrogate sequences', () => {
    for (const bad of [[0xc3, 0x28], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]]) {
      rejects(frame(MsgType.Reject, [1, 2, bad.length, ...bad]), 'bad-utf8', 8);
    }
  });

  it('out-of-range: u53 overflow, flags and hop', () => {
    const e = rejects(frame(MsgType.Ping, [0x00, 0x20, 0, 0, 0, 0, 0, 0]), 'out-of-range', 5);
    expect(e.msgType).toBe(MsgType.Ping);
    expect(decodeFrame(frame(MsgType.Ping, [0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), ids)).toEqual(ping(2 ** 53 - 1));
    // gm-directed route [a, b], hop 2
    rejects(frame(MsgType.GmDirected, [2, ...zeros(64), 2, 0, 1, 0, 0]), 'out-of-range', 5 + 1 + 64);
    // gm-sync with no entries and more = 2
    rejects(frame(MsgType.GmSync, [0, 0, 2]), 'out-of-range', 7);
  });

  it('too-many-items: counts and byte lengths over their bounds', () => {
    rejects(frame(MsgType.Inv, [...u16(1001), ...zeros(100)]), 'too-many-items', 5);
    rejects(frame(MsgType.KadNodes, [...u32(1), 65]), 'too-many-items', 9);
    rejects(frame(MsgType.Disconnect, [1, 112, ...zeros(112)]), 'too-many-items', 6);
  });

  it('bad-length: counts below their minimum', () => {
    rejects(frame(MsgType.GmEvents, u16(0)), 'bad-length', 5);
    rejects(frame(MsgType.GmDirected, [1, ...zeros(32), 0, 0, 0, 0, 0]), 'bad-length', 5);
  });

  it('trailing-bytes: a frame longer than its fields', () => {
    rejects(frame(MsgType.Ping, zeros(9)), 'trailing-bytes', 13);
    rejects(frame(MsgType.GetAddr, [0]), 'trailing-bytes', 5);
    expect(() => decodeFrame(new Uint8Array([...PING, 0]), ids)).toThrow(expect.objectContaining({ kind: 'trailing-bytes', offset: 13 }));
  });

  it('block bodies must fill the frame exactly', () => {
    const fixed = (body: number) => [...zeros(64), ...u32(7), ...zeros(32), ...zeros(8), ...u32(body)];
    expect(decodeFrame(frame(MsgType.Block, [...fixed(3), 0, 0, 0]), ids)).toMatchObject({ type: MsgType.Block, height: 7, bodyBytes: 3 });
    rejects(frame(MsgType.Block, [...fixed(4), 0, 0, 0]), 'truncated', 5 + 108);
    rejects(frame(MsgType.Block, [...fixed(2), 0, 0, 0]), 'trailing-bytes', 5 + 112 + 2);
    rejects(frame(MsgType.Block, [...fixed(0xffff_ffff)]), 'truncated', 5 + 108);
  });
});

describe('FrameDecoder', () => {
  it('reassembles frames split anywhere, and returns what completed before an error', () => {
    const stream = new Uint8Array([...PING, ...encodeFrame({ type: MsgType.GetAddr }, ids), ...PING]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder(ids);
      const a = d.push(stream.subarray(0, cut));
      const b = d.push(stream.subarray(cut));
      expect([...a.messages, ...b.messages]).toEqual([ping(42), { type: MsgType.GetAddr }, ping(42)]);
      expect(a.error ?? b.error).toBeUndefined();
      expect(d.bufferedBytes).toBe(0);
    }
    const d = new FrameDecoder(ids);
    const res = d.push(new Uint8Array([...PING, ...frame(99, [])]));
    expect(res.messages).toEqual([ping(42)]);
    expect([res.error?.kind, res.error?.offset]).toEqual(['unknown-type', 13 + 4]);
  });

  it('reports stream offsets across chunks and stays poisoned', () => {
    const d = new FrameDecoder(ids);
    expect(d.push(new Uint8Array(PING)).messages).toHaveLength(1);
    const bad = frame(MsgType.Ping, [0xff, ...zeros(7)]);
    expect(d.push(bad.subarray(0, 6)).error).toBeUndefined();
    const { error } = d.push(bad.subarray(6));
    expect([error?.kind, error?.offset]).toEqual(['out-of-range', 13 + 5]);
    const again = d.push(new Uint8Array(PING));
    expect(again.error).toBe(error);
    expect(again.messages).toEqual([]);
    expect(d.error).toBe(error);
    expect(d.bufferCapacity).toBe(0);
  });

  it('finish() reports a partial frame as truncated', () => {
    const d = new FrameDecoder(ids);
    d.push(new Uint8Array(PING.slice(0, 7)));
    expect(d.finish()).toMatchObject({ kind: 'truncated', offset: 7, msgType: MsgType.Ping });
    const clean = new FrameDecoder(ids);
    clean.push(new Uint8Array(PING));
    expect(clean.finish()).toBeUndefined();
  });

  it('grows its buffer with bytes received, not with the claimed length, and never past the limit', () => {
    const d = new FrameDecoder(ids, { maxFrameBytes: MAX_MAX_FRAME_BYTES });
    d.push(frame(MsgType.Block, zeros(10), MAX_MAX_FRAME_BYTES - 4));
    expect(d.error).toBeUndefined();
    expect(d.bufferCapacity).toBeLessThanOrEqual(256);

    const block: Message = { type: MsgType.Block, hash: new Uint8Array(32), parent: new Uint8Array(32), height: 1, origin: 2, minedAtUs: 3, bodyBytes: 100_000 };
    const bytes = encodeFrame(block, ids, undefined, { maxFrameBytes: 200_000 });
    const small = new FrameDecoder(ids, { maxFrameBytes: 200_000 });
    const got: Message[] = [];
    for (let i = 0; i < bytes.length; i += 1000) {
      got.push(...small.push(bytes.subarray(i, i + 1000)).messages);
      expect(small.bufferCapacity).toBeLessThanOrEqual(bytes.length);
    }
    expect(got).toEqual([block]);
    expect(small.bufferCapacity).toBe(0); // a one-off big buffer is released
  });

  it('validates maxFrameBytes', () => {
    expect(new FrameDecoder(ids).maxFrameBytes).toBe(DEFAULT_MAX_FRAME_BYTES);
    for (const bad of [MIN_MAX_FRAME_BYTES - 1, MAX_MAX_FRAME_BYTES + 1, 2000.5, NaN]) {
      expect(() => new FrameDecoder(ids, { maxFrameBytes: bad })).toThrow(RangeError);
    }
  });

  it('WireError is an Error with a readable message', () => {
    const e = new WireError('truncated', 'nonce: need 8 bytes', 12, 3);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('WireError');
    expect(e.message).toBe('truncated at 12 (type 3): nonce: need 8 bytes');
    expect(e.shifted(100)).toMatchObject({ kind: 'truncated', offset: 112, msgType: 3, detail: 'nonce: need 8 bytes' });
  });
});
