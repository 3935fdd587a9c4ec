import fc from 'fast-check';
import graphologyModularity from 'graphology-metrics/graph/modularity.js';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/rng.ts';
import { louvain, modularity } from './community.ts';
import { csrFromEdges, type CsrGraph } from './csr.ts';
import { toGraphology } from './graphology-reference.ts';
import { randomOverlay } from './random-graph.ts';
import { adjacencySpectrum } from './spectral.ts';
import { topologyMetrics } from './topology.ts';

function graph(n: number, edges: [number, number][], alive?: Uint8Array): CsrGraph {
  return csrFromEdges(n, Int32Array.from(edges.map((e) => e[0])), Int32Array.from(edges.map((e) => e[1])), edges.length, alive);
}

function clique(from: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < size; i++) for (let j = i + 1; j < size; j++) out.push([from + i, from + j]);
  return out;
}

function ring(n: number): CsrGraph {
  return graph(n, Array.from({ length: n }, (_, i) => [i, (i + 1) % n] as [number, number]));
}

const all = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Every eigenvalue of a small symmetric matrix, descending (cyclic Jacobi rotations): the test's reference. */
function denseEigenvalues(g: CsrGraph): number[] {
  const n = g.n;
  const a = Array.from({ length: n }, () => new Float64Array(n));
  for (let u = 0; u < n; u++) for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) a[u][g.targets[e]] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p][q]) < 1e-300) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p];
          const akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k];
          const aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i][i]).sort((x, y) => y - x);
}

describe('modularity and Louvain communities', () => {
  it('two 5-cliques joined by one edge: the two cliques, Q = 2·(10/21 − 1/4)', () => {
    const g = graph(10, [...clique(0, 5), ...clique(5, 5), [4, 5]]);
    const c = louvain(g);
    expect(c.count).toBe(2);
    expect([...c.membership]).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(c.modularity).toBeCloseTo(2 * (10 / 21 - 1 / 4), 12);
  });

  it('a ring of 8 cliques of 6, each joined to the next by one edge: one community per clique', () => {
    const edges: [number, number][] = [];
    for (let c = 0; c < 8; c++) edges.push(...clique(6 * c, 6), [6 * c + 5, (6 * c + 6) % 48]);
    const c = louvain(graph(48, edges));
    expect(c.count).toBe(8);
    for (let u = 0; u < 48; u++) expect(c.membership[u]).toBe(Math.floor(u / 6));
    // m = 8·15 + 8 = 128; each community: 15 inside, degree sum 2·15 + 2 = 32
    expect(c.modularity).toBeCloseTo(8 * (15 / 128 - (32 / 256) ** 2), 12);
  });

  it('a graph without edges has modularity 0; dead nodes are left out (membership -1)', () => {
    expect(louvain(graph(5, [])).modularity).toBe(0);
    const alive = Uint8Array.from([1, 1, 0, 1]);
    const c = louvain(graph(4, [[0, 1], [1, 2], [2, 3], [0, 3]], alive));
    expect(c.membership[2]).toBe(-1);
  });

  it('modularity equals graphology-metrics on the same split; Louvain never does worse than singletons or one block', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 60 }), fc.integer({ min: 1, max: 4 }), fc.integer(), (n, dials, seed) => {
        const rng = new Rng(`louvain/${seed}`);
        const g = randomOverlay(n, dials, { int: (k) => rng.int(k) });
        const c = louvain(g);
        const G = toGraphology(g);
        G.forEachNode((key) => G.setNodeAttribute(key, 'community', c.membership[Number(key)]));
        expect(c.modularity).toBeCloseTo(graphologyModularity(G, { getNodeCommunity: 'community' }), 9);
        expect(c.modularity).toBeGreaterThanOrEqual(modularity(g, new Int32Array(n)) - 1e-12);
        expect(c.modularity).toBeGreaterThanOrEqual(modularity(g, Int32Array.from(all(n))) - 1e-12);
        expect(louvain(g).membership).toEqual(c.membership); // deterministic
      }),
      { numRuns: 40, seed: 7 },
    );
  });
});

describe('adjacency spectrum (Lanczos)', () => {
  it('a ring of n: lambda1 = 2, lambda2 = 2 cos(2π/n)', () => {
    for (const n of [5, 12, 40, 301]) {
      const s = adjacencySpectrum(ring(n), all(n));
      expect(s.lambda1).toBeCloseTo(2, 8);
      expect(s.lambda2).toBeCloseTo(2 * Math.cos((2 * Math.PI) / n), 6);
      expect(s.spectralGap).toBeCloseTo(2 - 2 * Math.cos((2 * Math.PI) / n), 6);
    }
  });

  it('a complete graph K_n: n − 1 and −1; a single node or edge: 0,0 and 1,−1', () => {
    const s = adjacencySpectrum(graph(7, clique(0, 7)), all(7));
    expect(s.lambda1).toBeCloseTo(6, 9);
    expect(s.lambda2).toBeCloseTo(-1, 9);
    expect(adjacencySpectrum(graph(1, []), [0])).toMatchObject({ lambda1: 0, lambda2: 0 });
    const e = adjacencySpectrum(graph(2, [[0, 1]]), [0, 1]);
    expect(e.lambda1).toBeCloseTo(1, 9);
    expect(e.lambda2).toBeCloseTo(-1, 9);
  });

  it('two 5-cliques joined by one edge, and random overlays: the two largest eigenvalues of a dense solver', () => {
    const barbell = graph(10, [...clique(0, 5), ...clique(5, 5), [4, 5]]);
    const ref = denseEigenvalues(barbell);
    const s = adjacencySpectrum(barbell, all(10));
    expect(s.lambda1).toBeCloseTo(ref[0], 8);
    expect(s.lambda2).toBeCloseTo(ref[1], 8);
    expect(s.lambda2).toBeGreaterThan(3.5); // nearly two separate K5s (eigenvalue 4 each): a tiny gap
    for (const seed of [1, 2, 3]) {
      const rng = new Rng(`spectrum/${seed}`);
      const g = randomOverlay(60, 3, { int: (k) => rng.int(k) });
      const d = denseEigenvalues(g);
      const r = adjacencySpectrum(g, all(60));
      expect(r.lambda1).toBeCloseTo(d[0], 6);
      expect(r.lambda2).toBeCloseTo(d[1], 6);
    }
  });

  it('topologyMetrics reports them: a random overlay has a large gap and low modularity next to a ring of cliques', () => {
    const rng = new Rng('topology/spectral');
    const random = topologyMetrics(randomOverlay(400, 6, { int: (k) => rng.int(k) }));
    const edges: [number, number][] = [];
    for (let c = 0; c < 20; c++) edges.push(...clique(20 * c, 20), [20 * c + 19, (20 * c + 20) % 400]);
    const clustered = topologyMetrics(graph(400, edges));
    expect(clustered.modularity).toBeGreaterThan(0.9);
    expect(clustered.communities).toBe(20);
    expect(random.modularity).toBeLessThan(clustered.modularity - 0.5);
    expect(random.spectralGap).toBeGreaterThan(clustered.spectralGap + 3);
    expect(random.lambda1 - random.lambda2).toBeCloseTo(random.spectralGap, 12);
  });
});
