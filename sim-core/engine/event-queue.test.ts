import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue.ts';
import { Scheduler } from './scheduler.ts';

/** Operations a property run applies to a queue. */
type Op = { kind: 'push'; time: number } | { kind: 'pop' } | { kind: 'cancel'; pick: number };

const opArb = (allowCancel: boolean): fc.Arbitrary<Op> =>
  fc.oneof(
    // Few distinct times, so ties are common and FIFO order is exercised.
    { weight: 5, arbitrary: fc.integer({ min: 0, max: 20 }).map((time) => ({ kind: 'push' as const, time })) },
    { weight: 3, arbitrary: fc.constant({ kind: 'pop' as const }) },
    ...(allowCancel ? [{ weight: 2, arbitrary: fc.nat().map((pick) => ({ kind: 'cancel' as const, pick })) }] : []),
  );

describe('EventQueue', () => {
  it('pops in (time, seq) order, identical to a reference sort', () => {
    fc.assert(
      fc.property(fc.array(opArb(false), { maxLength: 400 }), (ops) => {
        const q = new EventQueue(16);
        const ref: { time: number; seq: number; value: number }[] = [];
        let nextValue = 0;
        const free: number[] = [];
        for (const op of ops) {
          if (op.kind === 'push') {
            const value = free.pop() ?? nextValue++;
            const seq = q.push(op.time, value);
            ref.push({ time: op.time, seq, value });
          } else {
            ref.sort((a, b) => a.time - b.time || a.seq - b.seq);
            const want = ref.shift();
            const got = q.pop();
            expect(got).toBe(want ? want.value : -1);
            if (want) free.push(want.value);
          }
          expect(q.length).toBe(ref.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('throws a typed error past its bound instead of growing', () => {
    const q = new EventQueue(16, 16);
    for (let i = 0; i < 16; i++) q.push(i, i);
    expect(() => q.push(0, 16)).toThrow(/full/);
  });
});

describe('Scheduler', () => {
  it('runs schedules minus cancels in (time, seq) order, like a reference sort', () => {
    fc.assert(
      fc.property(fc.array(opArb(true), { maxLength: 300 }), (ops) => {
        const s = new Scheduler(16);
        const fired: number[] = [];
        s.setDispatcher({ dispatch: (_k, a) => void fired.push(a) });
        const ref: { time: number; order: number; id: number; handle: number; live: boolean }[] = [];
        let id = 0;
        for (const op of ops) {
          if (op.kind === 'push') {
            const handle = s.schedule(s.now + op.time, 1, id, 0, 0, 0);
            ref.push({ time: s.now + op.time, order: id, id, handle, live: true });
            id++;
          } else if (op.kind === 'cancel' && ref.length > 0) {
            const r = ref[op.pick % ref.length];
            const pending = r.live && !fired.includes(r.id);
            expect(s.cancel(r.handle)).toBe(pending);
            r.live = false;
          } else if (op.kind === 'pop') {
            s.run(s.nextTime() ?? s.now, 1); // one event, without moving the clock past it
          }
        }
        s.run(Number.MAX_SAFE_INTEGER);
        const expected = ref
          .filter((r) => r.live || fired.includes(r.id))
          .sort((a, b) => a.time - b.time || a.order - b.order)
          .map((r) => r.id);
        // Events popped early (op 'pop') ran at their time too, so the total order is the same.
        expect(fired).toEqual(expected);
        expect(s.pending).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('stops at the time bound and at the event bound, and sets the clock', () => {
    const s = new Scheduler();
    const seen: number[] = [];
    s.setDispatcher({ dispatch: () => void seen.push(s.now) });
    for (const t of [5, 10, 15, 20]) s.schedule(t, 1, 0, 0, 0, 0);
    expect(s.run(12)).toBe('until');
    expect(seen).toEqual([5, 10]);
    expect(s.now).toBe(12);
    expect(s.run(100, 1)).toBe('max-events');
    expect(seen).toEqual([5, 10, 15]);
    expect(s.run(100)).toBe('empty');
    expect(s.now).toBe(100);
    expect(s.eventsProcessed).toBe(4);
  });

  it('a fractional time bound leaves the clock on a whole µs (time is integer µs)', () => {
    const s = new Scheduler();
    const seen: number[] = [];
    s.setDispatcher({ dispatch: () => void seen.push(s.now) });
    s.schedule(12, 1, 0, 0, 0, 0);
    s.schedule(13, 1, 0, 0, 0, 0);
    expect(s.run(12.9999)).toBe('until');
    expect(seen).toEqual([12]);
    expect(s.now).toBe(12);
    expect(s.run(54201857.00003576)).toBe('empty');
    expect(s.now).toBe(54201857);
    expect(Number.isInteger(s.now)).toBe(true);
  });

  it('rejects times in the past and non-integer times', () => {
    const s = new Scheduler();
    s.setDispatcher({ dispatch: () => {} });
    s.schedule(10, 1, 0, 0, 0, 0);
    s.run(10);
    expect(() => s.schedule(9, 1, 0, 0, 0, 0)).toThrow(/integer ≥ now/);
    expect(() => s.schedule(10.5, 1, 0, 0, 0, 0)).toThrow(/integer ≥ now/);
  });

  it('a cancelled handle cannot cancel the event that later reuses its slot', () => {
    const s = new Scheduler(16);
    const fired: number[] = [];
    s.setDispatcher({ dispatch: (_k, a) => void fired.push(a) });
    const h1 = s.schedule(1, 1, 1, 0, 0, 0);
    s.run(1);
    s.schedule(2, 1, 2, 0, 0, 0); // reuses h1's slot
    expect(s.cancel(h1)).toBe(false);
    s.run(5);
    expect(fired).toEqual([1, 2]);
  });
});
