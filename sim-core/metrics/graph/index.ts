// Topology metrics over overlay snapshots (CSR graphs). Definitions: README.md.
export { csrFromEdges, checkCsr, hasNeighbour, liveSubgraph, MAX_EDGE_PAIRS, type CsrGraph, type LiveGraph } from './csr.ts';
export { degreeStats, type DegreeStats } from './degree.ts';
export { connectedComponents, largestComponentNodes, type Components } from './components.ts';
export { pathStats, multiSourceBfs, sampleInPlace, DEFAULT_EXACT_THRESHOLD, DEFAULT_SAMPLES, type PathOptions, type PathStats, type IntSource } from './paths.ts';
export { triangleCounts, localStats, clustering, neighbourOverlap, type LocalStats } from './local.ts';
export { topologyMetrics, type TopologyMetrics, type TopologyOptions } from './topology.ts';
export { randomOverlay, randomDials } from './random-graph.ts';
export { louvain, modularity, type Communities } from './community.ts';
export { adjacencySpectrum, type AdjacencySpectrum } from './spectral.ts';
