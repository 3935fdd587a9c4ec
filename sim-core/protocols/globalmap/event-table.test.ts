import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventTable } from './event-table.ts';
import { EventRefsMsg, packRef, refSerial } from './event-refs.ts';

const WINDOW_US = 30_000_000;

function seenBy(t: EventTable, serial: number, p: number): boolean {
  return t.hasSeen(p, serial & t.mask);
}

describe('EventTable (interned link events)', () => {
  it('interns an event once: its origin has seen it, its fields are in the columns, the decode path finds the same serial', () => {
    const t = new EventTable(100, WINDOW_US);
    const s = t.intern(7, 42, 3, 1_000, 1_000);
    expect(t.isLive(s)).toBe(true);
    const slot = s & t.mask;
    expect([t.origin[slot], t.peer[slot], t.flags[slot], t.ts[slot]]).toEqual([7, 42, 3, 1_000]);
    expect(seenBy(t, s, 7)).toBe(true);
    expect(seenBy(t, s, 42)).toBe(false);
    expect(t.lookupOrIntern(7, 42, 3, 1_000, 2_000)).toBe(s);
    expect(t.lookupOrIntern(7, 42, 1, 1_000, 2_000)).not.toBe(s); // another kind: another event
  });

  it('counts its outbox planes in its bytes', () => {
    const t = new EventTable(100, WINDOW_US);
    const before = t.bytes;
    const plane = t.outboxPlane(16);
    plane.ensureRow(99);
    expect(plane.bytes).toBeGreaterThan(100 * 16 * 8); // at least the serials of 100 rows × 16 entries
    expect(t.bytes).toBe(before + plane.bytes);
    plane.widen();
    expect(t.bytes).toBe(before + plane.bytes);
  });

  it('grows while more events are live than it has slots, keeping every live event, its fields and its bits', () => {
    const t = new EventTable(100, WINDOW_US);
    const serials: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const s = t.intern(i % 100, (i + 1) % 100, 1, i, i);
      t.ensurePeer(101);
      t.bits[t.wordOf(101, s & t.mask)] |= 1 << (s & t.mask & 31); // peer 101 saw it
      serials.push(s);
    }
    expect(t.capacity).toBeGreaterThanOrEqual(1000);
    for (let i = 0; i < 1000; i++) {
      const s = serials[i];
      expect(t.isLive(s)).toBe(true);
      expect(t.origin[s & t.mask]).toBe(i % 100);
      expect(t.ts[s & t.mask]).toBe(i);
      expect(seenBy(t, s, 101)).toBe(true);
    }
  });

  it('reuses slots of events nobody queued for a window, and a message still naming one finds it gone, not another event', () => {
    const t = new EventTable(10, WINDOW_US);
    // One word of slots (32) holds events from time 0; then a ring's worth more, a window later.
    const old = t.intern(1, 2, 1, 0, 0);
    for (let i = 1; i < 32; i++) t.intern(1, 3, 1, i, 0);
    const cap = t.capacity;
    let now = WINDOW_US + 1;
    for (let i = 0; i < cap - 31; i++) t.intern(3, 4, 1, now + i, now);
    expect(t.capacity).toBe(cap); // the expired word was reused, no growth
    expect(t.isLive(old)).toBe(false);
    now += 1;
    // The decode path re-learns it as a new event.
    const again = t.lookupOrIntern(1, 2, 1, 0, now);
    expect(again).not.toBe(old);
    expect(t.isLive(again)).toBe(true);
  });

  it('touch keeps a queued event recognised past its first window', () => {
    const t = new EventTable(10, WINDOW_US);
    const s = t.intern(1, 2, 1, 0, 0);
    t.touch(s & t.mask, WINDOW_US - 1);
    for (let i = 0; i < 300; i++) t.intern(3, 4, 1, i, WINDOW_US + 10);
    expect(t.isLive(s)).toBe(true);
  });

  it('at its bound it forgets the oldest live events, a word (32) at a time, and counts them', () => {
    const t = new EventTable(10, WINDOW_US, 256);
    const serials = [t.intern(1, 2, 1, 0, 0)];
    for (let i = 1; i < 300; i++) serials.push(t.intern(1, 3, 1, i, 0));
    expect(t.capacity).toBe(256);
    expect(t.evicted).toBe(64);
    expect(serials.filter((s) => !t.isLive(s))).toEqual(serials.slice(0, 64));
  });

  it('widens its bitsets for peer numbers past the planned population, keeping the bits', () => {
    const t = new EventTable(32, WINDOW_US);
    const s = t.intern(5, 6, 1, 0, 0);
    t.ensurePeer(1000);
    expect(t.rows).toBeGreaterThan(1000);
    expect(seenBy(t, s, 5)).toBe(true);
    const s2 = t.intern(999, 5, 1, 1, 1);
    expect(seenBy(t, s2, 999)).toBe(true);
    expect(seenBy(t, s, 999)).toBe(false);
  });

  it("keeps each peer's seen and pending bits apart, through growth of the ring and of the rows, a restart, and slot reuse", () => {
    const t = new EventTable(8, WINDOW_US);
    const bit = (s: number) => 1 << (s & t.mask & 31);
    const seenSet = new Set<string>();
    const pendingSet = new Set<string>();
    const serials: number[] = [];
    for (let i = 0; i < 600; i++) {
      const s = t.intern(i % 8, (i + 1) % 8, 1, i, i);
      serials.push(s);
      seenSet.add(`${i % 8}/${s}`);
      const p = (i * 7) % 8;
      if (i % 3 === 0) {
        t.bits[t.wordOf(p, s & t.mask) + 1] |= bit(s);
        pendingSet.add(`${p}/${s}`);
      }
      if (i === 300) t.ensurePeer(20); // rows grow mid-way
      if (i % 5 === 0 && p !== i % 8) {
        t.bits[t.wordOf(p, s & t.mask)] |= bit(s);
        seenSet.add(`${p}/${s}`);
      }
    }
    expect(t.capacity).toBeGreaterThanOrEqual(600); // the ring grew several times
    const check = () => {
      for (let p = 0; p < 21; p++) {
        for (const s of serials) {
          if (!t.isLive(s)) continue;
          expect(t.hasSeen(p, s & t.mask)).toBe(seenSet.has(`${p}/${s}`));
          expect(t.isPending(p, s & t.mask)).toBe(pendingSet.has(`${p}/${s}`));
        }
      }
    };
    check();
    t.forgetPeer(3);
    for (const k of [...seenSet, ...pendingSet]) if (k.startsWith('3/')) (seenSet.delete(k), pendingSet.delete(k));
    check();
    // A window later the ring reuses its slots: new events start with no bits for anyone.
    const later = WINDOW_US + 700;
    const fresh: number[] = [];
    for (let i = 0; i < 64; i++) fresh.push(t.intern(0, 1, 1, later + i, later));
    for (const s of fresh) for (let p = 1; p < 21; p++) {
      expect(t.hasSeen(p, s & t.mask)).toBe(false);
      expect(t.isPending(p, s & t.mask)).toBe(false);
    }
  });

  it('property: an event interned or touched within the window is live, and its serial always reads back its own fields', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('intern' as const), origin: fc.nat(63), peer: fc.nat(63) }),
      fc.record({ kind: fc.constant('touch' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('advance' as const), us: fc.integer({ min: 1, max: 20_000_000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const t = new EventTable(64, WINDOW_US, 1 << 12);
        let now = 0;
        const model = new Map<number, { origin: number; peer: number; ts: number; lastUs: number }>();
        for (const o of ops) {
          if (o.kind === 'advance') now += o.us;
          else if (o.kind === 'intern') {
            const s = t.intern(o.origin, o.peer, 1, now, now);
            model.set(s, { origin: o.origin, peer: o.peer, ts: now, lastUs: now });
          } else if (model.size > 0) {
            const keys = [...model.keys()];
            const s = keys[o.pick % keys.length];
            if (t.isLive(s)) {
              t.touch(s & t.mask, now);
              model.get(s)!.lastUs = now;
            }
          }
        }
        for (const [s, m] of model) {
          if (now - m.lastUs < WINDOW_US) expect(t.isLive(s)).toBe(true);
          // A message's ref names the event exactly while it is live, and nothing once its slot was reused.
          expect(refSerial(packRef(s, 6), t.mask, t.serialOf)).toBe(t.isLive(s) ? s : -1);
          if (t.isLive(s)) {
            const slot = s & t.mask;
            expect([t.origin[slot], t.peer[slot], t.ts[slot]]).toEqual([m.origin, m.peer, m.ts]);
          }
        }
      }),
      { seed: 14, numRuns: 200 },
    );
  });
});

