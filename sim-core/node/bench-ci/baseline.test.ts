import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildBaseline,
  compareWithBaseline,
  DEFAULT_TOLERANCE,
  extractValues,
  formatAllowed,
  formatChange,
  formatComparison,
  formatPair,
  formatWallTimes,
  toleranceFor,
  type Baseline,
  type CaseRun,
  type Values,
} from './baseline.ts';
import { deepMerge } from './suite.ts';
import { BaselineError, readBaseline } from './command.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const meta = { suite: 'bench/ci/suite.yaml', commit: 'abc', generatedBy: 'peermap test', machine: {} };

function caseRun(id: string, values: Values, wallSeconds = 1.5): CaseRun {
  return { id, file: 'bench/ci/x.yaml', strategy: id.split('/')[1] ?? 'random', seed: 1, overrides: null, configHash: 'h1', wallSeconds, values };
}

const VALUES: Values = {
  'run.traceHash': '0123456789abcdef',
  'run.endReason': 'completed',
  'run.eventsProcessed': 218_000,
  'messages.byType.ping.count': 44_427,
  'messages.bytes': 9_876_543,
  'discovery.timeTo50PctS': 45,
  'topology.avgPathLength': 2.370011148272,
  'topology.lccFraction': 1,
  'topology.clustering': 0.0290895,
};

const baselineOf = (runs: CaseRun[], tolerance = DEFAULT_TOLERANCE): Baseline => ({ ...buildBaseline(runs, meta), tolerance });

