import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HostEnds } from './host-ends.ts';

/** Mostly a few hosts and ends, so lists grow and shrink at both ends; sometimes past the initial capacities. */
const host = fc.oneof(fc.nat(3), fc.nat(69));
const end = fc.oneof(fc.nat(15), fc.nat(1199));
const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), host, end }),
  fc.record({ kind: fc.constant('remove' as const), host, end, stale: fc.boolean() }),
  fc.record({ kind: fc.constant('clear' as const), host }),
);

describe('HostEnds', () => {
  it('lists what a Set per host holds, in insertion order, under adds, removes (stale handles too) and clears', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 20, maxLength: 400, size: 'max' }), (ops) => {
        const ends = new HostEnds();
        const ref = new Map<number, Set<number>>();
        /** Host and handle of each listed end, as the World keeps them (an end is listed once). */
        const listed = new Map<number, { host: number; handle: number }>();
        let gen = 0;
        const setOf = (h: number) => ref.get(h) ?? ref.set(h, new Set()).get(h)!;
        for (const o of ops) {
          if (o.kind === 'add') {
            if (listed.has(o.end)) continue; // the World lists an end only once between its open and its close
            const handle = ++gen * 4096 + o.end;
            ends.add(o.host, o.end, handle);
            setOf(o.host).add(handle);
            listed.set(o.end, { host: o.host, handle });
          } else if (o.kind === 'remove') {
            const l = listed.get(o.end);
            const host = l?.host ?? o.host;
            const handle = l === undefined || o.stale ? -1 - o.end : l.handle;
            ends.remove(host, o.end, handle);
            if (setOf(host).delete(handle)) listed.delete(o.end);
          } else {
            ends.clear(o.host);
            for (const h of setOf(o.host)) listed.delete(h % 4096);
            setOf(o.host).clear();
          }
        }
        for (let h = 0; h < 72; h++) {
          expect(ends.handles(h)).toEqual([...(ref.get(h) ?? [])]);
          expect(ends.size(h)).toBe(ref.get(h)?.size ?? 0);
        }
      }),
      { seed: 1, numRuns: 300 },
    );
  });
});
