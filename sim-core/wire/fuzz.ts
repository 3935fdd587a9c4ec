/**
 * Seeded wire fuzzing shared by the tests and `npm run fuzz:wire`: a case is
 * a byte stream (garbage, or valid frames, mutated or not) cut into chunks;
 * checkCase feeds it to FrameDecoder and reports any property violation.
 * Randomness is an injected uniform source (seedrandom.alea in practice).
 */
import { FRAME_HEADER_BYTES, KAD_ID_BYTES, MAX_MAX_FRAME_BYTES, MIN_MAX_FRAME_BYTES, PEER_ID_BYTES } from './constants.ts';
import { decodePayload } from './decode.ts';
import { encodeFrame } from './encode.ts';
import { WIRE_ERROR_KINDS, WireError } from './errors.ts';
import { FrameDecoder } from './framing.ts';
import type { IdCodec } from './ids.ts';
import { MsgType, type Message } from './messages.ts';
import { randomMessage, type Rand } from './random-messages.ts';
import { BLOCK_FIXED_BYTES, encodedSize } from './sizes.ts';

export type { Rand } from './random-messages.ts';

const BIG = { maxFrameBytes: MAX_MAX_FRAME_BYTES };
const int = (r: Rand, n: number): number => Math.floor(r() * n);

/**
 * An IdCodec under which encoding is canonical: ids whose leading bytes are
 * zero are numeric (as numericIdCodec); any other id is interned above 2^32
 * and written back byte for byte. So re-encoding an accepted frame must
 * reproduce it exactly.
 */
export function exactIdCodec(): IdCodec {
  const tables = [new Map<string, number>(), new Map<string, number>()];
  const bytesOf: Uint8Array[][] = [[], []];
  const read = (k: 0 | 1, b: Uint8Array, o: number, len: number): number => {
    let zero = true;
    for (let i = 0; i < len - 4 && zero; i++) zero = b[o + i] === 0;
    const tail = ((b[o + len - 4] << 24) | (b[o + len - 3] << 16) | (b[o + len - 2] << 8) | b[o + len - 1]) >>> 0;
    if (zero) return tail;
    let key = '';
    for (let i = 0; i < len; i++) key += String.fromCharCode(b[o + i]);
    let n = tables[k].get(key);
    if (n === undefined) {
      n = 2 ** 32 * (k + 1) + bytesOf[k].length;
      tables[k].set(key, n);
      bytesOf[k].push(b.slice(o, o + len));
    }
    return n;
  };
  const write = (k: 0 | 1, p: number, out: Uint8Array, o: number, len: number): void => {
    if (p >= 2 ** 32) {
      out.set(bytesOf[k][p - 2 ** 32 * (k + 1)], o);
      return;
    }
    out.fill(0, o, o + len - 4);
    out[o + len - 4] = p >>> 24;
    out[o + len - 3] = p >>> 16;
    out[o + len - 2] = p >>> 8;
    out[o + len - 1] = p;
  };
  const interned = (k: 0 | 1, p: number): boolean => p >= 2 ** 32 * (k + 1) && p < 2 ** 32 * (k + 1) + bytesOf[k].length;
  return {
    hasPeer: (p) => p >>> 0 === p || (Number.isInteger(p) && (interned(0, p) || interned(1, p))),
    writePeerId: (p, out, o) => write(0, p, out, o, PEER_ID_BYTES),
    readPeerId: (b, o) => read(0, b, o, PEER_ID_BYTES),
    writeKadId: (p, out, o) => write(1, p, out, o, KAD_ID_BYTES),
    readKadId: (b, o) => read(1, b, o, KAD_ID_BYTES),
  };
}

/** Modes and their relative weights ('every-boundary' decodes once per split, so it is rarer). */
const MODE_WEIGHTS = {
  garbage: 10,
  structured: 15,
  valid: 10,
  bitflip: 15,
  overwrite: 10,
  truncate: 8,
  splice: 8,
  length: 10,
  oversized: 8,
  'every-boundary': 1,
} as const;
export type FuzzMode = keyof typeof MODE_WEIGHTS;
export const FUZZ_MODES = Object.keys(MODE_WEIGHTS) as FuzzMode[];
const MODE_TABLE: FuzzMode[] = FUZZ_MODES.flatMap((m) => new Array<FuzzMode>(MODE_WEIGHTS[m]).fill(m));

export interface FuzzCase {
  mode: FuzzMode;
  stream: Uint8Array;
  /** Ascending chunk boundaries in [0, stream.length]; repeats make empty chunks. */
  cuts: number[];
  maxFrameBytes: number;
  /** For unmutated streams: the messages every chunking must yield, with no error. */
  expected: Message[] | null;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  n = 0;
  for (const p of parts) {
    out.set(p, n);
    n += p.length;
  }
  return out;
}

function noiseBytes(r: Rand, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 256);
  return b;
}

