import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scheduler } from './scheduler.ts';
import { TraceHash } from './trace-hash.ts';

type Ev = [time: number, kind: number, a: number, b: number, c: number, d: number];

const evArb = fc.tuple(
  fc.integer({ min: 0, max: 2 ** 40 }),
  fc.integer({ min: 1, max: 255 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
);

function hashOf(events: readonly Ev[]): string {
  const h = new TraceHash();
  for (const e of events) h.event(...e);
  return h.hex();
}

describe('TraceHash', () => {
  it("the scheduler's inlined mixing equals TraceHash.event over the same events", () => {
    fc.assert(
      fc.property(fc.array(evArb, { maxLength: 60 }), (raw) => {
        const events = [...raw].sort((x, y) => x[0] - y[0]);
        const s = new Scheduler(16);
        s.setDispatcher({ dispatch: () => {} });
        for (const e of events) s.schedule(e[0], e[1], e[2], e[3], e[4], e[5]);
        s.run(Number.MAX_SAFE_INTEGER, 7); // in chunks, so state is saved and restored between runs
        s.run(Number.MAX_SAFE_INTEGER);
        expect(s.trace.hex()).toBe(hashOf(events));
        expect(s.eventsProcessed).toBe(events.length);
      }),
      { numRuns: 200 },
    );
  });

  it('is 16 hex digits and changes when any field of any event changes', () => {
    fc.assert(
      fc.property(fc.array(evArb, { minLength: 1, maxLength: 20 }), fc.nat(), fc.integer({ min: 0, max: 5 }), (events, at, field) => {
        const i = at % events.length;
        const changed = events.map((e) => [...e] as Ev);
        changed[i][field] = field === 1 ? ((changed[i][1] % 255) + 1) : changed[i][field] + 1;
        const h = hashOf(events);
        expect(h).toMatch(/^[0-9a-f]{16}$/);
        expect(hashOf(changed)).not.toBe(h);
      }),
      { numRuns: 500 },
    );
  });

  it('depends on event order', () => {
    const a: Ev = [1, 1, 2, 3, 4, 5];
    const b: Ev = [1, 1, 3, 2, 4, 5];
    expect(hashOf([a, b])).not.toBe(hashOf([b, a]));
  });
});