describe('bench:ci comparison', () => {
  it('identical values pass', () => {
    const runs = [caseRun('steady/random', VALUES), caseRun('faults/random', VALUES)];
    const c = compareWithBaseline(baselineOf(runs), runs);
    expect(c.failed).toBe(false);
    expect(formatComparison(c)).toContain('bench:ci: OK — 2 cases match');
  });

  it('counts are exact: a count off by one fails, naming the metric with old, new and change', () => {
    const base = baselineOf([caseRun('steady/random', VALUES)]);
    const c = compareWithBaseline(base, [caseRun('steady/random', { ...VALUES, 'messages.byType.ping.count': 44_428 })]);
    expect(c.failed).toBe(true);
    expect(c.cases[0].diffs).toEqual([expect.objectContaining({ metric: 'messages.byType.ping.count', status: 'changed', old: 44_427, now: 44_428 })]);
    const text = formatComparison(c, { baselinePath: 'results/baseline-ci.json' });
    expect(text).toMatch(/steady\/random: 1 value differs beyond tolerance/);
    expect(text).toMatch(/metric\s+old\s+new\s+change\s+allowed/);
    expect(text).toMatch(/messages\.byType\.ping\.count\s+44,427\s+44,428\s+\+1 \(\+0\.00\d*%\)\s+exact/);
    expect(text).toContain('bench:ci: FAILED — 1 of 1 case differ from results/baseline-ci.json');
  });

  it('other numbers allow float rounding (1e-9 relative) only; strings are exact', () => {
    const base = baselineOf([caseRun('s/random', VALUES)]);
    const x = VALUES['topology.avgPathLength'] as number;
    const nudged = compareWithBaseline(base, [caseRun('s/random', { ...VALUES, 'topology.avgPathLength': x * (1 + 1e-12) })]);
    expect(nudged.failed).toBe(false);
    expect(nudged.cases[0].withinTolerance).toEqual(['topology.avgPathLength']);
    const moved = compareWithBaseline(base, [caseRun('s/random', { ...VALUES, 'topology.avgPathLength': x * 1.01, 'run.traceHash': 'fedcba9876543210' })]);
    expect(moved.cases[0].diffs.map((d) => d.metric)).toEqual(['run.traceHash', 'topology.avgPathLength']);
    const text = formatComparison(moved);
    expect(text).toMatch(/run\.traceHash\s+0123456789abcdef\s+fedcba9876543210\s+changed\s+exact/);
    expect(text).toMatch(/topology\.avgPathLength\s+2\.37001\s+2\.39371\s+\+0\.0237001 \(\+1\.00%\)\s+±1e-9 rel/);
  });

  it('per-metric rules: first match of metric and case globs wins; ignore skips the metric', () => {
    const tolerance = {
      ...DEFAULT_TOLERANCE,
      metrics: [
        { metric: 'topology.*', case: 'faults/*', rel: 0.05 },
        { metric: 'discovery.timeTo*', abs: 10 },
        { metric: 'run.traceHash', ignore: true },
        { metric: 'topology.clustering', rel: 0.5 },
      ],
    };
    expect(toleranceFor(tolerance, 'faults/kademlia', 'topology.clustering', 0.1)).toMatchObject({ rel: 0.05 });
    expect(toleranceFor(tolerance, 'steady/kademlia', 'topology.clustering', 0.1)).toMatchObject({ rel: 0.5 });
    expect(toleranceFor(tolerance, 'steady/kademlia', 'topology.avgPathLength', 2.5)).toMatchObject({ rel: 1e-9, rule: null });
    expect(toleranceFor(tolerance, 'steady/kademlia', 'messages.bytes', 5)).toMatchObject({ abs: 0, rel: 0, rule: null });
    const runs = [caseRun('faults/random', VALUES), caseRun('steady/random', VALUES)];
    const base = baselineOf(runs, tolerance);
    const changed: Values = { ...VALUES, 'run.traceHash': 'ffff', 'topology.avgPathLength': 2.4, 'discovery.timeTo50PctS': 55 };
    const c = compareWithBaseline(base, [caseRun('faults/random', changed), caseRun('steady/random', changed)]);
    expect(c.cases[0].diffs).toEqual([]); // faults: 5% on topology, ±10 s on discovery, trace ignored
    expect(c.cases[1].diffs.map((d) => d.metric)).toEqual(['topology.avgPathLength']);
    expect(formatAllowed(c.cases[1].diffs[0].allowed)).toBe('±1e-9 rel');
    expect(formatAllowed(toleranceFor(tolerance, 'faults/x', 'topology.x', 1))).toBe('±5%');
    expect(formatAllowed(toleranceFor(tolerance, 'x/x', 'discovery.timeTo90PctS', 1))).toBe('±10');
  });

  it('a metric in the baseline but gone now fails as removed; a new metric is reported, not compared', () => {
    const base = baselineOf([caseRun('s/random', VALUES)]);
    const { ['messages.bytes']: _gone, ...rest } = VALUES;
    const c = compareWithBaseline(base, [caseRun('s/random', { ...rest, 'globalmap.newCounter': 5 })]);
    expect(c.failed).toBe(true);
    expect(c.cases[0].diffs).toEqual([expect.objectContaining({ metric: 'messages.bytes', status: 'removed' })]);
    expect(c.cases[0].addedMetrics).toEqual(['globalmap.newCounter']);
    const text = formatComparison(c);
    expect(text).toMatch(/messages\.bytes\s+9,876,543\s+—\s+removed/);
    expect(text).toContain('s/random: 1 new metric(s), not compared: globalmap.newCounter');
    // Only new keys: not a failure.
    expect(compareWithBaseline(base, [caseRun('s/random', { ...VALUES, 'x.y': 1 })]).failed).toBe(false);
  });

  it('a baseline case not run fails unless the run was filtered; a new case is reported, not failed', () => {
    const base = baselineOf([caseRun('a/random', VALUES), caseRun('b/random', VALUES)]);
    const only = [caseRun('a/random', VALUES)];
    expect(compareWithBaseline(base, only).failed).toBe(true);
    expect(formatComparison(compareWithBaseline(base, only))).toContain('b/random: in the baseline but not run');
    expect(compareWithBaseline(base, only, true).failed).toBe(false);
    const added = compareWithBaseline(base, [...only, caseRun('b/random', VALUES), caseRun('c/kademlia', VALUES)]);
    expect(added.failed).toBe(false);
    expect(formatComparison(added)).toContain('c/kademlia: new case, not in the baseline');
  });

  it('a full run that compared nothing fails (a baseline emptied, or of another suite); a filtered one does not', () => {
    const empty = { ...baselineOf([]), cases: {} };
    const runs = [caseRun('a/random', VALUES), caseRun('b/kademlia', VALUES)];
    const c = compareWithBaseline(empty, runs);
    expect(c.failed).toBe(true);
    expect(formatComparison(c)).toContain('FAILED — none of the 2 cases run is in the baseline');
    expect(compareWithBaseline(empty, runs, true).failed).toBe(false);
  });

  it('reads a baseline only if every field is one: a corrupt file is a BaselineError naming it and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'peermap-baseline-'));
    try {
      const good = baselineOf([caseRun('a/random', VALUES)]);
      const write = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
      expect(readBaseline(write('good.json', JSON.stringify(good)))?.cases['a/random'].values).toEqual(VALUES);
      expect(readBaseline(join(dir, 'none.json'))).toBeUndefined();
      const bad: [string, string, RegExp][] = [
        ['cases.json', JSON.stringify({ ...good, cases: 5 }), /not a valid baseline: cases:/],
        ['no-tolerance.json', JSON.stringify({ ...good, tolerance: undefined }), /not a valid baseline: tolerance:/],
        ['values.json', JSON.stringify({ ...good, cases: { 'a/random': { ...good.cases['a/random'], values: { x: [1] } } } }), /cases\.a\/random\.values\.x/],
        ['format.json', JSON.stringify({ ...good, format: 'other' }), /format/],
        ['null.json', 'null', /not a valid baseline/],
        ['truncated.json', JSON.stringify(good).slice(0, 40), /not a readable JSON baseline/],
      ];
      for (const [name, text, message] of bad) expect(() => readBaseline(write(name, text)), name).toThrow(message);
      expect(() => readBaseline(dir)).toThrow(BaselineError); // a folder
      expect(readBaseline('results/baseline-ci.json')?.format).toBe(good.format); // the repository's own
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('notes an edited scenario, and reports wall times without ever failing on them', () => {
    const base = baselineOf([caseRun('s/random', VALUES, 10)]);
    const run = { ...caseRun('s/random', { ...VALUES, 'messages.bytes': 1 }, 25), configHash: 'h2' };
    const c = compareWithBaseline(base, [run]);
    expect(formatComparison(c)).toContain('(its scenario was edited: config hash differs)');
    const slow = compareWithBaseline(base, [caseRun('s/random', VALUES, 99)]);
    expect(slow.failed).toBe(false);
    expect(formatWallTimes(slow)).toMatch(/s\/random\s+10\.00 s\s+99\.00 s\s+×9\.90/);
  });

  it('update keeps the tolerance rules, and with a filtered run the other cases', () => {
    const tolerance = { ...DEFAULT_TOLERANCE, metrics: [{ metric: 'memory.*', rel: 0.1 }] };
    const prev = baselineOf([caseRun('a/random', VALUES), caseRun('b/random', VALUES)], tolerance);
    const next = buildBaseline([caseRun('a/random', { ...VALUES, 'messages.bytes': 1 })], meta, prev, true);
    expect(next.tolerance).toEqual(tolerance);
    expect(Object.keys(next.cases)).toEqual(['a/random', 'b/random']);
    expect(next.cases['a/random'].values['messages.bytes']).toBe(1);
    expect(Object.keys(buildBaseline([caseRun('a/random', VALUES)], meta, prev).cases)).toEqual(['a/random']);
  });

  it('property: a baseline built from runs accepts them, and any changed count fails naming exactly it', () => {
    const keys = Object.keys(VALUES).filter((k) => Number.isInteger(VALUES[k]));
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.integer({ min: -1000, max: 1000 }).filter((d) => d !== 0), (key, delta) => {
        const base = baselineOf([caseRun('s/random', VALUES)]);
        expect(compareWithBaseline(base, [caseRun('s/random', VALUES)]).failed).toBe(false);
        const c = compareWithBaseline(base, [caseRun('s/random', { ...VALUES, [key]: (VALUES[key] as number) + delta })]);
        expect(c.failed).toBe(true);
        expect(c.cases[0].diffs.map((d) => d.metric)).toEqual([key]);
      }),
    );
  });
});

