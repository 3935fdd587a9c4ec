import { describe, expect, it } from 'vitest';
import { decimate } from './decimate.ts';

const series = (n: number, f: (i: number) => number): [number, number][] => Array.from({ length: n }, (_, i) => [i, f(i)]);

describe('decimate (line chart points)', () => {
  it('leaves a short line as it is', () => {
    const p = series(100, (i) => i * i);
    expect(decimate(p, 50)).toBe(p);
  });

  it('bounds the points, keeps the ends, every peak and dip, and time order', () => {
    // A spike and a dip a single point wide, far from bucket edges.
    const p = series(10_000, (i) => (i === 4321 ? 100 : i === 7777 ? -100 : Math.sin(i / 500)));
    const d = decimate(p, 200);
    expect(d.length).toBeLessThanOrEqual(4 * 200);
    expect(d[0]).toEqual(p[0]);
    expect(d[d.length - 1]).toEqual(p[p.length - 1]);
    expect(d).toContainEqual([4321, 100]);
    expect(d).toContainEqual([7777, -100]);
    for (let i = 1; i < d.length; i++) expect(d[i][0]).toBeGreaterThan(d[i - 1][0]);
    // The same extremes overall: the drawn line spans the same range.
    const ys = (q: [number, number][]) => q.map((x) => x[1]).filter(Number.isFinite);
    expect(Math.max(...ys(d))).toBe(Math.max(...ys(p)));
    expect(Math.min(...ys(d))).toBe(Math.min(...ys(p)));
  });

  it('keeps a gap (non-finite y) so the line still breaks', () => {
    const p = series(5000, (i) => (i >= 2000 && i < 2010 ? NaN : 1));
    const d = decimate(p, 100);
    expect(d.some((x) => Number.isNaN(x[1]))).toBe(true);
    expect(d.length).toBeLessThanOrEqual(500);
  });
});
