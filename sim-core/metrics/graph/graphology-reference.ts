import Graph from 'graphology';
import { connectedComponents } from 'graphology-components';
import { singleSourceLength } from 'graphology-shortest-path/unweighted';
import type { CsrGraph } from './csr.ts';
import { maxOf, minOf } from '../../engine/extremes.ts';

/**
 * The same metrics computed with graphology, from the definitions, without
 * shortcuts: the reference the tests compare against and the bench baseline.
 * graphology-metrics has no clustering or overlap, so those two use
 * graphology's neighbour and adjacency queries directly.
 */

/** An undirected graphology graph of the live nodes (keys are original indices as strings). */
export function toGraphology(g: CsrGraph): Graph {
  const G = new Graph({ type: 'undirected', multi: false, allowSelfLoops: false });
  const live = (u: number) => g.alive === undefined || g.alive[u] !== 0;
  for (let u = 0; u < g.n; u++) if (live(u)) G.addNode(String(u));
  for (let u = 0; u < g.n; u++) {
    if (!live(u)) continue;
    for (let k = g.offsets[u]; k < g.offsets[u + 1]; k++) {
      const v = g.targets[k];
      if (u < v && live(v)) G.mergeEdge(String(u), String(v));
    }
  }
  return G;
}

export interface ReferenceMetrics {
  nodes: number;
  edges: number;
  degree: { min: number; mean: number; max: number; histogram: number[] };
  components: number;
  componentSets: number[][];
  lccSize: number;
  lcc: string[];
  avgPathLength: number;
  diameter: number;
  pathLengthHistogram: number[];
  clustering: number;
  transitivity: number;
  meanOverlap: number;
  meanOverlapNormalised: number;
}

export function referenceDegree(G: Graph): ReferenceMetrics['degree'] {
  const degrees = G.nodes().map((u) => G.degree(u));
  const max = degrees.length ? maxOf(degrees) : 0;
  const histogram = degrees.length ? new Array<number>(max + 1).fill(0) : [];
  for (const d of degrees) histogram[d]++;
  return { min: degrees.length ? minOf(degrees) : 0, mean: degrees.length ? (2 * G.size) / G.order : 0, max, histogram };
}

export function referenceComponents(G: Graph): { components: number; componentSets: number[][]; lcc: string[] } {
  const comps = connectedComponents(G);
  const componentSets = comps.map((c) => c.map(Number).sort((a, b) => a - b)).sort((a, b) => a[0] - b[0]);
  let lcc: string[] = [];
  for (const c of comps) if (c.length > lcc.length) lcc = c;
  return { components: comps.length, componentSets, lcc };
}

/** Hop counts from each source to the rest of the LCC (`lcc` = its node keys). */
export function referencePaths(G: Graph, lcc: string[], sources: string[]): { avgPathLength: number; diameter: number; pathLengthHistogram: number[] } {
  let sum = 0;
  let diameter = 0;
  const hist: number[] = [0];
  for (const s of sources) {
    const lengths = singleSourceLength(G, s);
    for (const t in lengths) {
      const h = lengths[t];
      if (h === 0) continue;
      sum += h;
      while (hist.length <= h) hist.push(0);
      hist[h]++;
      if (h > diameter) diameter = h;
    }
  }
  const pairs = sources.length * (lcc.length - 1);
  return { avgPathLength: pairs > 0 ? sum / pairs : 0, diameter, pathLengthHistogram: lcc.length === 0 ? [] : hist };
}

/** Clustering and overlap straight from their definitions. */
export function referenceLocal(G: Graph): Pick<ReferenceMetrics, 'clustering' | 'transitivity' | 'meanOverlap' | 'meanOverlapNormalised'> {
  let clusteringSum = 0;
  let closed = 0;
  let triples = 0;
  let overlapSum = 0;
  let overlapPairs = 0;
  let normSum = 0;
  let normPairs = 0;
  G.forEachNode((u) => {
    const nu = G.neighbors(u);
    const d = nu.length;
    let links = 0;
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) if (G.areNeighbors(nu[i], nu[j])) links++;
    if (d >= 2) {
      clusteringSum += links / ((d * (d - 1)) / 2);
      closed += links;
      triples += (d * (d - 1)) / 2;
    }
    for (const v of nu) {
      let common = 0;
      for (const w of nu) if (w !== v && G.areNeighbors(v, w)) common++;
      overlapSum += common;
      overlapPairs++;
      if (d >= 2) {
        normSum += common / (d - 1);
        normPairs++;
      }
    }
  });
  return {
    clustering: G.order ? clusteringSum / G.order : 0,
    transitivity: triples ? closed / triples : 0,
    meanOverlap: overlapPairs ? overlapSum / overlapPairs : 0,
    meanOverlapNormalised: normPairs ? normSum / normPairs : 0,
  };
}

/** BFS sources: every LCC node unless `pickSources` chooses some (the bench samples). */
export function referenceMetrics(G: Graph, pickSources?: (lcc: string[]) => string[]): ReferenceMetrics {
  const c = referenceComponents(G);
  return {
    nodes: G.order,
    edges: G.size,
    degree: referenceDegree(G),
    components: c.components,
    componentSets: c.componentSets,
    lccSize: c.lcc.length,
    lcc: c.lcc,
    ...referencePaths(G, c.lcc, pickSources ? pickSources(c.lcc) : c.lcc),
    ...referenceLocal(G),
  };
}
