import { describe, expect, it } from 'vitest';
import { ConnHot, REC, R_ID, R_MAPPED_PEER } from './conn-hot.ts';
import { IntKeyMap } from './int-key-map.ts';
import { fillBucket, takeToken } from './token-bucket.ts';

describe('IntKeyMap', () => {
  it('agrees with a Map under random sets and deletes, across growth', () => {
    const m = new IntKeyMap(4);
    const ref = new Map<number, number>();
    let x = 12345;
    const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 20000; i++) {
      // Keys beyond 2^32 and clustered ones exercise the hash and the backward-shift deletion.
      const key = (rand() % 300) * (i % 3 === 0 ? 2 ** 22 : 1) + (i % 5 === 0 ? 2 ** 40 : 0);
      if (rand() % 3 === 0) expect(m.delete(key)).toBe(ref.delete(key));
      else {
        m.set(key, i);
        ref.set(key, i);
      }
      if (i % 97 === 0) for (const [k, v] of ref) expect(m.get(k)).toBe(v);
    }
    expect(m.size).toBe(ref.size);
    expect(m.get(7.5 * 2 ** 41)).toBe(-1);
  });

  it('rejects keys it cannot hold', () => {
    expect(() => new IntKeyMap().set(-1, 0)).toThrow(RangeError);
    expect(() => new IntKeyMap().set(0.5, 0)).toThrow(RangeError);
  });
});

describe('ConnHot', () => {
  it('finds records by connection and by (owner, peer), and forgets them on release', () => {
    const h = new ConnHot<string>(16);
    const a = h.add(3, 2 ** 31 + 5, 0, 'a', 100);
    const b = h.add(4, 7, 0, 'b', 100);
    expect(h.find(2 ** 31 + 5)).toBe(a);
    expect(h.rec[a * REC + R_ID]).toBe(2 ** 31 + 5);
    h.mapPeer(a, 42);
    h.mapPeer(b, 42);
    expect(h.peerRecord(3, 42)).toBe(a);
    expect(h.peerRecord(4, 42)).toBe(b);
    const a2 = h.add(3, 9, 0, 'a2', 200);
    h.mapPeer(a2, 42); // a newer connection to the same peer takes over
    expect(h.peerRecord(3, 42)).toBe(a2);
    expect(h.rec[a * REC + R_MAPPED_PEER]).toBe(-1);
    h.release(a);
    expect(h.peerRecord(3, 42)).toBe(a2);
    expect(h.find(2 ** 31 + 5)).toBe(-1);
    h.dropOwner(3);
    expect(h.peerRecord(3, 42)).toBe(-1);
    expect(h.find(9)).toBe(-1);
    expect(h.find(7)).toBe(b);
    expect(h.size).toBe(1);
  });

  it('a stale record released after its ConnId was reused does not drop the live mapping', () => {
    const h = new ConnHot<string>(16);
    const old = h.add(1, 77, 0, 'old', 0);
    const live = h.add(2, 77, 0, 'live', 0);
    h.release(old);
    expect(h.find(77)).toBe(live);
  });

  it('counts each owner\'s records per remote address: linked while one is left, per owner, cleared by dropOwner', () => {
    const h = new ConnHot<string>(16);
    const x = h.add(1, 10, 50, 'x', 0);
    const y = h.add(1, 11, 50, 'y', 0);
    h.add(2, 12, 50, 'z', 0);
    h.add(1, 13, 60, 'w', 0);
    expect(h.linked(1, 50)).toBe(true);
    expect(h.linked(3, 50)).toBe(false);
    h.release(x);
    expect(h.linked(1, 50)).toBe(true);
    h.release(y);
    expect(h.linked(1, 50)).toBe(false);
    expect(h.linked(2, 50)).toBe(true);
    expect(h.linked(1, 60)).toBe(true);
    h.dropOwner(1);
    expect(h.linked(1, 60)).toBe(false);
    expect(h.linked(2, 50)).toBe(true);
    expect(h.linked(1, -1)).toBe(false);
    expect(() => h.add(1, 14, -1, 'bad', 0)).toThrow(RangeError);
  });

  it('finds every live record by ConnId whatever ids collide in the low-bits cache, agreeing with a model map', () => {
    const h = new ConnHot<number>(16);
    const model = new Map<number, number>(); // conn → record
    let x = 99;
    const rand = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < 5000; i++) {
      // Ids sharing low bits (multiples of 2^10 and 2^31 apart) and World-like ones; some reused while live.
      const conn = (rand() % 64) + (rand() % 4) * 1024 + (i % 7 === 0 ? 2 ** 31 : 0);
      const live = model.get(conn);
      if (live !== undefined && rand() % 2 === 0) {
        h.release(live);
        model.delete(conn);
      } else {
        model.set(conn, h.add(i % 5, conn, 1, i, 0));
      }
      if (i % 50 === 0) for (const [c, idx] of model) expect(h.find(c)).toBe(idx);
    }
    for (const [c, idx] of model) expect(h.find(c)).toBe(idx);
    expect(h.find(7 * 2 ** 40)).toBe(-1);
  });

  it('token bucket: burst, refill by rate, never above burst', () => {
    const r = new Float64Array(REC);
    fillBucket(r, 0, 2, 0);
    expect(takeToken(r, 0, 1, 2, 0)).toBe(true);
    expect(takeToken(r, 0, 1, 2, 0)).toBe(true);
    expect(takeToken(r, 0, 1, 2, 0)).toBe(false);
    expect(takeToken(r, 0, 1, 2, 1_000_000)).toBe(true);
    expect(takeToken(r, 0, 1, 2, 1_000_000)).toBe(false);
    expect(takeToken(r, 0, 1, 2, 60_000_000)).toBe(true);
    expect(takeToken(r, 0, 1, 2, 60_000_000)).toBe(true);
    expect(takeToken(r, 0, 1, 2, 60_000_000)).toBe(false);
  });
});
