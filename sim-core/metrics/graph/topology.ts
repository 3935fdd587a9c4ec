import { checkCsr, liveSubgraph, type CsrGraph } from './csr.ts';
import { degreeStatsLive, type DegreeStats } from './degree.ts';
import { componentsLive } from './components.ts';
import { pathStatsLive, type IntSource, type PathOptions } from './paths.ts';
import { localStatsLive, triangleCountsLive } from './local.ts';
import { louvain } from './community.ts';
import { adjacencySpectrum } from './spectral.ts';

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
  /** Modularity of the Louvain split of the live nodes (how clustered into communities; ~0 for a random graph of high degree). */
  modularity: number;
  /** Communities in that split. */
  communities: number;
  /** Largest and second largest adjacency eigenvalues of the LCC, and their difference (how fast random walks mix). */
  lambda1: number;
  lambda2: number;
  spectralGap: number;
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
  const split = louvain(g);
  const lcc: number[] = [];
  for (let u = 0; u < g.n; u++) if (comps.labels[u] === comps.largest) lcc.push(u);
  const spectrum = adjacencySpectrum(g, lcc);
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
    modularity: split.modularity,
    communities: split.count,
    lambda1: spectrum.lambda1,
    lambda2: spectrum.lambda2,
    spectralGap: spectrum.spectralGap,
  };
}
