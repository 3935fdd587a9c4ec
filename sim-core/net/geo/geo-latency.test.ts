import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, RngStreams } from '../../engine/rng.ts';
import { ScriptedPeer } from '../../testing/scripted-peer.ts';
import { World } from '../world.ts';
import { wonderNetwork2018 } from './dataset.ts';
import { GeoLatency } from './geo-latency.ts';
import { halfNormalQuantile } from './half-normal.ts';
import { placeHosts } from './placement.ts';

const d = wonderNetwork2018();
const PER_CITY = 8;
/** PER_CITY hosts in every city: host h lives in city floor(h / PER_CITY). */
const hostCity = Int32Array.from({ length: d.n * PER_CITY }, (_, h) => Math.floor(h / PER_CITY));
const model = (salt = 7, opts = {}) => new GeoLatency(d, hostCity, { salt, ...opts });
const host = (name: string, i = 0) => d.cityIndex(name) * PER_CITY + i;

/** Mean RTT (ms) over every host pair of two cities, `trips` round trips each. */
function meanRttMs(m: GeoLatency, a: number, b: number, rng: Rng, trips: number): number {
  let sum = 0;
  for (let i = 0; i < PER_CITY; i++) {
    for (let j = 0; j < PER_CITY; j++) {
      const x = a * PER_CITY + i;
      const y = b * PER_CITY + j;
      for (let t = 0; t < trips; t++) sum += m.oneWayUs(x, y, rng) + m.oneWayUs(y, x, rng);
    }
  }
  return sum / (PER_CITY * PER_CITY * trips) / 1000;
}

