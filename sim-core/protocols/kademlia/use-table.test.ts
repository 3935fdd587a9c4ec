import { describe, expect, it } from 'vitest';
import { UseTable } from './use-table.ts';

describe('UseTable', () => {
  it('keeps one record per (self, peer): fresh on up, gone on remove, all of a self gone on clear, records reused', () => {
    const t = new UseTable();
    t.up(1, 7, 100, true);
    t.up(2, 7, 200, false);
    const a = t.find(1, 7);
    const b = t.find(2, 7);
    expect(a).not.toBe(b);
    expect([t.upUs[a], t.out[a], t.upUs[b], t.out[b]]).toEqual([100, 1, 200, 0]);
    t.inUse[a] = 2;
    t.up(1, 7, 300, false); // up again: the same record, fresh
    expect(t.find(1, 7)).toBe(a);
    expect([t.inUse[a], t.lastUsedUs[a], t.out[a]]).toEqual([0, 300, 0]);
    t.remove(1, 7);
    expect(t.find(1, 7)).toBe(-1);
    expect(t.find(2, 7)).toBe(b);
    t.up(1, 8, 400, true);
    expect(t.find(1, 8)).toBe(a); // the freed record
    for (let p = 0; p < 100; p++) t.up(2, 100 + p, 500, true); // past the initial columns
    expect(t.upUs[t.find(2, 199)]).toBe(500);
    t.clear(2);
    expect([t.find(2, 7), t.find(2, 150), t.find(1, 8)]).toEqual([-1, -1, a]);
  });
});
