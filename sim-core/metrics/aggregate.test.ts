import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aggregateMetrics, aggregateSeries, averageHistograms, comparePaths, flattenMetrics, meanCi, tCritical95 } from './aggregate.ts';
import { formatNumber, formatStat, keyMetricRows, matchPath, patternRegExp } from './aggregate-table.ts';

describe('meanCi', () => {
  it('matches hand-computed Student-t intervals', () => {
    // 1..5: mean 3, s = √2.5, se = s/√5 = 0.707107, t(0.975, 4) = 2.776445 → 1.963243
    const a = meanCi([1, 2, 3, 4, 5]);
    expect(a.mean).toBe(3);
    expect(a.ci95).toBeCloseTo(1.963243, 5);
    expect([a.min, a.max, a.n]).toEqual([1, 5, 5]);
    // 10, 14: mean 12, s = 2√2, se = 2, t(0.975, 1) = 12.706205 → 25.41241
    expect(meanCi([10, 14]).ci95).toBeCloseTo(25.41241, 4);
    // 2, 4, 9: mean 5, s = √13, se = √13/√3 = 2.081666, t(0.975, 2) = 4.302653 → 8.956686
    expect(meanCi([2, 4, 9]).ci95).toBeCloseTo(8.956686, 5);
    // Identical values: zero width.
    expect(meanCi([7, 7, 7]).ci95).toBe(0);
  });

  it('has no interval for one seed, and n = 0 for none', () => {
    expect(meanCi([4.5])).toEqual({ mean: 4.5, ci95: null, min: 4.5, max: 4.5, n: 1 });
    expect(meanCi([])).toEqual({ mean: 0, ci95: null, min: 0, max: 0, n: 0 });
    expect(meanCi([NaN, Infinity, 3]).n).toBe(1);
  });

  it('t table: exact small df, close beyond', () => {
    expect(tCritical95(1)).toBeCloseTo(12.706205, 6);
    expect(tCritical95(4)).toBeCloseTo(2.776445, 6);
    expect(tCritical95(9)).toBeCloseTo(2.262157, 6);
    expect(tCritical95(30)).toBeCloseTo(2.042272, 6);
    expect(Math.abs(tCritical95(45) - 2.014103)).toBeLessThan(1e-4);
    expect(Math.abs(tCritical95(1000) - 1.962339)).toBeLessThan(1e-4);
    expect(tCritical95(1e9)).toBeCloseTo(1.959964, 5);
    expect(() => tCritical95(0)).toThrow(RangeError);
  });
});

describe('flattenMetrics / aggregateMetrics', () => {
  const run = (x: number, hist: number[]) => ({
    messages: { total: 100 * x, byType: { ping: { count: x } } },
    node: { lccFraction: x / 10, pathsExact: true, meanRttMs: null, perNode: [{ address: 0, connections: 3 }], adversaries: [] },
    topology: { degree: { mean: x, histogram: hist }, pathLengthHistogram: [0, x, 2 * x] },
    blocks: { delayHistogram: { '10': x, '2': 1 } },
    series: [{ tS: 0, messages: 0 }],
  });

  it('keeps numeric leaves and histograms, skips series, per-node rows, booleans and nulls', () => {
    const f = flattenMetrics(run(2, [1, 2]));
    expect([...f.scalars.keys()]).toEqual(['messages.total', 'messages.byType.ping.count', 'node.lccFraction', 'topology.degree.mean']);
    expect([...f.histograms.keys()]).toEqual(['node.adversaries', 'topology.degree.histogram', 'topology.pathLengthHistogram', 'blocks.delayHistogram']);
  });

  it('aggregates per path with sorted keys and averages histograms element-wise', () => {
    const a = aggregateMetrics([run(1, [2, 4]), run(3, [0, 2, 6])]);
    expect(Object.keys(a.metrics)).toEqual(['messages.byType.ping.count', 'messages.total', 'node.lccFraction', 'topology.degree.mean']);
    expect(a.metrics['messages.total']).toMatchObject({ mean: 200, min: 100, max: 300, n: 2 });
    expect(a.metrics['messages.total'].ci95).toBeCloseTo(12.706205 * (Math.SQRT2 * 100) / Math.SQRT2, 3);
    // Always-empty arrays (no adversaries) are not histograms.
    expect(Object.keys(a.histograms)).toEqual(['blocks.delayHistogram', 'topology.degree.histogram', 'topology.pathLengthHistogram']);
    expect(a.histograms['topology.degree.histogram']).toEqual({ mean: [1, 3, 3], n: 2 });
    expect(a.histograms['topology.pathLengthHistogram'].mean).toEqual([0, 2, 4]);
    expect(a.histograms['blocks.delayHistogram'].mean).toEqual({ '2': 1, '10': 2 });
    expect(Object.keys(a.histograms['blocks.delayHistogram'].mean)).toEqual(['2', '10']);
  });

  it('a metric missing from some seeds is averaged over the seeds that have it', () => {
    const a = aggregateMetrics([{ x: { a: 1, b: 5 } }, { x: { a: 3 } }]);
    expect(a.metrics['x.b']).toEqual({ mean: 5, ci95: null, min: 5, max: 5, n: 1 });
    expect(a.metrics['x.a'].n).toBe(2);
  });

  it('histogram averaging pads arrays and merges object keys', () => {
    expect(averageHistograms([[1, 2], [3]])).toEqual([2, 1]);
    expect(averageHistograms([{ a: 1 }, { b: 2 }])).toEqual({ a: 0.5, b: 1 });
    expect(averageHistograms([])).toEqual([]);
  });

  it('-0 and 0 are one value: min and max do not depend on which came first', () => {
    for (const xs of [[0, -0, -0], [-0, 0, -0], [-0, -0, 0]]) {
      const s = meanCi(xs);
      expect(Object.is(s.min, 0) && Object.is(s.max, 0)).toBe(true);
    }
  });

  it('output does not depend on run order (keys and values)', () => {
    const runArb = fc.record({
      a: fc.record({ x: fc.double({ min: -1e6, max: 1e6, noNaN: true }), y: fc.integer() }, { requiredKeys: ['x'] }),
      b: fc.array(fc.nat(1000), { maxLength: 6 }),
      c10: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(runArb, { minLength: 1, maxLength: 6 }), fc.integer(), (runs, k) => {
        const rot = runs.map((_, i) => runs[(i + Math.abs(k)) % runs.length]);
        const a = aggregateMetrics(runs);
        const b = aggregateMetrics(rot);
        expect(Object.keys(b.metrics)).toEqual(Object.keys(a.metrics));
        expect(b.metrics).toEqual(a.metrics);
        expect(Object.keys(b.histograms)).toEqual(Object.keys(a.histograms));
        for (const p of Object.keys(a.histograms)) {
          (a.histograms[p].mean as number[]).forEach((v, i) => expect((b.histograms[p].mean as number[])[i]).toBeCloseTo(v, 9));
        }
      }),
    );
  });

  it('paths sort segment-wise, numbers numerically', () => {
    expect(['a.10', 'a.2', 'a.b', 'a', 'a.2.x'].sort(comparePaths)).toEqual(['a', 'a.2', 'a.2.x', 'a.10', 'a.b']);
  });
});

