import { liveSubgraph, type CsrGraph } from './csr.ts';

export interface DegreeStats {
  min: number;
  mean: number;
  max: number;
  /** histogram[d] = number of live nodes with exactly d live neighbours (length max + 1; [] without live nodes). */
  histogram: number[];
}

/** Degree over live nodes, counting only live neighbours. All zeros (and []) for an empty graph. */
export function degreeStats(graph: CsrGraph): DegreeStats {
  return degreeStatsLive(liveSubgraph(graph).graph);
}

/** degreeStats of a graph already restricted to live nodes. */
export function degreeStatsLive(g: CsrGraph): DegreeStats {
  const { n, offsets } = g;
  if (n === 0) return { min: 0, mean: 0, max: 0, histogram: [] };
  let min = Infinity;
  let max = 0;
  for (let u = 0; u < n; u++) {
    const d = offsets[u + 1] - offsets[u];
    if (d < min) min = d;
    if (d > max) max = d;
  }
  const histogram = new Array<number>(max + 1).fill(0);
  for (let u = 0; u < n; u++) histogram[offsets[u + 1] - offsets[u]]++;
  return { min, mean: offsets[n] / n, max, histogram };
}
