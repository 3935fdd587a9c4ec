import type { Rng } from '../../engine/rng.ts';
import { liveSubgraph, type CsrGraph } from './csr.ts';
import { componentsLive, type Components } from './components.ts';

export const DEFAULT_EXACT_THRESHOLD = 3_000;
export const DEFAULT_SAMPLES = 256;

export interface PathOptions {
  /** Largest LCC (in nodes) measured exactly, by a BFS from every node. Default 3,000. */
  exactThreshold?: number;
  /** BFS sources drawn (without replacement) from the LCC above the threshold. Default 256. */
  samples?: number;
}

export interface PathStats {
  lccSize: number;
  /** Mean hop count over ordered pairs (source, target ≠ source) in the LCC; 0 if the LCC has < 2 nodes. */
  avgPathLength: number;
  /** Largest hop count seen: exact, or a lower bound when sampled. */
  diameter: number;
  /** histogram[h] = ordered (source, target) pairs h hops apart, over the sources used; [0] is always 0. */
  histogram: number[];
  exact: boolean;
  /** Number of BFS sources. */
  sources: number;
}

/** The sampling draws need only a uniform integer. */
export type IntSource = Pick<Rng, 'int'>;

/**
 * Shortest-path figures within the largest connected component of the live
 * nodes. Exact up to `exactThreshold` nodes; beyond, BFS from `samples`
 * sources drawn from `rng` (required then). Same graph + same rng state ⇒
 * same sources ⇒ same result.
 */
export function pathStats(graph: CsrGraph, options: PathOptions = {}, rng?: IntSource): PathStats {
  const g = liveSubgraph(graph).graph;
  return pathStatsLive(g, componentsLive(g, new Int32Array(g.n)), options, rng);
}

/** pathStats on a live-only graph with its components already known. */
export function pathStatsLive(g: CsrGraph, comps: Components, options: PathOptions, rng: IntSource | undefined): PathStats {
  const threshold = options.exactThreshold ?? DEFAULT_EXACT_THRESHOLD;
  const samples = options.samples ?? DEFAULT_SAMPLES;
  if (!Number.isInteger(threshold) || threshold < 0) throw new RangeError(`exactThreshold must be an integer ≥ 0, got ${threshold}`);
  if (!Number.isInteger(samples) || samples < 1) throw new RangeError(`samples must be an integer ≥ 1, got ${samples}`);
  const size = comps.largestSize;
  if (size < 2) return { lccSize: size, avgPathLength: 0, diameter: 0, histogram: size === 1 ? [0] : [], exact: true, sources: size };

  const lcc = new Int32Array(size);
  for (let u = 0, w = 0; u < g.n; u++) if (comps.labels[u] === comps.largest) lcc[w++] = u;
  const exact = size <= threshold || samples >= size;
  let sources = size;
  if (!exact) {
    if (rng === undefined) throw new RangeError(`pathStats: the LCC has ${size} nodes > exactThreshold ${threshold}; sampling needs an rng`);
    sources = samples;
    sampleInPlace(lcc, samples, rng);
  }

  // Bit-parallel BFS, 32 sources per pass; the three word arrays are reused.
  const seen = new Int32Array(g.n);
  const frontier = new Int32Array(g.n);
  const next = new Int32Array(g.n);
  const hist = new Float64Array(size);
  let diameter = 0;
  for (let from = 0; from < sources; from += 32) {
    const ecc = multiSourceBfs(g, lcc, from, Math.min(32, sources - from), seen, frontier, next, hist);
    if (ecc > diameter) diameter = ecc;
  }
  let sum = 0;
  const histogram = new Array<number>(diameter + 1).fill(0);
  for (let h = 1; h <= diameter; h++) {
    histogram[h] = hist[h];
    sum += h * hist[h];
  }
  return { lccSize: size, avgPathLength: sum / (sources * (size - 1)), diameter, histogram, exact, sources };
}

/**
 * Partial Fisher–Yates: afterwards nodes[0..k) is a uniform sample without
 * replacement, drawn with k calls rng.int(len − i) for i = 0..k−1.
 */
export function sampleInPlace(nodes: Int32Array, k: number, rng: IntSource): void {
  const size = nodes.length;
  for (let i = 0; i < k && i < size; i++) {
    const j = i + rng.int(size - i);
    const t = nodes[i];
    nodes[i] = nodes[j];
    nodes[j] = t;
  }
}

/**
 * Multi-source BFS (Then et al., "The More the Merrier", VLDB 2014): bit i of
 * a node's word stands for source srcs[from + i], so one sweep over the edges
 * advances up to 32 BFS by one level. Adds to hist[h] the number of
 * (source, node) pairs first reached at h hops; returns the largest h.
 * Pull-style (each node ORs its neighbours' frontier bits), so there are no
 * write conflicts; nodes already reached by every source of the batch are
 * skipped, which makes the late, saturated levels cheap.
 */
export function multiSourceBfs(
  g: CsrGraph,
  srcs: Int32Array,
  from: number,
  count: number,
  seen: Int32Array,
  frontierWords: Int32Array,
  nextWords: Int32Array,
  hist: Float64Array,
): number {
  let frontier = frontierWords;
  let next = nextWords;
  const { n, offsets, targets } = g;
  if (!(count >= 1 && count <= 32 && from + count <= srcs.length)) throw new RangeError(`multiSourceBfs: ${count} sources from ${from} (1 to 32 within srcs)`);
  const full = count === 32 ? -1 : (1 << count) - 1;
  seen.fill(0);
  frontier.fill(0);
  for (let i = 0; i < count; i++) {
    const s = srcs[from + i];
    seen[s] |= 1 << i;
    frontier[s] |= 1 << i;
  }
  let level = 0;
  // Each level reaches at least one new (source, node) pair or stops, so at most n levels.
  for (let depth = 1; depth <= n; depth++) {
    let reached = 0;
    for (let v = 0; v < n; v++) {
      const sv = seen[v];
      if (sv === full) {
        next[v] = 0;
        continue;
      }
      let acc = 0;
      for (let k = offsets[v], hi = offsets[v + 1]; k < hi; k++) acc |= frontier[targets[k]];
      acc &= ~sv;
      next[v] = acc;
      if (acc !== 0) {
        seen[v] = sv | acc;
        reached += popcount32(acc);
      }
    }
    if (reached === 0) break;
    hist[depth] += reached;
    level = depth;
    // Every next[v] was written this level, so the arrays can swap roles.
    const t = frontier;
    frontier = next;
    next = t;
  }
  return level;
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
