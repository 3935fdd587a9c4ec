import type { Rng } from '../../engine/rng.ts';
import { pairHash, type LatencyModel } from '../latency.ts';
import { RTT_SOURCES, type GeoDataset } from './dataset.ts';
import { HALF_NORMAL_TABLE, QUANTILE_CELLS } from './half-normal.ts';

export interface GeoLatencyOptions {
  /** Salt of the stable per-host-pair component (draw it from `net/latency-salt`). */
  salt: number;
  /**
   * Half-width of the stable per-host-pair offset, as a fraction of the
   * city pair's one-way room: the smallest of avg − min, max − avg and
   * 20% of avg, over both directions. Default 0.5 (so at most ±10%); 0 = off.
   */
  stableFraction?: number;
  /** Per-packet jitter from the pair's mdev (default true). */
  jitter?: boolean;
}

const STRIDE = 8;
const MID = 0;
const LO = 1;
const HI = 2;
const SD = 3;
const WIDTH = 4;

/**
 * One-way delay between hosts placed in cities of a GeoDataset:
 *   centre = RTT_avg/2 of (city(from), city(to)) + stable offset of the host pair
 *   draw   = centre + split-normal jitter, clamped to [RTT_min/2, RTT_max/2].
 * The jitter is a half-normal below the centre with sd_down and one above with
 * sd_up, each capped at half its room to the bound; the upper branch is taken
 * with probability sd_down / (sd_down + sd_up), which keeps the mean at the
 * centre, so simulated RTTs average to the measured ones. Target sd is
 * mdev/√2 per direction (two independent legs make one RTT).
 */
export class GeoLatency implements LatencyModel {
  private readonly n: number;
  private readonly hosts: number;
  private readonly salt: number;
  private readonly jitter: boolean;
  /**
   * Per ordered city pair k = a * n + b, at [k * 8 ...]: centre, lower and
   * upper bound, jitter sd, stable half-width (µs). One 32-byte record per
   * pair, so a packet touches one cache line; bounds are whole µs < 2^24, exact in float32.
   */
  private readonly pairs: Float32Array;
  private readonly summary: string;
  private readonly quantiles = HALF_NORMAL_TABLE;

