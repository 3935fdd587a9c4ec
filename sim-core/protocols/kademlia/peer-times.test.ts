import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PeerTimes } from './peer-times.ts';

type Op = { kind: 'set'; peer: number; t: number } | { kind: 'get'; peer: number } | { kind: 'retain'; mod: number; rest: number };

// Few peers collide and fill the table; a few large ones and times past 2^32 µs too.
const peer = fc.oneof({ weight: 9, arbitrary: fc.nat(60) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x7fffffff }) });
const time = fc.oneof(fc.nat(1_000_000), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), peer, t: time }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('get' as const), peer }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retain' as const), mod: fc.integer({ min: 1, max: 4 }), rest: fc.nat(3) }) },
);

describe('PeerTimes', () => {
  it('answers every get, size and retain as a Map would', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const times = new PeerTimes();
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            times.set(o.peer, o.t);
            model.set(o.peer, o.t);
          } else if (o.kind === 'get') {
            expect(times.get(o.peer)).toBe(model.get(o.peer));
          } else {
            const keep = (p: number) => p % o.mod === o.rest % o.mod;
            times.retain(keep);
            for (const p of [...model.keys()]) if (!keep(p)) model.delete(p);
          }
          expect(times.size).toBe(model.size);
        }
        for (const [p, t] of model) expect(times.get(p)).toBe(t);
      }),
    );
  });

  it('names no peer outside the non-negative int32 range, and refuses to store one', () => {
    const times = new PeerTimes();
    for (const p of [-1, 0.5, 2 ** 31, NaN]) {
      expect(times.get(p)).toBeUndefined();
      expect(() => times.set(p, 1)).toThrow(RangeError);
    }
    times.set(0x7fffffff, 2 ** 40);
    expect(times.get(0x7fffffff)).toBe(2 ** 40);
  });
});
