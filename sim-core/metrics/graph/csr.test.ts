import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkCsr, csrFromEdges, hasNeighbour, liveSubgraph, type CsrGraph } from './csr.ts';

const pairs = (maxN: number) =>
  fc.integer({ min: 1, max: maxN }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 4 * n }),
    }),
  );

function build(n: number, edges: [number, number][]): CsrGraph {
  return csrFromEdges(n, Int32Array.from(edges, (e) => e[0]), Int32Array.from(edges, (e) => e[1]), edges.length);
}

/** Neighbour lists from a Set of links, sorted: the obvious definition. */
function referenceLists(n: number, edges: [number, number][]): number[][] {
  const sets = Array.from({ length: n }, () => new Set<number>());
  for (const [a, b] of edges) {
    if (a === b) continue;
    sets[a].add(b);
    sets[b].add(a);
  }
  return sets.map((s) => [...s].sort((x, y) => x - y));
}

function lists(g: CsrGraph): number[][] {
  return Array.from({ length: g.n }, (_, u) => Array.from(g.targets.subarray(g.offsets[u], g.offsets[u + 1])));
}

describe('csrFromEdges', () => {
  it('symmetrises, dedupes, drops self-loops and sorts neighbour lists', () => {
    fc.assert(
      fc.property(pairs(30), ({ n, edges }) => {
        const g = build(n, edges);
        expect(lists(g)).toEqual(referenceLists(n, edges));
        checkCsr(g);
      }),
    );
  });

  it('output depends only on the set of links, not on pair order or direction', () => {
    fc.assert(
      fc.property(pairs(20), fc.integer(), ({ n, edges }, salt) => {
        const shuffled = [...edges].reverse().map(([a, b], i) => ((i + salt) % 2 === 0 ? ([b, a] as [number, number]) : ([a, b] as [number, number])));
        const g1 = build(n, edges);
        const g2 = build(n, shuffled);
        expect(g2.offsets).toEqual(g1.offsets);
        expect(g2.targets).toEqual(g1.targets);
      }),
    );
  });

  it('uses only the first `count` pairs and rejects bad input', () => {
    const g = csrFromEdges(3, Int32Array.of(0, 1, 2), Int32Array.of(1, 2, 0), 2);
    expect(lists(g)).toEqual([[1], [0, 2], [1]]);
    expect(() => csrFromEdges(3, Int32Array.of(0), Int32Array.of(3), 1)).toThrow(/out of range/);
    expect(() => csrFromEdges(3, Int32Array.of(0), Int32Array.of(1), 2)).toThrow(/count/);
    expect(() => csrFromEdges(3, Int32Array.of(0), Int32Array.of(1), 1, new Uint8Array(2))).toThrow(/alive/);
    expect(csrFromEdges(0, new Int32Array(0), new Int32Array(0), 0)).toEqual({ n: 0, offsets: Int32Array.of(0), targets: new Int32Array(0) });
  });
});

describe('checkCsr', () => {
  const ok = { n: 3, offsets: Int32Array.of(0, 1, 3, 4), targets: Int32Array.of(1, 0, 2, 1) };
  it('accepts a valid graph and names what is wrong with a bad one', () => {
    expect(() => checkCsr(ok)).not.toThrow();
    expect(() => checkCsr({ ...ok, offsets: Int32Array.of(0, 1, 3) })).toThrow(/offsets has length/);
    expect(() => checkCsr({ ...ok, targets: Int32Array.of(1, 2, 0, 1) })).toThrow(/strictly increasing/);
    expect(() => checkCsr({ ...ok, targets: Int32Array.of(1, 0, 2, 5) })).toThrow(/out of range/);
    expect(() => checkCsr({ ...ok, targets: Int32Array.of(1, 0, 2, 2) })).toThrow(/self-loop/);
    expect(() => checkCsr({ n: 2, offsets: Int32Array.of(0, 1, 1), targets: Int32Array.of(1) })).toThrow(/reverse/);
    expect(() => checkCsr({ ...ok, alive: new Uint8Array(1) })).toThrow(/alive/);
  });

  it('hasNeighbour agrees with the lists', () => {
    for (let u = 0; u < 3; u++) for (let v = 0; v < 3; v++) expect(hasNeighbour(ok, u, v)).toBe(Math.abs(u - v) === 1);
  });
});

describe('liveSubgraph', () => {
  it('drops dead nodes and their links, relabelling in index order', () => {
    fc.assert(
      fc.property(pairs(20).chain((p) => fc.record({ p: fc.constant(p), mask: fc.array(fc.boolean(), { minLength: p.n, maxLength: p.n }) })), ({ p, mask }) => {
        const alive = Uint8Array.from(mask, (b) => (b ? 1 : 0));
        const { graph, ids } = liveSubgraph({ ...build(p.n, p.edges), alive });
        const liveIds = mask.flatMap((b, u) => (b ? [u] : []));
        if (ids !== null) expect(Array.from(ids)).toEqual(liveIds);
        else expect(liveIds.length).toBe(p.n);
        const index = new Map(liveIds.map((u, i) => [u, i]));
        const kept = p.edges.filter(([a, b]) => mask[a] && mask[b]).map(([a, b]) => [index.get(a)!, index.get(b)!] as [number, number]);
        expect(lists(graph)).toEqual(referenceLists(liveIds.length, kept));
        expect(graph.alive).toBeUndefined();
      }),
    );
  });
});
