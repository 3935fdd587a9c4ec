import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { csrFromEdges, topologyMetrics } from '../metrics/graph/index.ts';
import { NAT_TYPES } from '../net/underlay/nat.ts';
import { runCommand } from '../node/cli/run-command.ts';
import type { RunSummary } from '../node/cli/run-summary.ts';
import { parseExportTimes } from './graph-export.ts';

const dir = mkdtempSync(join(tmpdir(), 'peermap-graph-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A GraphML file as written by --export-graph, read back with nothing but its own structure. */
function readGraphml(text: string) {
  const attr = (s: string, key: string) => new RegExp(`<data key="${key}">([^<]*)</data>`).exec(s)?.[1];
  const graph = /<graph id="overlay" edgedefault="(\w+)">/.exec(text);
  const nodes = [...text.matchAll(/<node id="(\d+)">(.*?)<\/node>/g)].map((m) => ({
    id: Number(m[1]),
    role: attr(m[2], 'role')!,
    region: attr(m[2], 'region')!,
    nat: attr(m[2], 'nat')!,
    joinS: Number(attr(m[2], 'joinS')),
  }));
  const edges = [...text.matchAll(/<edge source="(\d+)" target="(\d+)"\/>/g)].map((m) => [Number(m[1]), Number(m[2])]);
  const head = text.slice(0, text.indexOf('<node'));
  return { directed: graph?.[1] !== 'undirected', timeS: Number(attr(head, 'timeS')), strategy: attr(head, 'strategy'), nodes, edges };
}

async function run(out: string, extra: { exportGraph?: boolean; exportGraphAt?: number[] }): Promise<RunSummary> {
  const code = await runCommand('scenarios/nat-heavy.yaml', { peers: 40, duration: 90, strategy: 'globalmap', out, force: true, quiet: true, ...extra });
  expect(code).toBe(0);
  return JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as RunSummary;
}

describe('peermap run --export-graph', () => {
  it('writes GraphML at the chosen times and at the end; re-read, the final file gives the run’s own topology metrics', async () => {
    const out = join(dir, 'with');
    const summary = await run(out, { exportGraph: true, exportGraphAt: [45] });
    expect(summary.graphExports?.map((e) => e.file)).toEqual(['graph-45s.graphml', 'graph-end.graphml']);
    const mid = readGraphml(readFileSync(join(out, 'graph-45s.graphml'), 'utf8'));
    expect(mid.timeS).toBe(45);
    for (const n of mid.nodes) expect(n.joinS).toBeLessThanOrEqual(45);

    const g = readGraphml(readFileSync(join(out, 'graph-end.graphml'), 'utf8'));
    expect(g.directed).toBe(false);
    expect(g.strategy).toBe('globalmap');
    expect(g.timeS).toBe(90);
    // attributes: roles by index, a region (geographic placement) and a NAT type for every peer
    for (const n of g.nodes) {
      expect(n.role).toBe(n.id < 3 ? 'bootstrap' : 'peer');
      expect(n.region.length).toBeGreaterThan(0);
      expect(NAT_TYPES as readonly string[]).toContain(n.nat);
    }
    expect(new Set(g.nodes.map((n) => n.nat)).size).toBeGreaterThan(1);
    // the same graph as metrics.topology: rebuild it and measure it again
    const n = Math.max(...g.nodes.map((x) => x.id)) + 1;
    const alive = new Uint8Array(n);
    for (const x of g.nodes) alive[x.id] = 1;
    const csr = csrFromEdges(n, Int32Array.from(g.edges.map((e) => e[0])), Int32Array.from(g.edges.map((e) => e[1])), g.edges.length, alive);
    const again = topologyMetrics(csr);
    const topo = (summary.metrics as { topology: ReturnType<typeof topologyMetrics> }).topology;
    expect(again.nodes).toBe(topo.nodes);
    expect(again.edges).toBe(topo.edges);
    expect(again.degree).toEqual(topo.degree);
    expect(again.lccFraction).toBe(topo.lccFraction);
    expect(again.components).toBe(topo.components);
    expect(again.avgPathLength).toBeCloseTo(topo.avgPathLength, 12);
    expect(again.clustering).toBeCloseTo(topo.clustering, 12);
    expect(again.modularity).toBeCloseTo(topo.modularity, 12);
    expect(again.lambda2).toBeCloseTo(topo.lambda2, 9);
    expect(topo.edges).toBeGreaterThan(20);
  }, 300_000);

  it('exporting does not change the run (same trace without it)', async () => {
    const a = await run(join(dir, 'a'), { exportGraphAt: [10, 33.3] });
    const b = await run(join(dir, 'b'), {});
    expect(a.traceHash).toBe(b.traceHash);
    expect(b.graphExports).toBeUndefined();
  }, 300_000);

  it('export times: seconds ≥ 0, sorted and deduplicated; anything else is refused', () => {
    expect(parseExportTimes('600, 300,300')).toEqual([300, 600]);
    for (const bad of ['', '1,,2', '-5', 'x', '1e999']) expect(() => parseExportTimes(bad), bad).toThrow(RangeError);
  });
});
