import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { largestConnectedComponentSubgraph } from 'graphology-components';
import diameter from 'graphology-metrics/graph/diameter';
import { Rng } from '../../engine/rng.ts';
import { csrFromEdges, type CsrGraph } from './csr.ts';
import { connectedComponents, largestComponentNodes } from './components.ts';
import { pathStats, sampleInPlace } from './paths.ts';
import { topologyMetrics } from './topology.ts';
import { referenceMetrics, toGraphology } from './graphology-reference.ts';

/**
 * graphology is the reference: on random small graphs (sparse to dense, with
 * and without dead nodes) every figure must match its result.
 */
const graphs = fc
  .record({ n: fc.integer({ min: 0, max: 40 }), density: fc.constantFrom(0.5, 1, 2, 4, 10) })
  .chain(({ n, density }) =>
    fc.record({
      n: fc.constant(n),
      edges: n === 0 ? fc.constant([] as [number, number][]) : fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: Math.ceil(density * n) }),
      mask: fc.option(fc.array(fc.boolean(), { minLength: n, maxLength: n }), { nil: undefined }),
    }),
  )
  .map(({ n, edges, mask }): CsrGraph => {
    const a = Int32Array.from(edges, (e) => e[0]);
    const b = Int32Array.from(edges, (e) => e[1]);
    return csrFromEdges(n, a, b, edges.length, mask && Uint8Array.from(mask, (x) => (x ? 1 : 0)));
  });

const RUNS = { numRuns: 300 };

describe('topology metrics match graphology on random graphs', () => {
  it('nodes, edges and degree', () => {
    fc.assert(
      fc.property(graphs, (g) => {
        const ref = referenceMetrics(toGraphology(g));
        const m = topologyMetrics(g);
        expect({ nodes: m.nodes, edges: m.edges, degree: m.degree }).toEqual({ nodes: ref.nodes, edges: ref.edges, degree: ref.degree });
      }),
      RUNS,
    );
  });

  it('components, their members and the LCC', () => {
    fc.assert(
      fc.property(graphs, (g) => {
        const ref = referenceMetrics(toGraphology(g));
        const c = connectedComponents(g);
        const sets: number[][] = c.sizes.map(() => []);
        for (let u = 0; u < g.n; u++) if (c.labels[u] >= 0) sets[c.labels[u]].push(u);
        expect(sets).toEqual(ref.componentSets);
        expect(c.count).toBe(ref.components);
        expect(c.largestSize).toBe(ref.lccSize);
        const lcc = Array.from(largestComponentNodes(g));
        if (lcc.length > 0) expect(ref.componentSets).toContainEqual(lcc);
        expect(lcc.length).toBe(ref.lccSize);
        const m = topologyMetrics(g);
        expect(m.components).toBe(ref.components);
        expect(m.lccFraction).toBe(ref.nodes ? ref.lccSize / ref.nodes : 0);
      }),
      RUNS,
    );
  });

  it('exact average path length, diameter and hop histogram within the LCC', () => {
    fc.assert(
      fc.property(graphs, (g) => {
        const G = toGraphology(g);
        const ref = referenceMetrics(G);
        const m = topologyMetrics(g);
        expect(m.pathsExact).toBe(true);
        expect(m.bfsSources).toBe(ref.lccSize);
        expect(m.avgPathLength).toBe(ref.avgPathLength);
        expect(m.diameter).toBe(ref.diameter);
        expect(m.pathLengthHistogram).toEqual(ref.pathLengthHistogram);
        if (ref.lccSize >= 2) expect(m.diameter).toBe(diameter(largestConnectedComponentSubgraph(G)));
      }),
      RUNS,
    );
  });

  it('clustering, transitivity and neighbour overlap', () => {
    fc.assert(
      fc.property(graphs, (g) => {
        const ref = referenceMetrics(toGraphology(g));
        const m = topologyMetrics(g);
        expect(m.clustering).toBeCloseTo(ref.clustering, 12);
        expect(m.transitivity).toBeCloseTo(ref.transitivity, 12);
        expect(m.meanOverlap).toBeCloseTo(ref.meanOverlap, 12);
        expect(m.meanOverlapNormalised).toBeCloseTo(ref.meanOverlapNormalised, 12);
      }),
      RUNS,
    );
  });

  it('sampled paths equal graphology BFS from the same sources', () => {
    fc.assert(
      fc.property(graphs, fc.integer({ min: 1, max: 12 }), fc.nat(1000), (g, samples, seed) => {
        const lccNodes = Array.from(largestComponentNodes(g));
        const ours = pathStats(g, { exactThreshold: 0, samples }, new Rng(`test/${seed}`));
        // The documented draw: partial Fisher–Yates over the LCC in index order.
        const rng = new Rng(`test/${seed}`);
        const ref = referenceMetrics(toGraphology(g), () => {
          if (lccNodes.length < 2 || samples >= lccNodes.length) return lccNodes.map(String);
          const a = Int32Array.from(lccNodes);
          sampleInPlace(a, samples, rng);
          return Array.from(a.subarray(0, samples), String);
        });
        expect(ours.exact).toBe(lccNodes.length < 2 || samples >= lccNodes.length);
        expect(ours.avgPathLength).toBe(ref.avgPathLength);
        expect(ours.diameter).toBe(ref.diameter);
        expect(ours.histogram).toEqual(ref.pathLengthHistogram);
      }),
      RUNS,
    );
  });
});
