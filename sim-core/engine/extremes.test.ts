import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxOf, minOf } from './extremes.ts';

describe('minOf / maxOf', () => {
  it('give what Math.min / Math.max give on the same values (NaN, −0 and the empty list included)', () => {
    const value = fc.oneof(fc.double(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 40 }), (xs) => {
        expect(Object.is(minOf(xs), Math.min(...xs))).toBe(true);
        expect(Object.is(maxOf(xs), Math.max(...xs))).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('take lists longer than any engine lets a call take as arguments, typed arrays too', () => {
    const xs = new Float64Array(1_000_000).map((_, i) => (i * 7919) % 1_000_003);
    xs[654_321] = -3;
    xs[123_456] = 2e6;
    expect(minOf(xs)).toBe(-3);
    expect(maxOf(Array.from(xs))).toBe(2e6);
  });
});
