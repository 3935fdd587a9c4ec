import { describe, expect, it } from 'vitest';
import { syntheticCompare } from '../../sim-core/node/report/fixture.ts';
import { MAX_METRIC_DEPTH, MAX_METRIC_LEAVES, MAX_RESULT_COLUMNS, MAX_RESULT_RUNS, numericLeaves, parseResults } from './results.ts';

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

  it('a hostile file is an Error naming the file and the field, never a stack overflow or a TypeError', () => {
    const deep = `{"traceHash":"h","metrics":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`;
    const r = parseResults(deep, 'deep.json');
    expect(r.rows.length).toBe(0);
    const named = (text: string, field: string) => {
      let err: unknown;
      try {
        parseResults(text, 'x.json');
      } catch (e) {
        err = e;
      }
      expect(err, field).toBeInstanceOf(Error);
      expect((err as Error).constructor).toBe(Error);
      expect((err as Error).message).toContain(`x.json: ${field}`);
    };
    named(JSON.stringify({ strategies: { a: { runs: [{ seed: { toString: 1 } }] } }, seeds: [1] }), 'strategies.a.runs.0.seed');
    named(JSON.stringify({ strategies: {}, seeds: [{ toString: 1 }] }), 'seeds.0');
    named(JSON.stringify({ traceHash: 'h', metrics: {}, scenario: { toString: 1 } }), 'scenario');
    named(JSON.stringify({ strategies: Object.fromEntries(Array.from({ length: MAX_RESULT_COLUMNS + 1 }, (_, i) => [`s${i}`, { runs: [] }])), seeds: [1] }), 'strategies');
    named(JSON.stringify({ strategies: { a: { runs: Array.from({ length: MAX_RESULT_RUNS + 1 }, (_, i) => ({ seed: i })) } }, seeds: [1] }), `at most ${MAX_RESULT_RUNS} runs`);
  });

  it('keeps at most MAX_METRIC_LEAVES leaves, however wide one object is', () => {
    const flat = Object.fromEntries(Array.from({ length: MAX_METRIC_LEAVES + 500 }, (_, i) => [`m${i}`, i]));
    expect(numericLeaves(flat).size).toBe(MAX_METRIC_LEAVES);
    expect(parseResults(JSON.stringify({ traceHash: 'h', metrics: flat }), 'wide.json').rows).toHaveLength(MAX_METRIC_LEAVES);
  });

  it('keeps metric leaves down to MAX_METRIC_DEPTH levels', () => {
    let tree: Record<string, unknown> = { v: 1 };
    for (let i = 1; i < MAX_METRIC_DEPTH; i++) tree = { a: tree };
    expect([...numericLeaves(tree).keys()]).toEqual([`${'a.'.repeat(MAX_METRIC_DEPTH - 1)}v`]);
    expect(numericLeaves({ a: tree }).size).toBe(0);
  });
});
