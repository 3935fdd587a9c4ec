import { describe, expect, it } from 'vitest';
import { syntheticCompare } from '../../sim-core/node/report/fixture.ts';
import { parseResults } from './results.ts';

const series = [
  { tS: 0, messages: 0, bytes: 0, openConnections: 0 },
  { tS: 10, messages: 100, bytes: 0, openConnections: 4, lccFraction: 1 },
];

describe('loading CLI results', () => {
  it('reads a summary.json', () => {
    const text = JSON.stringify({ scenario: 'q', seed: 7, traceHash: 'abc', metrics: { series, discovery: { timeTo50PctS: 12 } }, scenarioConfig: { protocol: { kind: 'node', strategy: 'globalmap' } } });
    const r = parseResults(text, 'summary.json');
    expect(r.kind).toBe('summary');
    expect(r.runs).toEqual([{ label: 'globalmap seed 7', strategy: 'globalmap', seed: 7, traceHash: 'abc', series }]);
    expect(r.rows).toContainEqual({ path: 'discovery.timeTo50PctS', values: [12] });
  });

  it('reads a compare.json', () => {
    const text = JSON.stringify({
      scenario: { name: 'd' },
      seeds: [1, 2],
      strategies: {
        globalmap: { aggregate: { metrics: { 'topology.lcc': { mean: 1, ci95: 0 } } }, runs: [{ seed: 1, traceHash: 'h1', metrics: { series } }, { seed: 2, traceHash: 'h2', metrics: { series } }] },
        kademlia: { aggregate: { metrics: { 'topology.lcc': { mean: 0.9, ci95: 0 }, 'x.y': { mean: 3 } } }, runs: [] },
      },
    });
    const r = parseResults(text, 'compare.json');
    expect(r.kind).toBe('compare');
    expect(r.runs.map((x) => x.label)).toEqual(['globalmap seed 1', 'globalmap seed 2']);
    expect(r.columns).toEqual(['globalmap', 'kademlia']);
    expect(r.rows).toEqual([
      { path: 'topology.lcc', values: [1, 0.9] },
      { path: 'x.y', values: [null, 3] },
    ]);
  });

  it('reads a compare.json as the CLI writes it, and refuses anything else clearly', () => {
    const r = parseResults(JSON.stringify(syntheticCompare()), 'compare.json');
    expect(r.runs.length).toBe(9);
    expect(r.columns).toEqual(['globalmap', 'kademlia', 'random']);
    expect(r.runs[0].series.length).toBe(31);
    expect(r.rows.find((x) => x.path === 'messages.perPeerPerSecond')?.values.every((v) => typeof v === 'number')).toBe(true);
    expect(() => parseResults('{"a":1}', 'x.json')).toThrow(/neither a summary.json/);
    expect(() => parseResults('nope', 'x.json')).toThrow(/not JSON/);
  });
});
