import { checkCsr, liveSubgraph, type CsrGraph } from './csr.ts';
import { degreeStatsLive, type DegreeStats } from './degree.ts';
import { componentsLive } from './components.ts';
import { pathStatsLive, type IntSource, type PathOptions } from './paths.ts';
import { localStatsLive, triangleCountsLive } from './local.ts';

export interface TopologyOptions extends PathOptions {
  /** Check the CSR structure and symmetry first (O(m log d), a few ms at 10,000 nodes). Default true. */
  validate?: boolean;
}

/** One overlay snapshot's topology figures: plain numbers and arrays, JSON-serialisable. Definitions: README.md. */
export interface TopologyMetrics {
  /** Live nodes. */
  nodes: number;
  /** Undirected links between live nodes. */
  edges: number;
  degree: DegreeStats;
  /** Largest connected component size / live nodes (0 without live nodes). */
  lccFraction: number;
  components: number;
  avgPathLength: number;
  diameter: number;
  pathLengthHistogram: number[];
  pathsExact: boolean;
  bfsSources: number;
  clustering: number;
  transitivity: number;
  meanOverlap: number;
  meanOverlapNormalised: number;
}

/**
 * The full metric set of one snapshot. Dead nodes (alive[u] = 0) and their
 * links are dropped first; paths are measured within the largest component,
 * sampled from `rng` when it exceeds `exactThreshold` nodes. Deterministic:
 * the same graph and rng state give the same object.
 */
export function topologyMetrics(graph: CsrGraph, options: TopologyOptions = {}, rng?: IntSource): TopologyMetrics {
  if (options.validate ?? true) checkCsr(graph);
  const g = liveSubgraph(graph).graph;
  const comps = componentsLive(g, new Int32Array(g.n));
  const paths = pathStatsLive(g, comps, options, rng);
  const local = localStatsLive(g, triangleCountsLive(g));
  return {
    nodes: g.n,
    edges: g.targets.length / 2,
    degree: degreeStatsLive(g),
    lccFraction: g.n === 0 ? 0 : comps.largestSize / g.n,
    components: comps.count,
    avgPathLength: paths.avgPathLength,
    diameter: paths.diameter,
    pathLengthHistogram: paths.histogram,
    pathsExact: paths.exact,
    bfsSources: paths.sources,
    clustering: local.clustering,
    transitivity: local.transitivity,
    meanOverlap: local.meanOverlap,
    meanOverlapNormalised: local.meanOverlapNormalised,
  };
}
