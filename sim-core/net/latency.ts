import type { Rng } from '../engine/rng.ts';
import { msToUs } from '../engine/time.ts';

/**
 * Pluggable one-way delay between two hosts. Implementations must be pure
 * functions of (from, to, their own configuration, the given stream), so the
 * same seed gives the same delays.
 */
export interface LatencyModel {
  /** One-way delay in integer µs for a packet from `from` to `to`. */
  oneWayUs(from: number, to: number, rng: Rng): number;
  /** One line for the run header. */
  describe(): string;
}

/** Every packet takes exactly the same time: the classroom model. */
export class ConstantLatency implements LatencyModel {
  private readonly us: number;
  constructor(readonly ms: number) {
    this.us = msToUs(ms);
  }
  oneWayUs(): number {
    return this.us;
  }
  describe(): string {
    return `constant ${this.ms} ms`;
  }
}

/**
 * Each unordered host pair gets a stable base delay, uniform in [minMs, maxMs]
 * (a hash of the pair and a salt, so no per-pair state is kept), plus an
 * optional per-packet jitter uniform in [0, jitterMs) drawn from the stream.
 */
export class UniformLatency implements LatencyModel {
  private readonly minUs: number;
  private readonly spanUs: number;
  private readonly jitterUs: number;
  constructor(
    readonly minMs: number,
    readonly maxMs: number,
    readonly jitterMs: number,
    private readonly salt: number,
  ) {
    this.minUs = msToUs(minMs);
    this.spanUs = msToUs(maxMs) - this.minUs;
    this.jitterUs = msToUs(jitterMs);
  }
  oneWayUs(from: number, to: number, rng: Rng): number {
    const lo = from < to ? from : to;
    const hi = from < to ? to : from;
    const u = pairHash(lo, hi, this.salt) / 4294967296;
    const base = this.minUs + Math.floor(u * (this.spanUs + 1));
    return this.jitterUs > 0 ? base + Math.floor(rng.next() * this.jitterUs) : base;
  }
  describe(): string {
    return `uniform per pair ${this.minMs}–${this.maxMs} ms` + (this.jitterMs > 0 ? ` + jitter < ${this.jitterMs} ms` : '');
  }
}

/** A well-mixed unsigned 32-bit hash of (a, b, salt). */
export function pairHash(a: number, b: number, salt: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b ^ 0x7f4a7c15, 0xc2b2ae35) ^ salt;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
