import { liveSubgraph, type CsrGraph } from './csr.ts';

/** Figures derived from per-node triangle counts (see README for definitions). */
export interface LocalStats {
  /** Average local clustering over live nodes; nodes of degree < 2 count as 0. */
  clustering: number;
  /** Global transitivity: 3 × triangles / connected triples; 0 without triples. */
  transitivity: number;
  /** Mean over ordered adjacent pairs (u, v) of |N(u) ∩ N(v)|; 0 without edges. */
  meanOverlap: number;
  /** Mean over ordered adjacent pairs (u, v) with deg(u) ≥ 2 of |N(u) ∩ N(v)| / (deg(u) − 1); 0 without such pairs. */
  meanOverlapNormalised: number;
  triangles: number;
}

/** Number of triangles through each node (indexed by original node; 0 for dead nodes). */
export function triangleCounts(graph: CsrGraph): Float64Array {
  const { graph: g, ids } = liveSubgraph(graph);
  const tri = triangleCountsLive(g);
  if (ids === null) return tri;
  const out = new Float64Array(graph.n);
  for (let i = 0; i < g.n; i++) out[ids[i]] = tri[i];
  return out;
}

export function localStats(graph: CsrGraph): LocalStats {
  const g = liveSubgraph(graph).graph;
  return localStatsLive(g, triangleCountsLive(g));
}

export function clustering(graph: CsrGraph): { average: number; transitivity: number } {
  const s = localStats(graph);
  return { average: s.clustering, transitivity: s.transitivity };
}

export function neighbourOverlap(graph: CsrGraph): { mean: number; normalised: number } {
  const s = localStats(graph);
  return { mean: s.meanOverlap, normalised: s.meanOverlapNormalised };
}

/**
 * Per-node triangle counts on a live-only graph. Edges are oriented from lower
 * to higher (degree, index) rank and each triangle is found once from its
 * lowest-ranked corner; out-degrees are then O(√m), so a hub costs O(m √m)
 * overall rather than deg(hub)² per neighbour.
 */
export function triangleCountsLive(g: CsrGraph): Float64Array {
  const { n, offsets, targets } = g;
  const outOff = new Int32Array(n + 1);
  const outTgt = new Int32Array(targets.length >>> 1);
  const ranksAbove = (u: number, v: number): boolean => {
    const du = offsets[u + 1] - offsets[u];
    const dv = offsets[v + 1] - offsets[v];
    return dv > du || (dv === du && v > u);
  };
  for (let u = 0, w = 0; u < n; u++) {
    for (let k = offsets[u]; k < offsets[u + 1]; k++) if (ranksAbove(u, targets[k])) outTgt[w++] = targets[k];
    outOff[u + 1] = w;
  }
  const tri = new Float64Array(n);
  const mark = new Int32Array(n); // mark[w] === u + 1 ⇔ w is an out-neighbour of u
  for (let u = 0; u < n; u++) {
    const lo = outOff[u];
    const hi = outOff[u + 1];
    for (let k = lo; k < hi; k++) mark[outTgt[k]] = u + 1;
    for (let k = lo; k < hi; k++) {
      const v = outTgt[k];
      for (let j = outOff[v]; j < outOff[v + 1]; j++) {
        const w = outTgt[j];
        if (mark[w] === u + 1) {
          tri[u]++;
          tri[v]++;
          tri[w]++;
        }
      }
    }
  }
  return tri;
}

/**
 * Everything follows from triangle counts: the overlaps of u with all its
 * neighbours sum to 2·tri(u), since each triangle at u is seen from both of
 * its other corners.
 */
export function localStatsLive(g: CsrGraph, tri: Float64Array): LocalStats {
  const { n, offsets } = g;
  let clusteringSum = 0;
  let triples = 0;
  let triCorners = 0;
  let overlapNormSum = 0;
  let pairsNorm = 0;
  for (let u = 0; u < n; u++) {
    const d = offsets[u + 1] - offsets[u];
    triCorners += tri[u];
    if (d < 2) continue;
    const t = (d * (d - 1)) / 2;
    triples += t;
    clusteringSum += tri[u] / t;
    overlapNormSum += (2 * tri[u]) / (d - 1);
    pairsNorm += d;
  }
  const adjacentPairs = offsets[n];
  return {
    clustering: n === 0 ? 0 : clusteringSum / n,
    transitivity: triples === 0 ? 0 : triCorners / triples,
    meanOverlap: adjacentPairs === 0 ? 0 : (2 * triCorners) / adjacentPairs,
    meanOverlapNormalised: pairsNorm === 0 ? 0 : overlapNormSum / pairsNorm,
    triangles: triCorners / 3,
  };
}
