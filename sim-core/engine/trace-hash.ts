/**
 * Rolling 64-bit trace hash over delivered events, kept as two independent
 * 32-bit lanes (murmur3-style multiply/rotate mixing with different constants)
 * so the hot path stays in int32 arithmetic instead of BigInt.
 *
 * Each event feeds six 32-bit words: time low, (time high ^ kind << 24), a, b, c, d.
 * Order matters: the same events in another order give another hash.
 */
const P1 = 0xcc9e2d51 | 0;
const P2 = 0x1b873593 | 0;
const Q1 = 0x85ebca6b | 0;
const Q2 = 0xc2b2ae35 | 0;
const TWO_32 = 4294967296;

export class TraceHash {
  private h1 = 0x243f6a88 | 0;
  private h2 = 0x85a308d3 | 0;
  private count = 0;

  /** Feeds one event. `time` is an integer ≥ 0 (µs); the others are int32. */
  event(time: number, kind: number, a: number, b: number, c: number, d: number): void {
    let h1 = this.h1;
    let h2 = this.h2;
    const lo = time % TWO_32 | 0;
    const hi = (time / TWO_32) | 0;
    h1 = mix(h1, lo, P1, P2);
    h2 = mix(h2, lo, Q1, Q2);
    h1 = mix(h1, hi ^ (kind << 24), P1, P2);
    h2 = mix(h2, hi ^ (kind << 24), Q1, Q2);
    h1 = mix(h1, a, P1, P2);
    h2 = mix(h2, a, Q1, Q2);
    h1 = mix(h1, b, P1, P2);
    h2 = mix(h2, b, Q1, Q2);
    h1 = mix(h1, c, P1, P2);
    h2 = mix(h2, c, Q1, Q2);
    h1 = mix(h1, d, P1, P2);
    h2 = mix(h2, d, Q1, Q2);
    this.h1 = h1;
    this.h2 = h2;
    this.count++;
  }

  get events(): number {
    return this.count;
  }

  /** 16 hex digits; finalised with an avalanche step so short traces differ widely. */
  hex(): string {
    const a = fmix(this.h1 ^ this.count) >>> 0;
    const b = fmix(this.h2 ^ Math.imul(this.count, 0x9e3779b1)) >>> 0;
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }
}

function mix(h: number, w: number, m1: number, m2: number): number {
  let k = Math.imul(w, m1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, m2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
