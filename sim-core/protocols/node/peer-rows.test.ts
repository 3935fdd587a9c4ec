import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PeerRows } from './peer-rows.ts';

describe('PeerRows', () => {
  it('agrees with a map per owner under sets and deletes, across new rows and wider rows', () => {
    const op = fc.record({ del: fc.boolean(), owner: fc.nat(70), peer: fc.oneof(fc.nat(60), fc.integer({ min: 0, max: 0x7ffffffe })), value: fc.nat() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const rows = new PeerRows();
        const model = new Map<string, number>();
        for (const o of ops) {
          const key = `${o.owner}/${o.peer}`;
          if (o.del) expect(rows.delete(o.owner, o.peer)).toBe(model.delete(key));
          else {
            rows.set(o.owner, o.peer, o.value);
            model.set(key, o.value);
          }
        }
        for (let owner = 0; owner <= 71; owner++) {
          for (let peer = 0; peer <= 61; peer++) expect(rows.get(owner, peer)).toBe(model.get(`${owner}/${peer}`) ?? -1);
        }
        for (const [key, v] of model) {
          const [owner, peer] = key.split('/').map(Number);
          expect(rows.get(owner, peer)).toBe(v);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('widens only the row of the owner that outgrows it, and reuses the row it left', () => {
    const rows = new PeerRows();
    for (let owner = 0; owner < 4; owner++) rows.set(owner, 7, owner);
    for (let p = 0; p < 100; p++) rows.set(2, p * 31, p);
    expect(rows.widthOf(2)).toBeGreaterThanOrEqual(200);
    for (const owner of [0, 1, 3]) expect(rows.widthOf(owner)).toBe(rows.widthOf(0));
    expect(rows.widthOf(0)).toBeLessThan(32);
    expect(rows.widthOf(9)).toBe(0);
    // A newcomer takes a row the hub left behind: it must come empty.
    rows.set(9, 5, 55);
    for (let p = 0; p < 200; p++) expect(rows.get(9, p)).toBe(p === 5 ? 55 : -1);
    for (let p = 0; p < 100; p++) expect(rows.get(2, p * 31)).toBe(p === 0 ? 0 : p);
    for (let owner = 0; owner < 4; owner++) expect(rows.get(owner, 7)).toBe(owner);
  });

  it('keeps one owner with many peers (rows widen) beside the others, and bounds a row', () => {
    const rows = new PeerRows(64);
    for (let p = 0; p < 32; p++) rows.set(5, p * 1000, p);
    rows.set(6, 3, 99);
    for (let p = 0; p < 32; p++) expect(rows.get(5, p * 1000)).toBe(p);
    expect(rows.get(6, 3)).toBe(99);
    expect(() => rows.set(5, 1, 1)).toThrow(RangeError);
    expect(() => rows.set(0, -1, 0)).toThrow(RangeError);
  });
});