describe('aggregateSeries', () => {
  const s1 = [{ tS: 0, messages: 0, lcc: 0 }, { tS: 10, messages: 100, lcc: 0.5 }, { tS: 20, messages: 300, lcc: 1 }];
  const s2 = [{ tS: 0, messages: 0, lcc: 0.2 }, { tS: 10, messages: 300, lcc: 0.7 }, { tS: 20, messages: 500, lcc: 1 }];

  it('averages values per sample time with min and max', () => {
    const a = aggregateSeries([s1, s2], 'lcc');
    expect(a.map((p) => p.tS)).toEqual([0, 10, 20]);
    expect(a[0].mean).toBeCloseTo(0.1, 12);
    expect(a[1]).toMatchObject({ min: 0.5, max: 0.7, n: 2 });
    expect(a[1].mean).toBeCloseTo(0.6, 12);
  });

  it('derives rates from a cumulative counter', () => {
    const r = aggregateSeries([s1, s2], 'messages', 'rate');
    expect(r).toEqual([
      { tS: 10, mean: 20, min: 10, max: 30, n: 2 },
      { tS: 20, mean: 20, min: 20, max: 20, n: 2 },
    ]);
  });

  it('a missing key gives no points', () => {
    expect(aggregateSeries([s1, s2], 'coverageMean')).toEqual([]);
    expect(aggregateSeries([], 'messages', 'rate')).toEqual([]);
  });
});

describe('key-metrics table', () => {
  it('patterns: * within a segment, ** across segments', () => {
    expect(patternRegExp('kademlia.**.success*').test('kademlia.lookups.successRate')).toBe(true);
    expect(patternRegExp('kademlia.**.success*').test('kademlia.success')).toBe(true);
    expect(patternRegExp('kademlia.**.success*').test('kademliaX.success')).toBe(false);
    expect(patternRegExp('**.timeTo50PctS').test('timeTo50PctS')).toBe(true);
    expect(matchPath(['a.b.lccFraction', 'node.lccFraction', 'lccFraction.x'], '**.lccFraction')).toBe('node.lccFraction');
  });

  it('rows follow the curated list, match each strategy by its own path, and leave out absent metrics', () => {
    const g = aggregateMetrics([{ globalmap: { discovery: { timeTo50PctS: 20 } }, messages: { perPeerPerSecond: 10 } }, { globalmap: { discovery: { timeTo50PctS: 22 } }, messages: { perPeerPerSecond: 12 } }]);
    const k = aggregateMetrics([{ kademlia: { discovery: { timeTo50PctS: 30 } }, messages: { perPeerPerSecond: 5 } }]);
    const rows = keyMetricRows({ globalmap: g, kademlia: k });
    expect(rows.map((r) => r.label)).toEqual(['discovery: time to 50% (s)', 'messages /peer/s']);
    expect(rows[0].cells.globalmap?.path).toBe('globalmap.discovery.timeTo50PctS');
    expect(rows[0].cells.kademlia?.path).toBe('kademlia.discovery.timeTo50PctS');
    expect(rows[0].cells.globalmap?.text).toBe(`21 ± ${formatNumber(12.706205)}`);
    expect(rows[0].cells.kademlia?.text).toBe('30');
    const all = keyMetricRows({ globalmap: g, kademlia: k }, { all: true });
    expect(all.length).toBe(2);
  });

  it('formats numbers compactly', () => {
    expect(formatNumber(101302)).toBe('101302');
    expect(formatNumber(1.1255777)).toBe('1.126');
    expect(formatStat({ mean: 3, ci95: 1.963243, min: 1, max: 5, n: 5 })).toBe('3 ± 1.963');
  });
});
