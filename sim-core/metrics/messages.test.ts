import { describe, expect, it } from 'vitest';
import { steadyIntervals } from './messages.ts';

/** Cumulative message counts every 30 s for `peers` peers sending `rateAt(t)` messages per peer per second. */
function series(peers: number, endS: number, rateAt: (tS: number) => number): { tS: number; messages: number }[] {
  const out = [{ tS: 0, messages: 0 }];
  for (let t = 30; t <= endS; t += 30) out.push({ tS: t, messages: out[out.length - 1].messages + peers * 30 * rateAt(t - 30) });
  return out;
}

describe('steadyIntervals', () => {
  it('reports the quiet steady rate as the median and a periodic burst as the peak, with its start', () => {
    // 4 msg/peer/s, except a 60 s refresh burst at 20 from t = 1200 s; join traffic (50) before the window.
    const pts = series(100, 1800, (t) => (t < 300 ? 50 : t >= 1200 && t < 1260 ? 20 : 4));
    const r = steadyIntervals(pts, 900, 100);
    expect(r.steadyMedianPerPeerPerSecond).toBeCloseTo(4, 9);
    expect(r.steadyPeakPerPeerPerSecond).toBeCloseTo(20, 9);
    expect(r.steadyPeakFromS).toBe(1200);
  });

  it('leaves out intervals that begin before the window, and reports nothing without an interval', () => {
    const pts = series(10, 120, (t) => (t < 60 ? 100 : 1));
    expect(steadyIntervals(pts, 60, 10)).toEqual({ steadyMedianPerPeerPerSecond: 1, steadyPeakPerPeerPerSecond: 1, steadyPeakFromS: 60 });
    expect(steadyIntervals(pts, 120, 10)).toEqual({});
    expect(steadyIntervals([], 0, 10)).toEqual({});
  });
});