describe('RefsPool (reused gm-events messages)', () => {
  it('hands a message out again only after its release, empty, and ignores a second release', () => {
    const t = new EventTable(4, 1_000_000);
    const a = t.refsPool.take(8);
    a.packed[a.base + a.count++] = 42;
    const b = t.refsPool.take(8);
    expect(b).not.toBe(a);
    a.release();
    a.release();
    const c = t.refsPool.take(8);
    expect(c).toBe(a);
    expect(c.count).toBe(0);
    expect(t.refsPool.take(8)).not.toBe(a); // released twice, handed out once
    expect(t.refsPool.made).toBe(3);
  });

  it('counts its holders: back in the pool only when the last one (a relay forwarding it, a retained copy) releases it', () => {
    const t = new EventTable(4, 1_000_000);
    const a = t.refsPool.take(8);
    a.retain(); // the network, first flight
    a.retain(); // a relay passes it on as it is: the network again
    a.release(); // the relay's delivery handled
    expect(t.refsPool.take(8)).not.toBe(a);
    a.release(); // the forwarded copy delivered
    const again = t.refsPool.take(8);
    expect(again).toBe(a);
    expect(again.holds).toBe(0);
  });

  it('gives each message its own room in the shared chunks: filled ones read back their refs; a larger capacity gets its own array', () => {
    const t = new EventTable(4, 1_000_000);
    const msgs = Array.from({ length: 5000 }, () => t.refsPool.take(4)); // more than one chunk
    msgs.forEach((m, k) => {
      for (let i = 0; i < 4; i++) m.packed[m.base + m.count++] = k * 4 + i;
    });
    msgs.forEach((m, k) => {
      expect(m.cap).toBe(4);
      expect([...m.packed.subarray(m.base, m.base + m.count)]).toEqual([k * 4, k * 4 + 1, k * 4 + 2, k * 4 + 3]);
    });
    expect(new Set(msgs.map((m) => m.packed)).size).toBe(2);
    const big = t.refsPool.take(9);
    expect(big.cap).toBe(9);
    expect(big.packed).not.toBe(msgs[0].packed);
    msgs[0].release();
    const again = t.refsPool.take(6); // reused, but its room is too small: a fresh array of its own
    expect(again).toBe(msgs[0]);
    expect([again.base, again.cap, again.packed.length]).toEqual([0, 6, 6]);
  });

  it('a message made outside the pool (one broadcast to many) is never reused', () => {
    const t = new EventTable(4, 1_000_000);
    const m = new EventRefsMsg(t, Uint32Array.of(packRef(5, 3)));
    m.release();
    expect(t.refsPool.take(1)).not.toBe(m);
  });
});

describe('packed refs (serial low bits and TTL in one u32)', () => {
  it('property: a ref reads back its serial and TTL while its slot holds that serial, and -1 when the slot is free or holds another serial', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), fc.nat(255), fc.integer({ min: 5, max: 20 }), fc.integer({ min: 1, max: 15 }), (serial, ttl, bits, turns) => {
        const capacity = 2 ** bits;
        const mask = capacity - 1;
        const serialOf = new Float64Array(capacity).fill(-1);
        const ref = packRef(serial, ttl);
        expect(ref >>> 0).toBe(ref);
        expect(ref & 255).toBe(ttl);
        expect(refSerial(ref, mask, serialOf)).toBe(-1); // a free slot
        serialOf[serial & mask] = serial;
        expect(refSerial(ref, mask, serialOf)).toBe(serial);
        // The slot reused `turns` ring turns later (fewer than 2^24 / capacity): the old ref is stale.
        serialOf[serial & mask] = serial + turns * capacity;
        expect(refSerial(ref, mask, serialOf)).toBe(-1);
      }),
      { seed: 3, numRuns: 500 },
    );
  });
});