/** 1–4 messages that fit `maxFrameBytes`, encoded back to back. */
function validStream(r: Rand, maxFrameBytes: number, ids: IdCodec): { stream: Uint8Array; messages: Message[]; starts: number[] } {
  const messages: Message[] = [];
  const frames: Uint8Array[] = [];
  const starts: number[] = [];
  let at = 0;
  const count = 1 + int(r, 4);
  for (let i = 0; i < count; i++) {
    const m = randomMessage(r, r() < 0.03);
    const f = encodeFrame(m, ids, undefined, BIG);
    if (f.length > maxFrameBytes) continue;
    messages.push(m);
    frames.push(f);
    starts.push(at);
    at += f.length;
  }
  return { stream: concat(frames), messages, starts };
}

function randomCuts(r: Rand, len: number, starts: number[]): number[] {
  const pick = r();
  const cuts: number[] = [];
  if (pick < 0.2) return cuts; // one chunk
  if (pick < 0.3 && len <= 4096) {
    for (let i = 1; i < len; i++) cuts.push(i); // byte by byte
    return cuts;
  }
  if (pick < 0.5 && starts.length > 0) {
    for (const s of starts) cuts.push(Math.max(0, Math.min(len, s + int(r, 7) - 3))); // near frame boundaries
  } else {
    const k = 1 + int(r, 8);
    for (let i = 0; i < k; i++) cuts.push(int(r, len + 1));
  }
  return cuts.sort((a, b) => a - b);
}

const SPECIAL_BYTES = [0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x20];

export function makeCase(r: Rand): FuzzCase {
  const mode = MODE_TABLE[int(r, MODE_TABLE.length)];
  const maxFrameBytes = r() < 0.7 ? 64 * 1024 : r() < 0.5 ? MIN_MAX_FRAME_BYTES : MIN_MAX_FRAME_BYTES + int(r, 8 * 1024);
  const ids = exactIdCodec();
  if (mode === 'garbage') {
    const stream = noiseBytes(r, int(r, r() < 0.9 ? 64 : 1024));
    return { mode, stream, cuts: randomCuts(r, stream.length, []), maxFrameBytes, expected: null };
  }
  if (mode === 'structured' || mode === 'oversized') {
    // A plausible (or, for 'oversized', too large) header of a known type, then random bytes.
    const types = Object.values(MsgType);
    const type = types[int(r, types.length)];
    const len = mode === 'oversized' ? maxFrameBytes - 3 + int(r, 1 << 20) : 1 + int(r, 200);
    const body = noiseBytes(r, Math.min(len - 1, int(r, 300)));
    const head = new Uint8Array([len >>> 24, len >>> 16, len >>> 8, len, type]);
    const stream = concat([head, body]);
    return { mode, stream, cuts: randomCuts(r, stream.length, [0]), maxFrameBytes, expected: null };
  }
  const { stream, messages, starts } = validStream(r, maxFrameBytes, ids);
  const s = stream;
  const n = s.length;
  if (mode === 'valid' || mode === 'every-boundary' || n === 0) {
    return { mode, stream: s, cuts: randomCuts(r, n, starts), maxFrameBytes, expected: messages };
  }
  let out = s;
  if (mode === 'bitflip') {
    for (let k = 1 + int(r, 4); k > 0; k--) s[int(r, n)] ^= 1 << int(r, 8);
  } else if (mode === 'overwrite') {
    for (let k = 1 + int(r, 3); k > 0; k--) s[int(r, n)] = r() < 0.7 ? SPECIAL_BYTES[int(r, SPECIAL_BYTES.length)] : int(r, 256);
  } else if (mode === 'truncate') {
    out = s.slice(0, int(r, n));
  } else if (mode === 'splice') {
    const at = int(r, n + 1);
    const k = 1 + int(r, 8);
    out = r() < 0.5 ? concat([s.subarray(0, at), noiseBytes(r, k), s.subarray(at)]) : concat([s.subarray(0, at), s.subarray(Math.min(n, at + k))]);
  } else {
    // 'length': tamper with one frame's length prefix.
    const at = starts[int(r, starts.length)];
    const cur = ((s[at] << 24) | (s[at + 1] << 16) | (s[at + 2] << 8) | s[at + 3]) >>> 0;
    const choices = [0, 1, cur - 1, cur + 1, cur + 1 + int(r, 64), maxFrameBytes - 4, maxFrameBytes - 3, 0xffff_ffff, int(r, 2 ** 32)];
    const v = choices[int(r, choices.length)] >>> 0;
    s[at] = v >>> 24;
    s[at + 1] = v >>> 16;
    s[at + 2] = v >>> 8;
    s[at + 3] = v;
  }
  return { mode, stream: out, cuts: randomCuts(r, out.length, starts), maxFrameBytes, expected: null };
}

interface Outcome {
  messages: Message[];
  error: WireError | undefined;
  buffered: number;
  /** Stream offsets of frames the IdCodec refused ('id-limit': dropped, the stream goes on). */
  dropped: number[];
}

