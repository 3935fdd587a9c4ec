import { describe, expect, it } from 'vitest';
import { coverageCurve, lccCurve, messageRateCurve, staleCurve } from './series.ts';

const p = (tS: number, messages: number, extra: Record<string, number> = {}) => ({ tS, messages, bytes: 0, openConnections: 0, ...extra });

describe('dashboard curves', () => {
  it('messages/s is the slope of the cumulative count between samples', () => {
    expect(messageRateCurve([p(0, 0), p(10, 500), p(20, 700), p(20, 700)])).toEqual([
      [10, 50],
      [20, 20],
    ]);
  });
  it('coverage and LCC only where reported', () => {
    const pts = [p(0, 0), p(5, 1, { coverageMean: 0.5, lccFraction: 1 })];
    expect(coverageCurve(pts)).toEqual([[5, 0.5]]);
    expect(lccCurve(pts)).toEqual([[5, 1]]);
  });
  it('dead peers still in maps: from the first death on (before it the figure says nothing)', () => {
    const pts = [p(0, 0, { deadKnownMean: 0 }), p(5, 1, { deadKnownMean: 0 }), p(10, 2, { deadKnownMean: 0.9 }), p(15, 3, { deadKnownMean: 0.2 }), p(20, 4, { deadKnownMean: 0 })];
    expect(staleCurve(pts)).toEqual([
      [10, 0.9],
      [15, 0.2],
      [20, 0],
    ]);
    expect(staleCurve([p(0, 0), p(5, 1, { deadKnownMean: 0 })])).toEqual([]);
  });
});
