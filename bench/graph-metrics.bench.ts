/**
 * Graph-metrics bench: the typed-array topology metrics
 * (sim-core/metrics/graph) against the same metrics computed with graphology
 * (graphology-components, graphology-shortest-path, and neighbour/adjacency
 * queries for clustering and overlap, which graphology-metrics lacks), on
 * seeded random overlays where every node dials 6 others (mean degree ≈ 12):
 * 2,500 nodes (paths exact) and 10,000 nodes (paths sampled from 256 sources,
 * the same sources on both sides). Median of rounds per phase; checks
 * the two sides agree; writes results/bench-graph-metrics.json.
 *
 *   node bin/tsx-run.mjs bench/graph-metrics.bench.ts [--rounds 7 --graphology-rounds 3 --seed 42 --samples 256]
 */
import { parseArgs } from 'node:util';
import type Graph from 'graphology';
import { RngStreams } from '../sim-core/engine/rng.ts';
import {
  checkCsr,
  connectedComponents,
  csrFromEdges,
  degreeStats,
  largestComponentNodes,
  localStats,
  pathStats,
  randomDials,
  sampleInPlace,
  topologyMetrics,
  DEFAULT_EXACT_THRESHOLD,
  type CsrGraph,
} from '../sim-core/metrics/graph/index.ts';
import { referenceComponents, referenceDegree, referenceLocal, referencePaths } from '../sim-core/metrics/graph/graphology-reference.ts';
import { writeJsonAtomic } from '../sim-core/node/files.ts';
import { gitCommit, machineInfo } from '../sim-core/node/machine.ts';
import GraphClass from 'graphology';
import { median } from './median.ts';

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '7' },
    'graphology-rounds': { type: 'string', default: '3' },
    seed: { type: 'string', default: '42' },
    samples: { type: 'string', default: '256' },
    dials: { type: 'string', default: '6' },
    out: { type: 'string', default: 'results/bench-graph-metrics.json' },
  },
});
const ROUNDS = Number(args.rounds);
/** graphology takes seconds per round; fewer rounds keep the bench short. */
const GRAPHOLOGY_ROUNDS = Number(args['graphology-rounds']);
const SEED = Number(args.seed);
const SAMPLES = Number(args.samples);
const DIALS = Number(args.dials);
const SIZES = [2_500, 10_000];

/** Milliseconds of one call, and its result. */
function timed<T>(f: () => T): [number, T] {
  const t0 = performance.now();
  const r = f();
  return [performance.now() - t0, r];
}

/** Graphology's input: the same connection pairs, merged into an undirected simple graph. */
function graphologyFromDials(n: number, a: Int32Array, b: Int32Array, count: number): Graph {
  const G = new GraphClass({ type: 'undirected', multi: false, allowSelfLoops: false });
  for (let u = 0; u < n; u++) G.addNode(String(u));
  for (let k = 0; k < count; k++) if (a[k] !== b[k]) G.mergeEdge(String(a[k]), String(b[k]));
  return G;
}

/** The BFS sources topologyMetrics draws for this seed, so graphology runs from the same ones. */
function sources(g: CsrGraph, streams: RngStreams, n: number): string[] {
  const lcc = largestComponentNodes(g);
  if (lcc.length <= DEFAULT_EXACT_THRESHOLD || SAMPLES >= lcc.length) return Array.from(lcc, String);
  sampleInPlace(lcc, SAMPLES, streams.stream(`bench/graph/${n}/sources`));
  return Array.from(lcc.subarray(0, SAMPLES), String);
}

type Phases = Record<string, number[]>;
const push = (p: Phases, k: string, ms: number) => (p[k] ??= []).push(ms);
const medians = (p: Phases) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, Number(median(v).toFixed(2))]));

function oursRound(n: number, d: ReturnType<typeof randomDials>, streams: RngStreams, p: Phases) {
  const [build, g] = timed(() => csrFromEdges(n, d.a, d.b, d.count));
  push(p, 'build', build);
  push(p, 'validate', timed(() => checkCsr(g))[0]);
  push(p, 'degree', timed(() => degreeStats(g))[0]);
  push(p, 'components', timed(() => connectedComponents(g))[0]);
  push(p, 'paths', timed(() => pathStats(g, { samples: SAMPLES }, streams.stream(`bench/graph/${n}/sources`)))[0]);
  push(p, 'clusteringAndOverlap', timed(() => localStats(g))[0]);
  const [total, m] = timed(() => topologyMetrics(g, { samples: SAMPLES }, streams.stream(`bench/graph/${n}/sources`)));
  push(p, 'topologyMetrics', total);
  push(p, 'snapshotTotal', build + total);
  return { g, m };
}