/** Feeds `stream` cut at `cuts`; returns the outcome or a failure string. */
function feed(stream: Uint8Array, cuts: readonly number[], maxFrameBytes: number, ids: IdCodec): Outcome | string {
  const dec = new FrameDecoder(ids, { maxFrameBytes });
  const messages: Message[] = [];
  const dropped: number[] = [];
  let error: WireError | undefined;
  let prev = 0;
  for (let k = 0; k <= cuts.length; k++) {
    const end = k < cuts.length ? cuts[k] : stream.length;
    let res;
    try {
      res = dec.push(stream.subarray(prev, end));
    } catch (e) {
      return `push threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    }
    prev = end;
    if (dec.bufferCapacity > maxFrameBytes || dec.bufferedBytes > maxFrameBytes) {
      return `buffer over limit: capacity ${dec.bufferCapacity}, buffered ${dec.bufferedBytes}, max ${maxFrameBytes}`;
    }
    if (error !== undefined) {
      if (res.error !== error || res.messages.length > 0) return 'decoder not poisoned after an error';
      continue;
    }
    for (const m of res.messages) messages.push(m);
    for (const d of res.dropped) dropped.push(d);
    error = res.error;
    if (error !== undefined) {
      if (!(error instanceof WireError) || !WIRE_ERROR_KINDS.includes(error.kind)) return `bad error ${String(error)}`;
      if (!(error.offset >= 0 && error.offset <= stream.length)) return `error offset ${error.offset} outside the stream`;
    }
  }
  if (error?.kind === 'id-limit') return 'an id-limit error poisoned the stream instead of dropping the frame';
  return { messages, error, buffered: dec.bufferedBytes, dropped };
}

function sameOutcome(a: Outcome, b: Outcome): boolean {
  return (
    a.messages.length === b.messages.length &&
    a.error?.kind === b.error?.kind &&
    a.error?.offset === b.error?.offset &&
    a.buffered === b.buffered &&
    a.dropped.join() === b.dropped.join()
  );
}

/** Every accepted frame must be exactly what its message re-encodes to (block bodies aside). */
function checkCanonical(c: FuzzCase, o: Outcome, ids: IdCodec): string | null {
  let at = 0;
  const s = c.stream;
  const lenAt = (p: number) => ((s[p] << 24) | (s[p + 1] << 16) | (s[p + 2] << 8) | s[p + 3]) >>> 0;
  for (const m of o.messages) {
    while (o.dropped.includes(at)) at += 4 + lenAt(at); // a dropped frame has no message
    const len = lenAt(at);
    const frame = s.subarray(at, at + 4 + len);
    at += 4 + len;
    let again: Uint8Array;
    try {
      if (encodedSize(m) !== frame.length) return `encodedSize ${encodedSize(m)} ≠ frame ${frame.length} (type ${m.type})`;
      again = encodeFrame(m, ids, undefined, c);
      decodePayload(m.type, again, FRAME_HEADER_BYTES, again.length, ids, c);
    } catch (e) {
      return `re-encoding a decoded type ${m.type} threw ${String(e)}`;
    }
    const cmp = m.type === MsgType.Block ? FRAME_HEADER_BYTES + BLOCK_FIXED_BYTES : frame.length;
    for (let i = 0; i < cmp; i++) if (again[i] !== frame[i]) return `round-trip mismatch in type ${m.type} at byte ${i}`;
  }
  return null;
}

/**
 * Runs one case: returns null if every property holds, else what failed.
 * `makeIds` gives the IdCodec of each decoding (a fresh one each time, so a
 * stateful codec such as the production registry, whose table of unknown
 * ids may fill up, starts every chunking from the same state).
 */
export function checkCase(c: FuzzCase, makeIds: () => IdCodec = exactIdCodec): string | null {
  const ids = makeIds();
  const whole = feed(c.stream, [], c.maxFrameBytes, ids);
  if (typeof whole === 'string') return whole;
  const canon = checkCanonical(c, whole, ids);
  if (canon !== null) return canon;
  if (c.expected !== null) {
    if (whole.error !== undefined) return `valid stream rejected: ${whole.error.message}`;
    if (whole.messages.length + whole.dropped.length !== c.expected.length || whole.buffered !== 0) return `valid stream gave ${whole.messages.length} of ${c.expected.length} messages`;
  }
  const splits = c.mode === 'every-boundary' && c.stream.length <= 2048 ? c.stream.length + 1 : 1;
  for (let k = 0; k < splits; k++) {
    const cuts = c.mode === 'every-boundary' ? [k] : c.cuts;
    const fresh = makeIds();
    const got = feed(c.stream, cuts, c.maxFrameBytes, fresh);
    if (typeof got === 'string') return got;
    if (!sameOutcome(got, whole)) return `chunking [${cuts.join(',')}] changed the outcome`;
    const canonGot = checkCanonical(c, got, fresh); // same frames ⇒ same messages
    if (canonGot !== null) return `chunking [${cuts.join(',')}]: ${canonGot}`;
  }
  return null;
}
