import { describe, expect, it } from 'vitest';
import { compareRuns, coverageAt, formatCompare, histogramStd, row } from './compare-metrics.ts';

describe('compare-live figures', () => {
  it('a figure passes within either its relative or its absolute tolerance, and fails beyond both', () => {
    expect(row('x', 10, 10.9, { rel: 0.1, why: '' }).ok).toBe(true);
    expect(row('x', 10, 11.5, { rel: 0.1, why: '' }).ok).toBe(false);
    expect(row('x', 0.01, 0.025, { rel: 0.25, abs: 0.02, why: '' }).ok).toBe(true);
    expect(row('x', null, 3, { abs: 1, why: '' })).toMatchObject({ diff: null, ok: null });
  });

  it('coverage at a time is the last sample at or before it; degree spread from the histogram', () => {
    const series = [{ tS: 0, coverageMean: 0 }, { tS: 10.3, coverageMean: 0.5 }, { tS: 20, coverageMean: 0.9 }];
    expect(coverageAt(series, 10)).toBe(0.5); // live samples land a little late: half a second of slack
    expect(coverageAt(series, 19)).toBe(0.5);
    expect(histogramStd([0, 0, 2, 0, 2])).toBe(1); // degrees 2,2,4,4
    expect(histogramStd([])).toBeNull();
  });

  it('compares the same figures of both runs, message types from either side, and formats a verdict per row', () => {
    const metrics = (deg: number, ping: number, extra?: string) => ({
      topology: { degree: { mean: deg, min: deg, max: deg, histogram: [] }, lccFraction: 1, components: 1, avgPathLength: 2 },
      discovery: { coverageMean: 1, timeTo50PctS: 10, timeTo90PctS: 20 },
      messages: { perPeerPerSecondSteady: 1, bytesPerPeerPerSecondSteady: 100, byTypeSteady: { ping: { perPeerPerSecond: ping }, ...(extra ? { [extra]: { perPeerPerSecond: 1 } } : {}) } },
      node: { handshakes: { established: 100 } },
      series: [{ tS: 10, coverageMean: 0.5 }],
    });
    const rows = compareRuns(metrics(12, 0.4), metrics(20, 0.4, 'addr'), 60, 10);
    const by = Object.fromEntries(rows.map((r) => [r.metric.trim(), r]));
    expect(by['degree mean'].ok).toBe(false);
    expect(by['ping/peer/s'].ok).toBe(true);
    expect(by['addr/peer/s']).toMatchObject({ sim: 0, live: 1, ok: false });
    expect(by['coverage at 10 s']).toMatchObject({ sim: 0.5, live: 0.5, ok: true });
    expect(by['coverage at 60 s']).toBeUndefined(); // not before the end
    expect(formatCompare(rows)).toMatch(/degree mean\s+12\.00\s+20\.00\s+\+8\.00\s+±10%\s+OUTSIDE/);
  });
});
