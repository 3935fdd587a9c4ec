import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { OrderedIntMap } from './ordered-int-map.ts';

/** One step: set, delete, or iterate while running more steps at chosen points of the iteration. */
type Op = { kind: 'set'; key: number; value: number } | { kind: 'delete'; key: number } | { kind: 'iterate'; at: number; inner: Op[] };

// Small key ranges collide in the index and churn the slots; a few huge keys too, and aliases:
// keys of 2^31 or more whose low 32 bits are those of a small key (the index keeps only low bits).
const alias = fc.tuple(fc.nat(40), fc.integer({ min: 1, max: 3 })).map(([k, hi]) => k + hi * 2 ** 32);
const key = fc.oneof(
  { weight: 9, arbitrary: fc.nat(40) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) },
  { weight: 1, arbitrary: alias },
);
const flatOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), key }) },
);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 20, arbitrary: flatOp },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('iterate' as const), at: fc.nat(30), inner: fc.array(flatOp, { maxLength: 40 }) }) },
);

interface MapLike extends ReadonlyMap<number, number> {
  set(k: number, v: number): unknown;
  delete(k: number): boolean;
}

/** Runs `ops` on `map`; `log` gets what each delete returned and what each iteration saw, in order. */
function run(ops: Op[], map: MapLike, log: string[]): void {
  for (const o of ops) {
    if (o.kind === 'set') map.set(o.key, o.value);
    else if (o.kind === 'delete') log.push(`delete ${o.key}: ${map.delete(o.key)}`);
    else {
      let n = 0;
      for (const [k, v] of map) {
        log.push(`${k}=${v}`);
        if (n++ === o.at) run(o.inner, map, log);
      }
      log.push('|');
    }
  }
}

describe('OrderedIntMap', () => {
  it('holds and iterates what a Map holds, with turnover and mutations during iteration', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 200, maxLength: 600 }), (ops) => {
        const a = new OrderedIntMap<number>(8);
        const m = new Map<number, number>();
        const logA: string[] = [];
        const logM: string[] = [];
        run(ops, a, logA);
        run(ops, m, logM);
        expect(logA).toEqual(logM);
        expect(a.size).toBe(m.size);
        expect([...a.entries()]).toEqual([...m.entries()]);
        for (let k = 0; k <= 40; k++) {
          for (const kk of [k, k + 2 ** 32, k + 3 * 2 ** 32]) {
            expect(a.has(kk)).toBe(m.has(kk));
            expect(a.get(kk)).toBe(m.get(kk));
          }
        }
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('visits what is added after every entry was deleted mid-iteration, as a Map does', () => {
    for (const map of [new OrderedIntMap<number>(), new Map<number, number>()]) {
      for (const k of [1, 2, 3]) map.set(k, k);
      const seen: number[] = [];
      for (const [k] of map) {
        seen.push(k);
        if (k === 1) {
          for (const d of [1, 2, 3]) map.delete(d);
          map.set(4, 4);
        }
      }
      expect(seen).toEqual([1, 4]);
    }
  });

  it('keeps its slots through constant turnover: compaction, not growth', () => {
    const a = new OrderedIntMap<number>(16);
    const slots = () => (a as unknown as { keysAt: Float64Array }).keysAt;
    let early: Float64Array | undefined;
    for (let i = 0; i < 10_000; i++) {
      a.set(i, i);
      if (i >= 10) a.delete(i - 10);
      if (i === 100) early = slots();
    }
    expect(a.size).toBe(10);
    expect([...a.keys()]).toEqual(Array.from({ length: 10 }, (_, j) => 9_990 + j));
    expect(slots()).toBe(early);
  });

  it('compacts again once an iterator left early (for-of break returns it)', () => {
    const a = new OrderedIntMap<number>(16);
    const slots = () => (a as unknown as { keysAt: Float64Array }).keysAt;
    for (let i = 0; i < 4; i++) a.set(i, i);
    for (const [k] of a) if (k === 1) break;
    const before = slots();
    for (let i = 4; i < 1_000; i++) {
      a.set(i, i);
      a.delete(i - 4);
    }
    expect(slots()).toBe(before);
    expect([...a.keys()]).toEqual([996, 997, 998, 999]);
  });

  it('tells apart keys with the same low 32 bits', () => {
    const a = new OrderedIntMap<string>(8);
    a.set(5, 'five');
    // Not stored: a probe for them must not stop at 5, whose low bits they share (64 of them: some start where 5's probe does).
    for (let hi = 1; hi <= 64; hi++) {
      expect(a.get(5 + hi * 2 ** 32)).toBeUndefined();
      expect(a.has(5 + hi * 2 ** 32)).toBe(false);
    }
    a.set(5 + 2 ** 32, 'alias');
    expect(a.get(5)).toBe('five');
    expect(a.get(5 + 2 ** 32)).toBe('alias');
    expect(a.delete(5)).toBe(true);
    expect(a.get(5)).toBeUndefined();
    expect(a.get(5 + 2 ** 32)).toBe('alias');
    expect([...a.keys()]).toEqual([5 + 2 ** 32]);
  });

  it('rejects keys that are not non-negative safe integers, and stops at maxSize', () => {
    const a = new OrderedIntMap<number>(8, 8);
    for (const bad of [-1, 1.5, NaN, 2 ** 53]) expect(() => a.set(bad, 0)).toThrow(RangeError);
    for (let i = 0; i < 8; i++) a.set(i, i);
    expect(() => a.set(8, 8)).toThrow(/full/);
  });
});
