import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PeerStore, type LinkEvent } from './peer-store.ts';
import { RecordPool } from './record-pool.ts';
import { F_CONNECT, F_OUT } from './record.ts';

const limits = { maxClaims: 32, maxEntries: 64, maxSkewUs: 60e6 };
const NOW = 1e9;

const eventArb: fc.Arbitrary<LinkEvent> = fc.record({
  origin: fc.integer({ min: 0, max: 7 }),
  peer: fc.integer({ min: 0, max: 7 }),
  flags: fc.integer({ min: 0, max: 3 }),
  timestampUs: fc.integer({ min: 0, max: 20 }), // few distinct times: ties are common
});

/** Everything observable about a store, in a canonical form. */
function snapshot(s: PeerStore): unknown {
  const out: unknown[] = [];
  for (let o = 0; o < 8; o++) {
    const r = s.record(o);
    out.push(r ? [o, [...r.peers], [...r.ts], [...r.flags]] : [o, null]);
  }
  return { records: out, known: s.known, confirmed: [0, 1, 2, 3, 4, 5, 6, 7].map((x) => s.confirmedNeighbours(x, []).sort()) };
}

describe('PeerStore', () => {
  it('applying the same events in any order gives the same map (LWW registers)', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), fc.array(fc.nat(), { minLength: 60, maxLength: 60 }), (events, keys) => {
        const pool = new RecordPool();
        const a = new PeerStore(pool, limits);
        const b = new PeerStore(pool, limits);
        for (const e of events) a.apply(e, NOW);
        const shuffled = events.map((e, i) => ({ e, k: keys[i] })).sort((x, y) => x.k - y.k).map((x) => x.e);
        for (const e of shuffled) b.apply(e, NOW);
        expect(snapshot(b)).toEqual(snapshot(a));
        // Identical views share the very same record objects.
        for (let o = 0; o < 8; o++) expect(b.record(o)).toBe(a.record(o));
      }),
      { numRuns: 500 },
    );
  });

  it('known count and mentions agree with a brute-force recount', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 80 }), (events) => {
        const s = new PeerStore(new RecordPool(), limits);
        for (const e of events) s.apply(e, NOW);
        const known = new Set<number>();
        for (let o = 0; o < 8; o++) {
          const r = s.record(o);
          if (!r) continue;
          known.add(o);
          r.peers.forEach((p, k) => {
            if (r.flags[k] & F_CONNECT) known.add(p);
          });
        }
        expect(s.known).toBe(known.size);
      }),
    );
  });

  it('a link is confirmed only when both ends claim it in opposite directions', () => {
    const s = new PeerStore(new RecordPool(), limits);
    s.apply({ origin: 1, peer: 2, flags: F_CONNECT | F_OUT, timestampUs: 5 }, NOW);
    expect(s.isConfirmed(1, 2)).toBe(false); // a phantom so far
    s.apply({ origin: 2, peer: 1, flags: F_CONNECT | F_OUT, timestampUs: 6 }, NOW);
    expect(s.isConfirmed(1, 2)).toBe(false); // both say "out": inconsistent
    s.apply({ origin: 2, peer: 1, flags: F_CONNECT, timestampUs: 7 }, NOW);
    expect(s.isConfirmed(1, 2)).toBe(true);
    expect(s.isConfirmed(2, 1)).toBe(true);
    s.apply({ origin: 1, peer: 2, flags: F_OUT, timestampUs: 8 }, NOW); // 1 disconnects
    expect(s.isConfirmed(2, 1)).toBe(false);
    // An older connect cannot resurrect the link: the tombstone wins.
    expect(s.apply({ origin: 1, peer: 2, flags: F_CONNECT | F_OUT, timestampUs: 6 }, NOW)).toBe('stale');
  });

  it('GC removes stale records and entries, and phantom claims after the confirmation timeout', () => {
    const pool = new RecordPool();
    const s = new PeerStore(pool, limits);
    s.apply({ origin: 1, peer: 2, flags: F_CONNECT | F_OUT, timestampUs: 100 }, NOW); // confirmed below
    s.apply({ origin: 2, peer: 1, flags: F_CONNECT, timestampUs: 100 }, NOW);
    s.apply({ origin: 3, peer: 4, flags: F_CONNECT | F_OUT, timestampUs: 100 }, NOW); // phantom: 4 never confirms
    s.apply({ origin: 5, peer: 6, flags: F_CONNECT, timestampUs: 10 }, NOW); // old
    s.apply({ origin: 5, peer: 7, flags: F_CONNECT, timestampUs: 1000 }, NOW); // fresh
    // At 1000 with a 950 µs TTL (cutoff 50) and a 200 µs confirmation timeout:
    // 5→6 (t=10) is stale; 3→4 is an unconfirmed claim 900 µs old; 5→7 is unconfirmed but fresh.
    const r = s.gc(1000, 950, 200);
    expect(r).toEqual({ removedOrigins: 0, expiredEntries: 1, expiredPhantoms: 1 });
    expect(s.record(5)!.peers).toEqual(new Int32Array([7]));
    expect(s.isConfirmed(1, 2)).toBe(true);
    expect(s.record(3)).toBeUndefined();
    expect(s.isKnown(4)).toBe(false);
    s.gc(100_000, 500, 200);
    expect(s.originsWithRecords).toBe(0);
    expect(pool.size).toBe(0); // every record released
  });

  it('rejects self links, future timestamps and too many claims', () => {
    const s = new PeerStore(new RecordPool(), { ...limits, maxClaims: 2 });
    expect(s.apply({ origin: 1, peer: 1, flags: F_CONNECT, timestampUs: 1 }, NOW)).toBe('invalid');
    expect(s.apply({ origin: 1, peer: 2, flags: F_CONNECT, timestampUs: NOW + 61e6 }, NOW)).toBe('invalid');
    expect(s.apply({ origin: 1, peer: 2, flags: F_CONNECT, timestampUs: 1 }, NOW)).toBe('applied');
    expect(s.apply({ origin: 1, peer: 3, flags: F_CONNECT, timestampUs: 1 }, NOW)).toBe('applied');
    expect(s.apply({ origin: 1, peer: 4, flags: F_CONNECT, timestampUs: 1 }, NOW)).toBe('excessive');
  });

});
