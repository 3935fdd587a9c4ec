import { describe, expect, it } from 'vitest';
import { RngStreams } from '../engine/rng.ts';
import { ConstantLatency } from '../net/latency.ts';
import { World } from '../net/world.ts';
import { ScriptedPeer } from '../testing/scripted-peer.ts';
import { Churn, gammaFn, sessionLength, weibullCdf } from './churn.ts';
import { churnSchema } from './schema/underlay.ts';

/** Kolmogorov–Smirnov statistic of a sample against a CDF. */
function ks(sample: number[], cdf: (x: number) => number): number {
  const s = [...sample].sort((a, b) => a - b);
  let d = 0;
  s.forEach((x, i) => {
    const f = cdf(x);
    d = Math.max(d, Math.abs(f - i / s.length), Math.abs((i + 1) / s.length - f));
  });
  return d;
}
/** Critical value at α = 0.001 (the tests run fixed seeds; a tight level keeps them robust to stream changes). */
const ksLimit = (n: number) => 1.95 / Math.sqrt(n);
const draws = (n: number, f: () => number) => Array.from({ length: n }, f);

describe('session lengths', () => {
  const n = 5000;
  it('Weibull draws follow the Weibull CDF (KS)', () => {
    for (const [k, lambda] of [
      [0.5, 600],
      [0.34, 60],
      [1.5, 10],
    ]) {
      const s = sessionLength({ dist: 'weibull', shape: k, scaleS: lambda });
      const r = new RngStreams(11).stream('scenario/churn/sessions');
      expect(ks(draws(n, () => s.draw(r)), (x) => weibullCdf(x, k, lambda)), `k=${k}`).toBeLessThan(ksLimit(n));
      expect(s.meanS).toBeCloseTo(lambda * gammaFn(1 + 1 / k), 6);
    }
    expect(gammaFn(5)).toBeCloseTo(24, 9);
  });

  it('Pareto and exponential draws follow their CDFs (KS)', () => {
    const r = new RngStreams(12).stream('s');
    const p = sessionLength({ dist: 'pareto', alpha: 1.8, minS: 30 });
    expect(ks(draws(n, () => p.draw(r)), (x) => (x < 30 ? 0 : 1 - (30 / x) ** 1.8))).toBeLessThan(ksLimit(n));
    const e = sessionLength({ dist: 'exponential', meanS: 50 });
    expect(ks(draws(n, () => e.draw(r)), (x) => 1 - Math.exp(-x / 50))).toBeLessThan(ksLimit(n));
  });

  it('residual lifetimes follow the equilibrium distribution (Weibull k = 0.5: F(x) = 1 − e^−√x (1 + √x))', () => {
    const s = sessionLength({ dist: 'weibull', shape: 0.5, scaleS: 1 });
    const r = new RngStreams(13).stream('s');
    expect(ks(draws(n, () => s.residual(r)), (x) => 1 - Math.exp(-Math.sqrt(x)) * (1 + Math.sqrt(x)))).toBeLessThan(ksLimit(n));
    // Pareto(α, xm) residual, checked through its mean E[S²] / 2E[S] = xm (α − 1) / (2 (α − 2)) = 0.75 for α = 4.
    const p = sessionLength({ dist: 'pareto', alpha: 4, minS: 1 });
    const mean = draws(50_000, () => p.residual(r)).reduce((a, b) => a + b, 0) / 50_000;
    expect(mean).toBeGreaterThan(0.72);
    expect(mean).toBeLessThan(0.78);
  });
});

function churnWorld(cfg: Record<string, unknown>, initial: number, endS: number, seed = 1) {
  const world = new World<string>({ rng: new RngStreams(seed), latency: new ConstantLatency(10), sizer: { typeOf: () => 0, sizeOf: () => 1, typeName: () => 'x' } });
  const arrivalsAt: number[] = [];
  const add = (at: number) => {
    const a = world.addHost((ctx) => new ScriptedPeer(ctx.io));
    world.startAt(a, at);
    return a;
  };
  const starts = Array.from({ length: initial }, () => 0);
  starts.forEach(() => add(0));
  const churn = new Churn(world as unknown as World<unknown>, churnSchema.parse(cfg), endS * 1e6, new RngStreams(seed), {
    spawn: (at) => (arrivalsAt.push(at), add(at)),
    departed: () => {},
  });
  churn.start(starts, 0);
  const up: number[] = [];
  for (let t = 10; t < endS; t += 10) {
    world.at(t * 1e6, (w) => {
      let n = 0;
      for (let h = 0; h < w.hostCount; h++) if (w.isUp(h)) n++;
      up.push(n);
    });
  }
  world.scheduler.run(endS * 1e6);
  return { churn, arrivalsAt, up };
}

describe('churn process', () => {
  it('arrivals are Poisson: exponential gaps (KS) and counts per window with variance ≈ mean', () => {
    const { arrivalsAt } = churnWorld({ arrivalsPerS: 2, maxArrivals: 100_000, initialPeers: 'forever', session: { dist: 'exponential', meanS: 1e6 } }, 0, 2000);
    expect(Math.abs(arrivalsAt.length - 4000)).toBeLessThan(4 * Math.sqrt(4000));
    const gaps = arrivalsAt.slice(1).map((t, i) => (t - arrivalsAt[i]) / 1e6);
    expect(ks(gaps, (x) => 1 - Math.exp(-2 * x))).toBeLessThan(ksLimit(gaps.length));
    const counts = new Array(200).fill(0);
    for (const t of arrivalsAt) counts[Math.floor(t / 10e6)]++;
    const mean = counts.reduce((a, b) => a + b, 0) / counts.length;
    const variance = counts.reduce((a, c) => a + (c - mean) ** 2, 0) / (counts.length - 1);
    expect(variance / mean).toBeGreaterThan(0.7);
    expect(variance / mean).toBeLessThan(1.3);
  });

  it('residual initial sessions + arrivals at N / E[S] hold the population steady (Little), and maxArrivals bounds it', () => {
    const session = { dist: 'weibull', shape: 0.5, scaleS: 150 }; // mean 300 s
    const { up, churn } = churnWorld({ arrivalsPerS: 200 / 300, maxArrivals: 100_000, session, crashShare: 0.5 }, 200, 1500, 3);
    const mean = up.reduce((a, b) => a + b, 0) / up.length;
    expect(mean).toBeGreaterThan(170);
    expect(mean).toBeLessThan(230);
    expect(Math.min(...up.slice(0, 10))).toBeGreaterThan(150); // no initial mass exodus: steady from the start
    const m = churn.metrics();
    expect(m.departuresCrash + m.departuresStop).toBeGreaterThan(800);
    expect(Math.abs(m.departuresCrash - m.departuresStop)).toBeLessThan(0.2 * (m.departuresCrash + m.departuresStop));
    expect(churnWorld({ arrivalsPerS: 5, maxArrivals: 30 }, 0, 100).arrivalsAt).toHaveLength(30);
  });
});