  constructor(
    readonly dataset: GeoDataset,
    /** City index per host (e.g. HostGeo.city); hosts are 0..length-1. */
    readonly hostCity: Int32Array,
    options: GeoLatencyOptions,
  ) {
    const n = (this.n = dataset.n);
    this.hosts = hostCity.length;
    this.salt = options.salt >>> 0;
    this.jitter = options.jitter ?? true;
    const fraction = options.stableFraction ?? 0.5;
    if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`stableFraction must be in [0, 1], got ${fraction}`);
    for (let h = 0; h < this.hosts; h++) {
      if (!(hostCity[h] >= 0 && hostCity[h] < n)) throw new RangeError(`host ${h}: city index ${hostCity[h]} out of range`);
    }
    const p = (this.pairs = new Float32Array(n * n * STRIDE));
    for (let k = 0; k < n * n; k++) {
      // Measured bounds are whole µs (centi-ms × 5); the epsilon absorbs float noise.
      let lo = Math.max(1, Math.ceil(dataset.minMs[k] * 500 - 1e-6));
      let hi = Math.max(1, Math.floor(dataset.maxMs[k] * 500 + 1e-6));
      if (lo > hi) lo = hi = Math.max(1, Math.round(dataset.avgMs[k] * 500));
      p[k * STRIDE + LO] = lo;
      p[k * STRIDE + HI] = hi;
      p[k * STRIDE + MID] = Math.min(hi, Math.max(lo, dataset.avgMs[k] * 500));
      p[k * STRIDE + SD] = (dataset.mdevMs[k] * 1000) / Math.SQRT2;
    }
    const room = (k: number) => Math.min(p[k * STRIDE + MID] - p[k * STRIDE + LO], p[k * STRIDE + HI] - p[k * STRIDE + MID], 0.2 * p[k * STRIDE + MID]);
    for (let a = 0; a < n; a++) {
      for (let b = a; b < n; b++) {
        // Symmetric, so a host pair gets the same offset both ways.
        const w = fraction * Math.min(room(a * n + b), room(b * n + a));
        p[(a * n + b) * STRIDE + WIDTH] = p[(b * n + a) * STRIDE + WIDTH] = w;
      }
    }
    this.summary = this.describeUse(fraction);
  }

  oneWayUs(from: number, to: number, rng: Rng): number {
    if (from >= this.hosts || to >= this.hosts) throw new RangeError(`GeoLatency: host ${from >= this.hosts ? from : to} was not placed (${this.hosts} hosts)`);
    const p = this.pairs;
    const o = (this.hostCity[from] * this.n + this.hostCity[to]) * STRIDE;
    const lo = p[o + LO];
    const hi = p[o + HI];
    let m = p[o + MID];
    const w = p[o + WIDTH];
    if (w > 0) m += w * (pairHash(from < to ? from : to, from < to ? to : from, this.salt) / 2147483648 - 1);
    let x = m;
    if (this.jitter) {
      const sd = p[o + SD];
      const down = Math.min(sd, (m - lo) * 0.5);
      const up = Math.min(sd, (hi - m) * 0.5);
      if (down + up > 0) {
        // One uniform picks the branch (down with probability up / (down + up))
        // and, rescaled within it, the |N(0,1)| quantile.
        const s = rng.next() * (down + up);
        const isDown = s < up;
        const t = (isDown ? s / up : (s - up) / down) * QUANTILE_CELLS;
        const i = t | 0;
        const q = this.quantiles;
        x = m + (isDown ? -down : up) * (q[i] + (t - i) * (q[i + 1] - q[i]));
      }
    }
    const us = Math.round(x);
    return (us < lo ? lo : us > hi ? hi : us) | 0; // a small integer (Smi): no boxing on return
  }

  /** The host pair's stable offset (µs, symmetric); oneWayUs inlines the same formula. */
  stableOffsetUs(from: number, to: number): number {
    const w = this.pairs[(this.hostCity[from] * this.n + this.hostCity[to]) * STRIDE + WIDTH];
    return w > 0 ? w * (pairHash(from < to ? from : to, from < to ? to : from, this.salt) / 2147483648 - 1) : 0;
  }

  /** [lower, upper] bound of oneWayUs for this host pair: the city pair's [min/2, max/2] in whole µs. */
  boundsUs(from: number, to: number): [number, number] {
    const o = (this.hostCity[from] * this.n + this.hostCity[to]) * STRIDE;
    return [this.pairs[o + LO], this.pairs[o + HI]];
  }

  describe(): string {
    return this.summary;
  }

  /** One line: hosts, cities, and how many city pairs in use come from each source. */
  private describeUse(fraction: number): string {
    const d = this.dataset;
    const hostsIn = new Int32Array(this.n);
    for (let h = 0; h < this.hosts; h++) hostsIn[this.hostCity[h]]++;
    const counts = [0, 0, 0, 0];
    let cities = 0;
    for (let a = 0; a < this.n; a++) {
      if (hostsIn[a] === 0) continue;
      cities++;
      for (let b = 0; b < this.n; b++) {
        if (hostsIn[b] > 0 && (a !== b || hostsIn[a] > 1)) counts[d.source[a * this.n + b]]++;
      }
    }
    const used = counts.map((c, i) => `${c} ${RTT_SOURCES[i]}`).join(', ');
    const fit = `${d.fit.interceptMs.toFixed(2)} ms + ${(d.fit.msPerKm * 1000).toFixed(2)} ms/1000 km`;
    return (
      `geo ${d.name}: ${this.hosts} hosts in ${cities} cities; ordered city pairs in use: ${used} ` +
      `(fitted = ${fit}; intra-city ${d.intraCity.avgMs} ms); stable offset ±${fraction} of room, ` +
      `${this.jitter ? 'jitter from mdev' : 'no jitter'}, within [min/2, max/2]`
    );
  }
}