describe('bench:ci values and formatting', () => {
  it('extracts run fields first, then every scalar metric by path; skips series and per-node rows', () => {
    const v = extractValues({
      traceHash: 'aa',
      endReason: 'completed',
      eventsProcessed: 10,
      metrics: {
        topology: { lccFraction: 1, degree: { histogram: [0, 2] } },
        messages: { byType: { ping: { count: 3 } }, total: 3 },
        node: { perNode: [{ address: 0, connections: 4 }], live: 2, nothing: null },
        series: [{ tS: 0, messages: 0 }],
      },
    });
    expect(Object.keys(v)).toEqual(['run.traceHash', 'run.endReason', 'run.eventsProcessed', 'messages.byType.ping.count', 'messages.total', 'node.live', 'topology.lccFraction']);
  });

  it('shows just enough digits to tell two numbers apart, and signed changes', () => {
    expect(formatPair(2.370011148272, 2.370011148273)).toEqual(['2.370011148272', '2.370011148273']);
    expect(formatPair(1234567, 1234568)).toEqual(['1,234,567', '1,234,568']);
    expect(formatPair(0.5, undefined)).toEqual(['0.5', '—']);
    expect(formatChange(200, 150)).toBe('-50 (-25.00%)');
    expect(formatChange(0, 3)).toBe('+3 (was 0)');
    expect(formatChange('a', 'b')).toBe('changed');
  });

  it('deepMerge patches nested scenario fields and replaces arrays', () => {
    const base = { protocol: { kind: 'node', globalmap: { ttl: 6, batchSize: 64 } }, actions: [1, 2] };
    expect(deepMerge(base, { protocol: { globalmap: { ttl: 3 } }, actions: [3] })).toEqual({ protocol: { kind: 'node', globalmap: { ttl: 3, batchSize: 64 } }, actions: [3] });
    expect(base.protocol.globalmap.ttl).toBe(6);
  });
});
