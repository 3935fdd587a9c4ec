import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PeerStore, type LinkEvent } from './peer-store.ts';
import { RecordPool } from './record-pool.ts';
import { StoreGrid } from './store-grid.ts';

const limits = { maxClaims: 32, maxEntries: 64, maxSkewUs: 60e6 };

/** Everything observable about a store over peers [0, n). */
function view(s: PeerStore, n: number): unknown {
  const out: unknown[] = [];
  for (let o = 0; o < n; o++) {
    const r = s.record(o);
    out.push([s.isKnown(o), r ? [[...r.peers], [...r.ts], [...r.flags]] : null, s.confirmedNeighbours(o, []).sort()]);
  }
  return { out, known: s.known, origins: s.originsWithRecords };
}

describe('StoreGrid (every map of a simulation in one array)', () => {
  it('stores sharing a grid hold what stores on their own hold, while rows are added and widened past the hint', () => {
    const event = fc.record({
      store: fc.integer({ min: 0, max: 5 }),
      origin: fc.integer({ min: 0, max: 150 }),
      peer: fc.integer({ min: 0, max: 150 }),
      flags: fc.integer({ min: 0, max: 3 }),
      timestampUs: fc.integer({ min: 0, max: 50 }),
    });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 200 }), fc.integer({ min: 0, max: 100 }), fc.constantFrom(1 << 28, 600, 4096), (events, hint, segmentInts) => {
        const pool = new RecordPool();
        // Small arrays (a few rows each) exercise rows split over several arrays, as past 8,192 peers.
        const grid = new StoreGrid(hint, hint, segmentInts);
        const shared: PeerStore[] = [];
        const alone: PeerStore[] = [];
        for (const e of events) {
          // Stores are made as they are first needed: rows are added between applies.
          while (shared.length <= e.store) {
            shared.push(new PeerStore(pool, limits, hint, grid));
            alone.push(new PeerStore(new RecordPool(), limits));
          }
          const le: LinkEvent = { origin: e.origin, peer: e.peer, flags: e.flags, timestampUs: e.timestampUs };
          expect(shared[e.store].apply(le, 1e6)).toBe(alone[e.store].apply(le, 1e6));
        }
        for (let i = 0; i < shared.length; i++) {
          shared[i].gc(2e6, 1e6, 5e5);
          alone[i].gc(2e6, 1e6, 5e5);
          expect(view(shared[i], 151)).toEqual(view(alone[i], 151));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('widens every row at once and keeps each row in place (a store made later gets a fresh row)', () => {
    const pool = new RecordPool();
    const grid = new StoreGrid(10);
    expect(grid.segmentCount).toBe(0);
    const a = new PeerStore(pool, limits, 10, grid);
    a.applyLink(1, 2, 1, 5, 10);
    const b = new PeerStore(pool, limits, 10, grid);
    expect(b.cap).toBe(a.cap);
    expect(b.slots).toBe(a.slots);
    expect(b.b).not.toBe(a.b);
    expect(b.isKnown(1)).toBe(false);
    b.applyLink(300, 1, 1, 5, 10); // past the hint: both rows widen
    expect(a.cap).toBeGreaterThan(300);
    expect(a.slots).toBe(b.slots);
    expect([a.isKnown(1), a.isKnown(2), a.isKnown(300)]).toEqual([true, true, false]);
    expect([b.isKnown(1), b.isKnown(2), b.isKnown(300)]).toEqual([true, false, true]);
  });

  it('splits rows over several arrays when one would be too large, each store in one of them', () => {
    const pool = new RecordPool();
    const grid = new StoreGrid(64, 8, 64 * 4 * 2); // two rows of 64 peers per array, room for 8 rows
    const stores = Array.from({ length: 7 }, () => new PeerStore(pool, limits, 64, grid));
    stores.forEach((s, i) => s.applyLink(i, 40 + i, 1, 5, 10));
    expect(grid.segmentCount).toBe(4);
    expect(new Set(stores.map((s) => s.slots)).size).toBe(4);
    const check = () =>
      stores.forEach((s, i) => {
        expect(s.b + s.cap * 4).toBeLessThanOrEqual(s.slots.length);
        for (let p = 0; p < 64; p++) expect(s.isKnown(p)).toBe(p === i || p === 40 + i);
      });
    check();
    // More stores than reserved: full arrays stay as they are, rows are added after them.
    const before = stores[0].slots;
    for (let i = 7; i < 12; i++) {
      stores.push(new PeerStore(pool, limits, 64, grid));
      stores[i].applyLink(i, 40 + i, 1, 5, 10);
    }
    expect(stores[0].slots).toBe(before);
    expect(grid.segmentCount).toBe(8);
    check();
    // Wider rows: everything is laid out again, rows kept.
    stores[11].applyLink(11, 100, 1, 6, 10);
    expect(stores[0].slots).not.toBe(before);
    expect(stores[11].isKnown(100)).toBe(true);
    expect(stores[10].isKnown(100)).toBe(false);
    check();
  });
});
