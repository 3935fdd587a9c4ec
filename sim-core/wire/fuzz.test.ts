import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { messageArbitrary } from './arbitraries.ts';
import { encodeFrame } from './codec.ts';
import { DEFAULT_MAX_FRAME_BYTES, MIN_MAX_FRAME_BYTES } from './constants.ts';
import { FrameDecoder } from './framing.ts';
import { checkCase, makeCase, type FuzzCase, type FuzzMode } from './fuzz.ts';
import { numericIdCodec as ids } from './ids.ts';
import { MsgType, type Message } from './messages.ts';

/**
 * Hostile input: > 100,000 cases per run in total (fast-check properties plus
 * the seeded fuzzer of `npm run fuzz:wire`). checkCase asserts: push never
 * throws, errors are WireErrors inside the stream, the buffer stays within
 * maxFrameBytes, a poisoned decoder stays poisoned, chunking never changes the
 * outcome, and every accepted frame is exactly its message's re-encoding.
 */
const limit = fc.constantFrom(DEFAULT_MAX_FRAME_BYTES, MIN_MAX_FRAME_BYTES, 1500);
const rawCuts = fc.array(fc.nat(), { maxLength: 8 });
const toCuts = (raw: number[], len: number) => raw.map((x) => x % (len + 1)).sort((a, b) => a - b);

function assertCase(mode: FuzzMode, stream: Uint8Array, raw: number[], maxFrameBytes: number): void {
  const c: FuzzCase = { mode, stream, cuts: toCuts(raw, stream.length), maxFrameBytes, expected: null };
  expect(checkCase(c)).toBeNull();
}

const frames = fc.array(messageArbitrary(), { minLength: 1, maxLength: 4 }).map((ms) => {
  const parts = ms.map((m) => encodeFrame(m, ids));
  const stream = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    stream.set(p, at);
    at += p.length;
  }
  return { messages: ms, stream };
});

describe('FrameDecoder under hostile input', () => {
  it('random garbage in random chunks (30,000 cases)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), rawCuts, limit, (s, cuts, max) => assertCase('garbage', s, cuts, max)),
      { numRuns: 30_000 },
    );
  });

  it('a plausible header of a known type, then garbage (25,000 cases)', () => {
    const type = fc.constantFrom(...Object.values(MsgType));
    fc.assert(
      fc.property(type, fc.nat({ max: 300 }), fc.uint8Array({ maxLength: 300 }), rawCuts, (t, len, body, cuts) => {
        const s = new Uint8Array([0, 0, len >>> 8, len & 0xff, t, ...body.subarray(0, Math.max(0, len - 1))]);
        assertCase('structured', s, cuts, DEFAULT_MAX_FRAME_BYTES);
      }),
      { numRuns: 25_000 },
    );
  });

  it('valid frames with bit flips, overwrites and truncations (20,000 cases)', () => {
    const edit = fc.record({ at: fc.nat(), bit: fc.nat({ max: 7 }), value: fc.option(fc.nat({ max: 255 })) });
    fc.assert(
      fc.property(frames, fc.array(edit, { minLength: 1, maxLength: 4 }), fc.option(fc.nat()), rawCuts, limit, ({ stream }, edits, cutTo, cuts, max) => {
        const s = stream.slice(0, cutTo === null ? stream.length : cutTo % (stream.length + 1));
        for (const e of edits) if (s.length > 0) s[e.at % s.length] = e.value ?? s[e.at % s.length] ^ (1 << e.bit);
        assertCase('bitflip', s, cuts, max);
      }),
      { numRuns: 20_000 },
    );
  });

  it('oversized length prefixes never allocate past the limit (5,000 cases)', () => {
    fc.assert(
      fc.property(limit, fc.nat({ max: 2 ** 32 - 1 }), fc.uint8Array({ maxLength: 64 }), rawCuts, (max, extra, tail, cuts) => {
        const len = Math.min(2 ** 32 - 1, max - 3 + extra);
        const s = new Uint8Array([len >>> 24, (len >>> 16) & 0xff, (len >>> 8) & 0xff, len & 0xff, ...tail]);
        assertCase('oversized', s, cuts, max);
        const d = new FrameDecoder(ids, { maxFrameBytes: max });
        expect(d.push(s).error?.kind).toBe('oversized-frame');
      }),
      { numRuns: 5_000 },
    );
  });

  it('valid frames re-chunked at every boundary give the same messages (300 streams)', () => {
    // Encoding is injective, so "re-encodes to the same stream" means "the same messages" (and is cheap).
    const reencoded = (ms: Message[]) => Buffer.concat(ms.map((m) => encodeFrame(m, ids)));
    const small = frames.filter((f) => f.stream.length <= 600); // O(length²) work per stream
    fc.assert(
      fc.property(small, ({ messages, stream }) => {
        for (let cut = 0; cut <= stream.length; cut++) {
          const d = new FrameDecoder(ids);
          const a = d.push(stream.subarray(0, cut));
          const b = d.push(stream.subarray(cut));
          if (a.error ?? b.error) throw a.error ?? b.error;
          if (!reencoded([...a.messages, ...b.messages]).equals(stream)) expect.fail(`split at ${cut} changed the messages`);
        }
        const d = new FrameDecoder(ids);
        const got = [];
        for (let i = 0; i < stream.length; i++) got.push(...d.push(stream.subarray(i, i + 1)).messages);
        expect(got).toEqual(messages);
      }),
      { numRuns: 300 },
    );
  });

  it('the seeded fuzzer of npm run fuzz:wire (25,000 cases)', () => {
    const rand = seedrandom.alea('peermap/fuzz-wire/ci');
    const failures: string[] = [];
    for (let i = 0; i < 25_000 && failures.length < 5; i++) {
      const c = makeCase(rand);
      const f = checkCase(c);
      if (f !== null) failures.push(`case ${i} (${c.mode}): ${f}`);
    }
    expect(failures, 'replay: npm run fuzz:wire -- --cases 25000 --seed ci').toEqual([]);
  });
});
