import { NAT_TYPES } from '../net/underlay/nat.ts';
import type { Simulation } from './simulation.ts';

/** One live honest peer of an exported overlay. */
export interface ExportedNode {
  /** Honest index (the node id in the file). */
  index: number;
  address: number;
  /** bootstrap (indices < bootstrap.count), peer (the initial population) or arrival (brought in by churn). */
  role: 'bootstrap' | 'peer' | 'arrival';
  /** Continent, city and country with a geographic placement; empty strings without one. */
  region: string;
  city: string;
  country: string;
  /** public, full-cone, restricted-cone, port-restricted-cone or symmetric. */
  nat: string;
  /** When the peer was (first) started, simulated seconds. */
  joinS: number;
}

/** The overlay the topology metrics measure, at one instant: live honest peers and their undirected links. */
export interface ExportedGraph {
  scenario: string;
  seed: number;
  strategy: string;
  timeS: number;
  nodes: ExportedNode[];
  /** Undirected links as (lower index, higher index), sorted. */
  edges: [number, number][];
}

/**
 * The overlay now (the graph `metrics.topology` is computed on at the end):
 * the protocol's overlay links between live honest peers, with each peer's
 * attributes. Reads only; the run is not changed.
 */
export function exportOverlay(sim: Simulation): ExportedGraph {
  const view = sim.overlay();
  const sc = sim.scenario;
  const strategy = sc.protocol.kind === 'node' ? sc.protocol.strategy : sc.protocol.kind;
  const out: ExportedGraph = { scenario: sc.name, seed: sc.seed, strategy, timeS: sim.world.now / 1e6, nodes: [], edges: [] };
  if (!view) return out;
  const hosts = sim.underlay.hosts;
  const geo = hosts.geo;
  const pop = sim.population;
  for (let i = 0; i < view.n; i++) {
    if (view.alive[i] === 0) continue;
    const address = view.addresses[i];
    out.nodes.push({
      index: i,
      address,
      role: i < sc.bootstrap.count ? 'bootstrap' : i < sc.peers.count ? 'peer' : 'arrival',
      region: geo ? geo.continentName(address) : '',
      city: geo ? geo.cityName(address) : '',
      country: geo ? geo.countryName(address) : '',
      nat: NAT_TYPES[hosts.nat[address]] ?? 'public',
      joinS: (pop.joinUs[i] ?? 0) / 1e6,
    });
    for (let e = view.offsets[i]; e < view.offsets[i + 1]; e++) {
      const j = view.targets[e];
      if (j > i && view.alive[j] !== 0) out.edges.push([i, j]);
    }
  }
  return out;
}

const NODE_KEYS: [keyof ExportedNode, 'int' | 'string' | 'double'][] = [
  ['address', 'int'],
  ['role', 'string'],
  ['region', 'string'],
  ['city', 'string'],
  ['country', 'string'],
  ['nat', 'string'],
  ['joinS', 'double'],
];

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/**
 * GraphML (http://graphml.graphdrawing.org): one undirected graph, node id =
 * honest index, typed node attributes (`NODE_KEYS`), graph attributes
 * scenario, seed, strategy, timeS. Read by networkx (`read_graphml`),
 * igraph (`Graph.Read_GraphML`) and Gephi as is.
 */
export function toGraphml(g: ExportedGraph): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'];
  lines.push('  <key id="scenario" for="graph" attr.name="scenario" attr.type="string"/>');
  lines.push('  <key id="seed" for="graph" attr.name="seed" attr.type="long"/>');
  lines.push('  <key id="strategy" for="graph" attr.name="strategy" attr.type="string"/>');
  lines.push('  <key id="timeS" for="graph" attr.name="timeS" attr.type="double"/>');
  for (const [name, type] of NODE_KEYS) lines.push(`  <key id="${name}" for="node" attr.name="${name}" attr.type="${type}"/>`);
  lines.push('  <graph id="overlay" edgedefault="undirected">');
  lines.push(`    <data key="scenario">${xml(g.scenario)}</data>`, `    <data key="seed">${g.seed}</data>`);
  lines.push(`    <data key="strategy">${xml(g.strategy)}</data>`, `    <data key="timeS">${g.timeS}</data>`);
  for (const n of g.nodes) {
    const data = NODE_KEYS.map(([k]) => `<data key="${k}">${xml(String(n[k]))}</data>`).join('');
    lines.push(`    <node id="${n.index}">${data}</node>`);
  }
  for (const [a, b] of g.edges) lines.push(`    <edge source="${a}" target="${b}"/>`);
  lines.push('  </graph>', '</graphml>', '');
  return lines.join('\n');
}

/** Export times from a `--export-graph-at` list ("300,600"): seconds, ascending, distinct; throws on anything else. */
export function parseExportTimes(list: string): number[] {
  const parts = list.split(',').map((s) => s.trim());
  if (parts.length > MAX_EXPORTS) throw new RangeError(`--export-graph-at: at most ${MAX_EXPORTS} times, got ${parts.length}`);
  const times = parts.map((p) => {
    const v = Number(p);
    if (p === '' || !Number.isFinite(v) || v < 0) throw new RangeError(`--export-graph-at: "${p}" is not a time in seconds ≥ 0`);
    return v;
  });
  return [...new Set(times)].sort((a, b) => a - b);
}

/** Bound on snapshots per run (each one is a file of the whole overlay). */
export const MAX_EXPORTS = 100;