describe('GeoLatency', () => {
  it('every draw is a whole µs ≥ 1 within the pair’s [min/2, max/2], for every ordered city pair', () => {
    const m = model();
    const rng = new Rng('bounds');
    const bad: string[] = [];
    for (let a = 0; a < d.n; a++) {
      for (let b = 0; b < d.n; b++) {
        const r = d.rtt(a, b);
        for (let t = 0; t < 6; t++) {
          const us = m.oneWayUs(a * PER_CITY + t % PER_CITY, b * PER_CITY + (t * 3) % PER_CITY, rng);
          if (!(Number.isInteger(us) && us >= 1 && us >= r.minMs * 500 - 1e-6 && us <= r.maxMs * 500 + 1e-6)) bad.push(`${a}->${b}: ${us}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it('bounds hold for any seed, salt and host pair (property)', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat({ max: hostCity.length - 1 }), fc.nat({ max: hostCity.length - 1 }), (seed, salt, x, y) => {
        const m = model(salt);
        const rng = new RngStreams(seed).stream('net/latency');
        const [lo, hi] = m.boundsUs(x, y);
        const r = d.rtt(hostCity[x], hostCity[y]);
        expect(lo).toBeGreaterThanOrEqual(r.minMs * 500 - 1e-6);
        expect(hi).toBeLessThanOrEqual(r.maxMs * 500 + 1e-6);
        for (let t = 0; t < 200; t++) {
          const us = m.oneWayUs(x, y, rng);
          expect(us >= lo && us <= hi && Number.isInteger(us)).toBe(true);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('the stable per-host-pair component is symmetric, bounded and salt-dependent', () => {
    const a = model(11);
    const fixed = model(11, { jitter: false });
    fc.assert(
      fc.property(fc.nat({ max: hostCity.length - 1 }), fc.nat({ max: hostCity.length - 1 }), (x, y) => {
        const off = a.stableOffsetUs(x, y);
        expect(off).toBe(a.stableOffsetUs(y, x));
        const k = hostCity[x] * d.n + hostCity[y];
        const [lo, hi] = a.boundsUs(x, y);
        const mid = d.avgMs[k] * 500;
        expect(Math.abs(off)).toBeLessThanOrEqual(0.5 * Math.min(mid - lo, hi - mid, 0.2 * mid) + 1e-3);
        // Without jitter a host pair always gets centre + its offset.
        const us = fixed.oneWayUs(x, y, new Rng('unused'));
        expect(Math.abs(us - (Math.fround(mid) + off))).toBeLessThanOrEqual(0.5 + 1e-6);
      }),
    );
    const [x, y] = [host('Paris'), host('Tokyo', 1)];
    expect(a.stableOffsetUs(x, y)).not.toBe(model(12).stableOffsetUs(x, y));
    expect(model(11, { stableFraction: 0 }).stableOffsetUs(x, y)).toBe(0);
  });

  it('same seed ⇒ same draws; another seed ⇒ other draws', () => {
    fc.assert(
      fc.property(fc.nat(), fc.array(fc.tuple(fc.nat({ max: hostCity.length - 1 }), fc.nat({ max: hostCity.length - 1 })), { minLength: 20, maxLength: 50 }), (seed, pairs) => {
        const run = (s: number) => {
          const m = model(3);
          const rng = new RngStreams(s).stream('net/latency');
          return pairs.map(([x, y]) => m.oneWayUs(x, y, rng));
        };
        expect(run(seed)).toEqual(run(seed));
      }),
      { numRuns: 30 },
    );
    const m = model();
    const draws = (seed: number) => {
      const rng = new RngStreams(seed).stream('net/latency');
      return Array.from({ length: 20 }, () => m.oneWayUs(host('Paris'), host('New York'), rng));
    };
    expect(draws(1)).not.toEqual(draws(2));
  });

  it('reproduces the dataset: mean simulated RTT within 5% of the measured average on 240 city pairs', () => {
    const m = model(5);
    const pick = new Rng('sample');
    const rng = new Rng('trips');
    let worst = 0;
    for (let s = 0; s < 240; s++) {
      let a: number;
      let b: number;
      do {
        a = pick.int(d.n);
        b = pick.int(d.n);
      } while (a === b || d.source[a * d.n + b] !== 0 || d.source[b * d.n + a] !== 0);
      // Both directions measured: a round trip is one leg each way, so it averages the two.
      const measured = (d.avgMs[a * d.n + b] + d.avgMs[b * d.n + a]) / 2;
      worst = Math.max(worst, Math.abs(meanRttMs(m, a, b, rng, 20) / measured - 1));
    }
    expect(worst).toBeLessThan(0.05); // 1.2% at this seed (Palermo–Des Moines: mdev 156 ms)
  });

  it('fallback pairs (reverse only, neither direction, same city) keep bounds and means', () => {
    const m = model(9);
    const rng = new Rng('fallbacks');
    for (const [p, q, source] of [['Hangzhou', 'Adelaide', 'reverse'], ['Missoula', 'Paris', 'fitted'], ['Fez', 'Toledo', 'fitted'], ['Tokyo', 'Tokyo', 'intra-city']] as const) {
      const [a, b] = [d.cityIndex(p), d.cityIndex(q)];
      const r = d.rtt(a, b);
      expect(r.source).toBe(source);
      expect(Math.abs(meanRttMs(m, a, b, rng, 50) / r.avgMs - 1), `${p}–${q}`).toBeLessThan(0.05);
      const [lo, hi] = m.boundsUs(a * PER_CITY, b * PER_CITY + 1);
      expect([lo >= r.minMs * 500 - 1e-6, hi <= r.maxMs * 500 + 1e-6]).toEqual([true, true]);
    }
  });

  it('jitter spread follows mdev where the bounds leave room', () => {
    const m = model(1, { stableFraction: 0 });
    const rng = new Rng('spread');
    const [a, b] = [d.cityIndex('Adelaide'), d.cityIndex('Albuquerque')]; // avg 212.65, min 208.84, max 255.71, mdev 10.05
    const xs = Array.from({ length: 40_000 }, () => m.oneWayUs(a * PER_CITY, b * PER_CITY, rng));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean / (d.avgMs[a * d.n + b] * 500) - 1)).toBeLessThan(0.005);
    // Capped below at (avg − min)/4 = 0.95 ms, target above 10.05/√2 = 7.1 ms: sd = √(down·up) ≈ 2.6 ms.
    expect(sd / 1000).toBeGreaterThan(2.0);
    expect(sd / 1000).toBeLessThan(3.2);
  });

  it('the half-normal table matches |N(0,1)|', () => {
    expect(halfNormalQuantile(0)).toBe(0);
    expect(halfNormalQuantile(0.5)).toBeCloseTo(0.6745, 3);
    expect(halfNormalQuantile(0.95)).toBeCloseTo(1.96, 2);
    let m1 = 0;
    let m2 = 0;
    const steps = 1 << 16;
    for (let i = 0; i < steps; i++) {
      const z = halfNormalQuantile((i + 0.5) / steps);
      m1 += z / steps;
      m2 += (z * z) / steps;
    }
    expect(m1).toBeCloseTo(Math.sqrt(2 / Math.PI), 2);
    expect(m2).toBeGreaterThan(0.98);
    expect(m2).toBeLessThan(1.01);
  });

  it('describes itself in one line with the fallback counts, and refuses unplaced hosts', () => {
    const geo = placeHosts(d, 2_000, new Rng('describe'));
    const line = new GeoLatency(d, geo.city, { salt: 1 }).describe();
    expect(line).not.toContain('\n');
    expect(line).toMatch(/^geo wondernetwork-2018: 2000 hosts in \d+ cities; ordered city pairs in use: \d+ measured, \d+ reverse, \d+ fitted, \d+ intra-city \(fitted = [\d.]+ ms \+ [\d.]+ ms\/1000 km/);
    expect(() => model().oneWayUs(0, hostCity.length, new Rng('x'))).toThrow(/not placed/);
    expect(() => new GeoLatency(d, Int32Array.of(241), { salt: 1 })).toThrow(/out of range/);
  });

  it('drives a World: a dial from Paris to Tokyo connects after one measured round trip', () => {
    const paris = d.cityIndex('Paris');
    const tokyo = d.cityIndex('Tokyo');
    const latency = new GeoLatency(d, Int32Array.of(paris, tokyo), { salt: 1 });
    const sizer = { typeOf: () => 1, sizeOf: () => 1, typeName: () => 'x' };
    const world = new World<string>({ rng: new RngStreams(1), latency, sizer });
    let dialer!: ScriptedPeer<string>;
    world.addHost((ctx) => (dialer = new ScriptedPeer(ctx.io, (p, e) => e.ev === 'start' && p.io.dial(1))));
    world.addHost((ctx) => new ScriptedPeer(ctx.io));
    world.startAt(0, 0);
    world.startAt(1, 0);
    world.scheduler.run(10_000_000);
    const t = (dialer.seen.find((e) => e.ev === 'connected') as { t: number }).t;
    const lo = (d.minMs[paris * d.n + tokyo] + d.minMs[tokyo * d.n + paris]) * 500;
    const hi = (d.maxMs[paris * d.n + tokyo] + d.maxMs[tokyo * d.n + paris]) * 500;
    expect(t >= lo && t <= hi).toBe(true);
  });
});