function graphologyRound(n: number, d: ReturnType<typeof randomDials>, src: string[], p: Phases) {
  const [build, G] = timed(() => graphologyFromDials(n, d.a, d.b, d.count));
  push(p, 'build', build);
  const [deg, degree] = timed(() => referenceDegree(G));
  const [comp, c] = timed(() => referenceComponents(G));
  const [paths, pathRes] = timed(() => referencePaths(G, c.lcc, src));
  const [local, localRes] = timed(() => referenceLocal(G));
  push(p, 'degree', deg);
  push(p, 'components', comp);
  push(p, 'paths', paths);
  push(p, 'clusteringAndOverlap', local);
  push(p, 'metrics', deg + comp + paths + local);
  push(p, 'snapshotTotal', build + deg + comp + paths + local);
  return { G, degree, c, pathRes, localRes };
}

const results: Record<string, unknown>[] = [];
for (const n of SIZES) {
  const streams = new RngStreams(SEED);
  const dials = randomDials(n, DIALS, streams.stream(`bench/graph/${n}/dials`));
  const ours: Phases = {};
  const graphology: Phases = {};
  const warm = oursRound(n, dials, streams, {}); // warm-up (JIT)
  const src = sources(warm.g, streams, n);
  let ref = graphologyRound(n, dials, src, {});
  // Not interleaved: graphology leaves a heap of per-source objects whose
  // garbage collection would otherwise land inside the typed-array timings.
  for (let r = 0; r < ROUNDS; r++) oursRound(n, dials, streams, ours);
  for (let r = 0; r < GRAPHOLOGY_ROUNDS; r++) ref = graphologyRound(n, dials, src, graphology);
  const m = warm.m;
  const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y));
  const agree =
    m.nodes === ref.G.order &&
    m.edges === ref.G.size &&
    JSON.stringify(m.degree) === JSON.stringify(ref.degree) &&
    m.components === ref.c.components &&
    m.lccFraction === ref.c.lcc.length / n &&
    m.avgPathLength === ref.pathRes.avgPathLength &&
    m.diameter === ref.pathRes.diameter &&
    JSON.stringify(m.pathLengthHistogram) === JSON.stringify(ref.pathRes.pathLengthHistogram) &&
    close(m.clustering, ref.localRes.clustering) &&
    close(m.transitivity, ref.localRes.transitivity) &&
    close(m.meanOverlap, ref.localRes.meanOverlap) &&
    close(m.meanOverlapNormalised, ref.localRes.meanOverlapNormalised);
  if (!agree) throw new Error(`n = ${n}: typed-array and graphology results differ`);
  const o = medians(ours);
  const gr = medians(graphology);
  const row = {
    nodes: n,
    edges: m.edges,
    pathsExact: m.pathsExact,
    bfsSources: m.bfsSources,
    resultsAgree: agree,
    metrics: m,
    typedArrayMs: o,
    graphologyMs: gr,
    speedup: {
      paths: Number((gr.paths / o.paths).toFixed(1)),
      clusteringAndOverlap: Number((gr.clusteringAndOverlap / o.clusteringAndOverlap).toFixed(1)),
      components: Number((gr.components / o.components).toFixed(1)),
      snapshotTotal: Number((gr.snapshotTotal / o.snapshotTotal).toFixed(1)),
    },
  };
  results.push(row);
  console.log(
    `n ${String(n).padStart(6)} (${m.pathsExact ? 'exact' : `${m.bfsSources} sources`}): typed-array ${o.snapshotTotal} ms ` +
      `(build ${o.build}, validate ${o.validate}, paths ${o.paths}, local ${o.clusteringAndOverlap}) | graphology ${gr.snapshotTotal} ms ` +
      `(build ${gr.build}, paths ${gr.paths}, local ${gr.clusteringAndOverlap}) | speed-up ×${row.speedup.snapshotTotal}`,
  );
}

writeJsonAtomic(args.out!, {
  bench: 'graph-metrics',
  seed: SEED,
  commit: gitCommit(),
  machine: machineInfo(),
  rounds: ROUNDS,
  graphologyRounds: GRAPHOLOGY_ROUNDS,
  dialsPerNode: DIALS,
  samples: SAMPLES,
  exactThreshold: DEFAULT_EXACT_THRESHOLD,
  method:
    'median of rounds per phase, typed-array rounds first, then graphology rounds; random overlay: each node dials DIALS uniform others (stream bench/graph/<n>/dials), links undirected; ' +
    'typed-array = sim-core/metrics/graph (snapshotTotal = csrFromEdges + topologyMetrics incl. validation); ' +
    'graphology = Graph built with mergeEdge, graphology-components, graphology-shortest-path singleSourceLength from the same BFS sources, ' +
    'clustering/overlap via neighbors()/areNeighbors() (graphology-metrics has none); results checked equal',
  results,
});
console.log(`written ${args.out}`);
