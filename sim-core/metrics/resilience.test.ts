import { describe, expect, it } from 'vitest';
import { resilienceMetrics } from './resilience.ts';

describe('resilienceMetrics', () => {
  it('reads LCC before and after a partition, and the time to recover after the heal', () => {
    const series = [0, 10, 20, 30, 40, 50, 60].map((tS) => ({ tS, lccFraction: tS < 20 ? 1 : tS < 40 ? 0.5 : tS < 50 ? 0.8 : 1 }));
    const r = resilienceMetrics(series, [
      { tS: 20, event: 'partition', name: 'cut', hosts: 10 },
      { tS: 30, event: 'heal', name: 'cut', hosts: 0 },
    ]);
    expect(r).toEqual([{ event: 'partition', name: 'cut', atS: 20, hosts: 10, endedAtS: 30, lccBefore: 1, lccAfterMin: 0.5, timeToRecoverS: 20 }]);
  });

  it('time to forget the dead counts only until the restart; never recovering is null', () => {
    const series = [0, 10, 20, 30, 40].map((tS) => ({ tS, lccFraction: tS >= 10 ? 0.2 : 1, deadKnownMean: tS >= 10 && tS < 30 ? 0.9 : 0 }));
    const [r] = resilienceMetrics(series, [
      { tS: 10, event: 'outage', name: 'x', hosts: 5 },
      { tS: 30, event: 'restore', name: 'x', hosts: 5 },
    ]);
    expect(r.timeToForgetDeadS).toBeNull();
    expect(r.timeToRecoverS).toBeNull();
  });

  it('reads a series of any length: 300,000 samples during a partition never healed (a spread into Math.min threw past the engine argument limit)', () => {
    const n = 300_000;
    const series = Array.from({ length: n }, (_, i) => ({ tS: i * 0.05, lccFraction: i < 100 ? 1 : 0.5 + ((i * 7919) % 1000) / 4000 }));
    series[n - 5].lccFraction = 0.25;
    const [r] = resilienceMetrics(series, [{ tS: 5, event: 'partition', name: 'cut', hosts: 2 }]);
    expect(r.lccAfterMin).toBe(0.25);
    expect(r.endedAtS).toBeNull();
  });
});
