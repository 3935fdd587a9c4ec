/**
 * Rolling 64-bit trace hash over delivered events, kept as two coupled
 * 32-bit lanes so the hot path stays in int32 arithmetic instead of BigInt.
 * Each word is folded into one lane in FxHash style, `h = (rotl(h, r) ^ w) * K`
 * (lane 1 takes time low, a, c; lane 2 takes time high ^ kind, b, d), then the
 * lanes cross-feed rotated copies of each other; `hex()` finishes both lanes
 * with murmur3's avalanche so short traces still differ widely.
 *
 * Each event feeds six 32-bit words: time low, (time high ^ kind << 24), a, b, c, d.
 * Order matters: the same events in another order give another hash.
 */
export const TRACE_K1 = 0x9e3779b1 | 0;
export const TRACE_K2 = 0x85ebca77 | 0;
export const INV_2_32 = 1 / 4294967296;

/**
 * The hash state. `Scheduler.run` keeps h1/h2/count in locals and inlines the
 * same mixing as `event()` (a test holds the two in step); everything else
 * calls `event()`.
 */
export class TraceHash {
  h1 = 0x243f6a88 | 0;
  h2 = 0x85a308d3 | 0;
  count = 0;

  /** Feeds one event. `time` is an integer ≥ 0 (µs); the others are int32. */
  event(time: number, kind: number, a: number, b: number, c: number, d: number): void {
    const lo = time | 0; // ToInt32 keeps the low 32 bits of an integer < 2^53
    const hi = ((time * INV_2_32) | 0) ^ (kind << 24); // exact: scaling by a power of two
    let h1 = this.h1;
    let h2 = this.h2;
    // Three words per lane, then each lane absorbs a rotation of the other so
    // every word reaches both halves of the 64-bit state.
    h1 = Math.imul(((h1 << 5) | (h1 >>> 27)) ^ lo, TRACE_K1);
    h2 = Math.imul(((h2 << 7) | (h2 >>> 25)) ^ hi, TRACE_K2);
    h1 = Math.imul(((h1 << 5) | (h1 >>> 27)) ^ a, TRACE_K1);
    h2 = Math.imul(((h2 << 7) | (h2 >>> 25)) ^ b, TRACE_K2);
    h1 = Math.imul(((h1 << 5) | (h1 >>> 27)) ^ c, TRACE_K1);
    h2 = Math.imul(((h2 << 7) | (h2 >>> 25)) ^ d, TRACE_K2);
    const x = h1;
    h1 ^= (h2 << 16) | (h2 >>> 16);
    h2 ^= (x << 11) | (x >>> 21);
    this.h1 = h1;
    this.h2 = h2;
    this.count++;
  }

  get events(): number {
    return this.count;
  }

  /** 16 hex digits. */
  hex(): string {
    const a = fmix(this.h1 ^ this.count) >>> 0;
    const b = fmix(this.h2 ^ Math.imul(this.count, 0x9e3779b1)) >>> 0;
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
