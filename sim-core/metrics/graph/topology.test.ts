import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/rng.ts';
import { csrFromEdges, type CsrGraph } from './csr.ts';
import { pathStats } from './paths.ts';
import { randomOverlay } from './random-graph.ts';
import { topologyMetrics } from './topology.ts';

function fromPairs(n: number, pairs: [number, number][], alive?: number[]): CsrGraph {
  return csrFromEdges(
    n,
    Int32Array.from(pairs, (p) => p[0]),
    Int32Array.from(pairs, (p) => p[1]),
    pairs.length,
    alive && Uint8Array.from(alive),
  );
}
const path = (n: number) => fromPairs(n, Array.from({ length: n - 1 }, (_, i) => [i, i + 1] as [number, number]));
const complete = (n: number) => fromPairs(n, Array.from({ length: n * n }, (_, k) => [Math.floor(k / n), k % n] as [number, number]));

describe('topologyMetrics on graphs with known answers', () => {
  it('path of n nodes: average (n+1)/3, diameter n-1, no triangles', () => {
    const m = topologyMetrics(path(10));
    expect(m).toMatchObject({ nodes: 10, edges: 9, components: 1, lccFraction: 1, diameter: 9, pathsExact: true, bfsSources: 10 });
    expect(m.avgPathLength).toBeCloseTo(11 / 3, 12);
    expect(m.pathLengthHistogram).toEqual([0, 18, 16, 14, 12, 10, 8, 6, 4, 2]);
    expect(m.degree).toEqual({ min: 1, mean: 1.8, max: 2, histogram: [0, 2, 8] });
    expect([m.clustering, m.transitivity, m.meanOverlap, m.meanOverlapNormalised]).toEqual([0, 0, 0, 0]);
  });

  it('complete graph K6: clustering 1, overlap n-2, normalised 1', () => {
    const m = topologyMetrics(complete(6));
    expect(m).toMatchObject({ edges: 15, diameter: 1, avgPathLength: 1, clustering: 1, transitivity: 1, meanOverlap: 4, meanOverlapNormalised: 1 });
  });

  it('triangle with a pendant: degree-1 nodes count as 0 clustering and drop out of the normalised overlap', () => {
    // 0-1-2 triangle, 3 hangs off 2: C = (1 + 1 + 1/3 + 0) / 4; overlap pairs: 8, sum 2+2+2 = 6.
    const m = topologyMetrics(fromPairs(4, [[0, 1], [1, 2], [2, 0], [2, 3]]));
    expect(m.clustering).toBeCloseTo((1 + 1 + 1 / 3) / 4, 12);
    expect(m.transitivity).toBeCloseTo(3 / 5, 12);
    expect(m.meanOverlap).toBeCloseTo(6 / 8, 12);
    // Pairs from nodes of degree ≥ 2: 0→(1,2): 1,1; 1→(0,2): 1,1; 2→(0,1,3): ½,½,0.
    expect(m.meanOverlapNormalised).toBeCloseTo(5 / 7, 12);
  });

  it('dead nodes and their links are ignored; fractions are relative to live nodes', () => {
    // Path 0-1-2-3-4 with node 2 dead: components {0,1} and {3,4}, plus live isolated 5.
    const m = topologyMetrics(fromPairs(6, [[0, 1], [1, 2], [2, 3], [3, 4]], [1, 1, 0, 1, 1, 1]));
    expect(m).toMatchObject({ nodes: 5, edges: 2, components: 3, lccFraction: 2 / 5, diameter: 1, avgPathLength: 1, pathLengthHistogram: [0, 2] });
    expect(m.degree).toEqual({ min: 0, mean: 0.8, max: 1, histogram: [1, 4] });
  });

  it('empty and single-node graphs give zeros, never NaN', () => {
    for (const g of [fromPairs(0, []), fromPairs(1, []), fromPairs(3, [[0, 1]], [0, 0, 0])]) {
      const m = topologyMetrics(g);
      expect(JSON.parse(JSON.stringify(m))).toEqual(m);
      expect(m.avgPathLength).toBe(0);
      expect(m.lccFraction).toBe(g.n === 1 ? 1 : 0);
    }
  });
});

describe('sampling, options and determinism', () => {
  const g = randomOverlay(600, 6, new Rng('test/graph/overlay'));

  it('sampled figures are bounded by the exact ones and count k·(L−1) pairs', () => {
    const exact = pathStats(g);
    const s = pathStats(g, { exactThreshold: 100, samples: 40 }, new Rng('test/graph/sample'));
    expect(s).toMatchObject({ exact: false, sources: 40, lccSize: exact.lccSize });
    expect(s.histogram.reduce((a, b) => a + b, 0)).toBe(40 * (s.lccSize - 1));
    expect(s.diameter).toBeLessThanOrEqual(exact.diameter);
    expect(Math.abs(s.avgPathLength - exact.avgPathLength)).toBeLessThan(0.1);
    s.histogram.forEach((c, h) => expect(c).toBeLessThanOrEqual(exact.histogram[h]));
  });

  it('same graph + same seed ⇒ identical output; a different seed picks other sources', () => {
    const opts = { exactThreshold: 100, samples: 16 };
    const a = topologyMetrics(g, opts, new Rng('test/graph/seed-1'));
    const b = topologyMetrics(g, opts, new Rng('test/graph/seed-1'));
    const c = topologyMetrics(g, opts, new Rng('test/graph/seed-2'));
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(c.avgPathLength).not.toBe(a.avgPathLength);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it('samples ≥ LCC size measures exactly; sampling without an rng is an error', () => {
    expect(pathStats(g, { exactThreshold: 10, samples: 600 })).toMatchObject({ exact: true, sources: 600 });
    expect(() => topologyMetrics(g, { exactThreshold: 10 })).toThrow(/needs an rng/);
    expect(() => topologyMetrics(g, { samples: 0 })).toThrow(/samples/);
    expect(() => topologyMetrics(g, { exactThreshold: -1 })).toThrow(/exactThreshold/);
  });

  it('validates its input unless told not to', () => {
    const bad = { n: 2, offsets: Int32Array.of(0, 1, 1), targets: Int32Array.of(1) };
    expect(() => topologyMetrics(bad)).toThrow(/reverse/);
    expect(() => topologyMetrics(bad, { validate: false })).not.toThrow();
  });

  it('a 10,000-node overlay above the threshold is sampled with the default 256 sources', () => {
    const big = randomOverlay(10_000, 6, new Rng('test/graph/big'));
    const m = topologyMetrics(big, {}, new Rng('test/graph/big-sample'));
    expect(m).toMatchObject({ nodes: 10_000, pathsExact: false, bfsSources: 256, components: 1, lccFraction: 1 });
    expect(m.degree.mean).toBeGreaterThan(11.9);
    expect(m.avgPathLength).toBeGreaterThan(3);
    expect(m.avgPathLength).toBeLessThan(5);
  });
});
