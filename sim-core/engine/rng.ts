import seedrandom from 'seedrandom';
import { detCos, detLog } from './det-math.ts';

/**
 * Seeded randomness. One master seed; every subsystem and peer draws from its
 * own named stream, so adding a draw to one stream never shifts another.
 *
 * Derivation (documented in README, "Randomness"): the stream named `name`
 * under master seed `S` is `seedrandom.alea("peermap/v1/" + S + "/" + name)`.
 * Alea hashes its whole seed string (Mash), so streams whose names differ in
 * any character are independent. Names are slash paths, e.g. `net/latency`,
 * `peer/17/protocol`, `scenario/placement`.
 */
export const RNG_DERIVATION_PREFIX = 'peermap/v1/';

export function streamSeed(masterSeed: number | string, name: string): string {
  return `${RNG_DERIVATION_PREFIX}${masterSeed}/${name}`;
}

/** A seeded random stream with the draws the simulator needs. */
export class Rng {
  private readonly prng: () => number;

  constructor(readonly seed: string) {
    this.prng = seedrandom.alea(seed);
  }

  /** Uniform float in [0, 1) with 32-bit resolution. */
  next(): number {
    return this.prng();
  }

  /** Uniform integer in [0, n). `n` must be a positive integer ≤ 2^32. */
  int(n: number): number {
    return Math.floor(this.prng() * n);
  }

  /** Uniform integer in [lo, hi], inclusive. */
  intBetween(lo: number, hi: number): number {
    return lo + Math.floor(this.prng() * (hi - lo + 1));
  }

  /** Uniform float in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + this.prng() * (hi - lo);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.prng() < p;
  }

  /** Exponential draw with the given mean. */
  exponential(mean: number): number {
    return -mean * detLog(1 - this.prng());
  }

  /** Standard normal draw (Box–Muller; uses two uniforms). */
  normal(mean = 0, sd = 1): number {
    const u = 1 - this.prng();
    const v = this.prng();
    return mean + sd * Math.sqrt(-2 * detLog(u)) * detCos(2 * Math.PI * v);
  }

  /** A uniformly chosen element; undefined for an empty array. */
  pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.int(items.length)];
  }

  /** In-place Fisher–Yates shuffle. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }

  /** A 32-bit unsigned integer (for nonces and ids). */
  uint32(): number {
    return (this.prng() * 4294967296) >>> 0;
  }
}

/** Factory of named streams under one master seed. */
export class RngStreams {
  constructor(readonly masterSeed: number | string) {}

  stream(name: string): Rng {
    return new Rng(streamSeed(this.masterSeed, name));
  }

  /** The stream of one subsystem of one peer: `peer/<index>/<subsystem>`. */
  peer(index: number, subsystem: string): Rng {
    return this.stream(`peer/${index}/${subsystem}`);
  }
}
