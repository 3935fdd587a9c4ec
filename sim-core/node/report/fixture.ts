import { aggregateMetrics } from '../../metrics/aggregate.ts';
import type { CompareResult, RunRecord, StrategyResult } from '../compare/compare.ts';

/**
 * A synthetic comparison with every plotted key present (coverage, messages,
 * LCC series; degree and path-length histograms), for report tests before
 * the strategies produce them. `missing` strategies get only the base
 * series, to exercise "no data". Deterministic: no randomness.
 */
export function syntheticCompare(strategies: readonly string[] = ['globalmap', 'kademlia', 'random'], seeds = [1, 2, 3], missing: readonly string[] = []): CompareResult {
  const out: Record<string, StrategyResult> = {};
  strategies.forEach((name, si) => {
    const runs: RunRecord[] = seeds.map((seed) => {
      const k = 1 + si * 0.3 + seed * 0.01;
      const full = !missing.includes(name);
      const series = Array.from({ length: 31 }, (_, i) => {
        const tS = i * 10;
        const base = { tS, messages: Math.round(1000 * k * i + 50 * i * i), bytes: 80_000 * i, openConnections: 10 * i };
        return full ? { ...base, coverageMean: 1 - Math.exp(-i / (4 * k)), lccFraction: Math.min(1, i / (5 * k)) } : base;
      });
      const degree = Array.from({ length: 16 + si * 4 }, (_, d) => Math.round(300 * Math.exp(-((d - 8 - si * 2) ** 2) / 8)));
      const paths = [0, 300 * 12, 300 * 60 * k, 300 * 120, 300 * 50 / k, 300 * 6];
      const metrics: Record<string, unknown> = {
        messages: { total: 30_000 * k, perPeerPerSecond: 10 * k, bytesPerPeerPerSecond: 800 * k, byType: { ping: { count: 100 * seed } } },
        connections: { dials: 1000 + seed, opened: 900 },
        ...(full
          ? {
              topology: {
                nodes: 300,
                degree: { min: 1, mean: 8 + si * 2 + seed * 0.1, max: degree.length - 1, histogram: degree },
                lccFraction: 1,
                avgPathLength: 3 + si * 0.2 + seed * 0.05,
                diameter: 5 + (seed % 2),
                pathLengthHistogram: paths,
                pathsExact: true,
                clustering: 0.1 * k,
                meanOverlap: 1.5 * k,
              },
              [name]: { discovery: { timeTo50PctS: 20 * k, timeTo90PctS: 45 * k } },
            }
          : {}),
        series,
      };
      return { seed, traceHash: (0x1234abcd00000000n + BigInt(si * 100 + seed)).toString(16), endReason: 'completed', eventsProcessed: 1e6, simulatedSeconds: 300, wallSeconds: 1.5, eventsPerSecond: 6.6e5, peakRssBytes: 2e8, metrics };
    });
    out[name] = { aggregate: aggregateMetrics(runs.map((r) => r.metrics)), runs };
  });
  return {
    scenario: { name: 'synthetic', file: 'synthetic.yaml', peers: 300, durationS: 300, config: {} as CompareResult['scenario']['config'] },
    seeds,
    strategies: out,
    generatedBy: 'peermap test',
    commit: 'test',
  };
}
