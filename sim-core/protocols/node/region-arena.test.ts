import { describe, expect, it } from 'vitest';
import { RegionArena } from './region-arena.ts';

describe('RegionArena', () => {
  it('hands out filled regions that never overlap, keeps their contents through growth, reuses freed ones by size', () => {
    const a = new RegionArena();
    const regions: [number, number][] = [];
    for (let i = 0; i < 200; i++) {
      const n = 16 << (i % 4);
      const base = a.takeI32(n, i);
      regions.push([base, n]);
    }
    // Every region still holds its own fill after all the growth the later takes caused.
    regions.forEach(([base, n], i) => expect(a.i32.subarray(base, base + n).every((v) => v === i)).toBe(true));
    const sorted = [...regions].sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i][0]).toBeGreaterThanOrEqual(sorted[i - 1][0] + sorted[i - 1][1]);
    const taken = a.slotsTaken.i32;
    a.releaseI32(regions[5][0], regions[5][1]);
    expect(a.takeI32(regions[5][1], -1)).toBe(regions[5][0]);
    expect(a.slotsTaken.i32).toBe(taken);
    expect(a.takeI32(16, 0)).toBe(taken); // no free region of that size: a new one
  });

  it('clears the values of a released double region, so what they held can be collected', () => {
    const a = new RegionArena();
    const base = a.takeF64(8, -1);
    a.vals[base + 3] = { big: true };
    a.releaseF64(base, 8);
    expect(a.vals[base + 3]).toBeUndefined();
    expect(a.takeF64(8, 2)).toBe(base);
    expect([...a.f64.subarray(base, base + 8)]).toEqual(Array(8).fill(2));
  });

  it('rejects sizes that are not powers of two of at least a line, and takes past its bound', () => {
    const a = new RegionArena(64);
    for (const n of [0, 8, 24, 15.5, -16]) expect(() => a.takeI32(n, 0)).toThrow(RangeError);
    expect(() => a.takeF64(4, 0)).toThrow(RangeError);
    a.takeI32(32, 0); // with the empty index's 16: 48 of 64
    expect(() => a.takeI32(32, 0)).toThrow(/more than 64 ints/);
    expect(() => a.adopt(-1, { release() {} })).toThrow(RangeError);
  });

  it('releases what was adopted for an owner, once, and only for that owner', () => {
    const a = new RegionArena();
    const released: string[] = [];
    a.adopt(3, { release: () => released.push('3a') });
    a.adopt(3, { release: () => released.push('3b') });
    a.adopt(1, { release: () => released.push('1') });
    a.dropOwner(3);
    a.dropOwner(3);
    a.dropOwner(7);
    expect(released).toEqual(['3a', '3b']);
  });

  it('keeps one line of -1 that no take hands out (the index of a map without regions)', () => {
    const a = new RegionArena();
    for (let i = 0; i < 50; i++) a.takeI32(16, 5);
    expect([...a.i32.subarray(a.noneI32, a.noneI32 + 16)]).toEqual(Array(16).fill(-1));
  });
});
