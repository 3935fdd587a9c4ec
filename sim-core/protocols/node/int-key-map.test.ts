import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntKeyMap, staysPastHole } from './int-key-map.ts';

describe('staysPastHole', () => {
  it('is true exactly when a walk from the slot after the hole reaches the home before passing j', () => {
    const table = fc.integer({ min: 1, max: 7 }).chain((bits) => {
      const slot = fc.nat((1 << bits) - 1);
      return fc.record({ size: fc.constant(1 << bits), home: slot, hole: slot, j: slot });
    });
    fc.assert(
      fc.property(table, ({ size, home, hole, j }) => {
        fc.pre(j !== hole);
        let reached = false;
        for (let s = (hole + 1) % size; ; s = (s + 1) % size) {
          if (s === home) reached = true;
          if (s === j) break;
        }
        expect(staysPastHole(home, hole, j)).toBe(reached);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('IntKeyMap', () => {
  it('agrees with a Map under sets and deletes, colliding keys and growth included', () => {
    const op = fc.record({ del: fc.boolean(), key: fc.oneof(fc.nat(40), fc.nat(2 ** 40)), value: fc.nat(0x7fffffff) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 500 }), (ops) => {
        const map = new IntKeyMap(4);
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.del) expect(map.delete(o.key)).toBe(model.delete(o.key));
          else {
            map.set(o.key, o.value);
            model.set(o.key, o.value);
          }
          expect(map.size).toBe(model.size);
        }
        for (let k = 0; k <= 41; k++) expect(map.get(k)).toBe(model.get(k) ?? -1);
        for (const [k, v] of model) expect(map.get(k)).toBe(v);
      }),
      { numRuns: 200 },
    );
  });
});
