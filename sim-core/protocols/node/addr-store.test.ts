import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AddrStore, GroupCounts } from './addr-store.ts';

/** Dense numbering with swap-remove, as the key array of uniform sampling had it: the model is that array. */
describe('AddrStore', () => {
  it('finds every present address, none absent, and numbers entries like a swap-remove array, over random adds and removes', () => {
    fc.assert(
      // A bound below 65,535 takes the 16-bit index, a larger one the 32-bit index.
      fc.property(fc.constantFrom(64, 70_000), fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 0x7fffffff }), fc.nat()), { maxLength: 400 }), (bound, ops) => {
        const st = new AddrStore(bound);
        const model: number[] = [];
        for (const [add, a, pick] of ops) {
          if (add && model.length < 64 && !model.includes(a)) {
            expect(st.push(a, a % 7 === 0 ? undefined : a + 1, 'addr', a, a >>> 8)).toBe(model.length);
            model.push(a);
          } else if (model.length > 0) {
            const i = pick % model.length;
            st.remove(i);
            const last = model.pop()!;
            if (i < model.length) model[i] = last;
          }
          expect(st.size).toBe(model.length);
        }
        model.forEach((a, i) => {
          expect(st.find(a)).toBe(i);
          expect(st.entry(i)).toEqual({ address: a, peer: a % 7 === 0 ? undefined : a + 1, source: 'addr', lastSeenUs: a, failures: 0, nextDialUs: 0 });
          expect(st.srcGroup[i]).toBe(a >>> 8);
        });
        for (const [, a] of ops) if (!model.includes(a)) expect(st.find(a)).toBe(-1);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses entries beyond its bound', () => {
    const st = new AddrStore(2);
    st.push(1, 1, 'app', 0, 1);
    st.push(2, 2, 'app', 0, 2);
    expect(() => st.push(3, 3, 'app', 0, 3)).toThrow(RangeError);
  });

  it('refuses a network group that is not an int32 (its column is 32-bit)', () => {
    const st = new AddrStore(4);
    for (const g of [2 ** 31, -(2 ** 31) - 1, 0.5, NaN]) expect(() => st.push(1, 1, 'app', 0, g)).toThrow(RangeError);
    expect(st.size).toBe(0);
    st.push(1, 1, 'app', 0, -(2 ** 31));
    expect(st.srcGroup[0]).toBe(-(2 ** 31));
  });
});

describe('GroupCounts', () => {
  it('counts like a Map of counts that drops zeros, over random increments and decrements', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.oneof(fc.integer({ min: -5, max: 40 }), fc.constant(2 ** 40), fc.constant(NaN)), fc.boolean()), { maxLength: 300 }), (ops) => {
        const c = new GroupCounts();
        const model = new Map<number, number>();
        for (const [g, inc] of ops) {
          const have = model.get(g) ?? 0;
          if (!inc && have === 0) continue;
          c.add(g, inc ? 1 : -1);
          const n = have + (inc ? 1 : -1);
          if (n > 0) model.set(g, n);
          else model.delete(g);
          for (const [k, v] of model) expect(c.get(k)).toBe(v);
        }
        for (const [g] of ops) expect(c.get(g)).toBe(model.get(g) ?? 0);
      }),
      { numRuns: 200 },
    );
  });
});
