import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PeerStore, type EntryLink, type StoreLimits } from './peer-store.ts';
import { RecordPool } from './record-pool.ts';
import { F_CONNECT } from './record.ts';

const NOW = 1e9;
const TTL = 10e6;
const CONFIRM = 2e6;

/** A timestamp near NOW, from few distinct values (ties are common); 21 is in the future past the skew. */
const tsOf = (x: number): number => (x === 21 ? NOW + 1e9 : NOW - 1e6 + x * 1e4);

const linkArb = fc.record({ peer: fc.integer({ min: 0, max: 5 }), flags: fc.integer({ min: 0, max: 7 }), x: fc.integer({ min: 0, max: 21 }) });
const eventArb = fc.record({ origin: fc.integer({ min: 0, max: 5 }), link: linkArb });

/** A sync entry: usually sorted by peer and unique (as a record is), sometimes not. */
const entryArb = fc.record({ origin: fc.integer({ min: 0, max: 5 }), links: fc.array(linkArb, { maxLength: 10 }), sorted: fc.boolean(), valid: fc.boolean() });

function toLinks(e: { origin: number; links: { peer: number; flags: number; x: number }[]; sorted: boolean; valid: boolean }): EntryLink[] {
  let links = e.links.map((l) => ({ peer: l.peer, flags: l.flags, timestampUs: tsOf(e.valid && l.x === 21 ? 0 : l.x) }));
  if (e.valid) links = links.filter((l) => l.peer !== e.origin);
  if (e.sorted) links = [...new Map(links.map((l) => [l.peer, l])).values()].sort((a, b) => a.peer - b.peer);
  return links;
}

/** Everything a store holds, internals included: the whole-entry path must leave exactly what link-by-link leaves. */
function state(s: PeerStore): unknown {
  const r = s as unknown as { slots: Int32Array; origins: Int32Array; originCount: number; knownCount: number; cap: number };
  const recs: unknown[] = [];
  for (let o = 0; o < 10; o++) {
    const v = s.record(o);
    recs.push(v ? [[...v.peers], [...v.ts], [...v.flags]] : null);
  }
  // Version ids may differ (fewer intermediate records): contents are compared in recs.
  return { recs, slots: [...r.slots].map((x, i) => (i % 4 === 0 && x >= 0 ? 0 : x)), origins: [...r.origins.subarray(0, r.originCount)], known: r.knownCount, cap: r.cap };
}

function pair(lim: StoreLimits, before: { origin: number; link: { peer: number; flags: number; x: number } }[], gcAt: number): PeerStore[] {
  const stores = [new PeerStore(new RecordPool(), lim), new PeerStore(new RecordPool(), lim)];
  for (const s of stores) {
    before.forEach((e, i) => {
      s.applyLink(e.origin, e.link.peer, e.link.flags, tsOf(e.link.x), NOW);
      if (i === gcAt) s.gc(NOW, TTL, CONFIRM);
    });
    s.gc(NOW, TTL, CONFIRM); // settled records: the entry's bookkeeping must keep their deadlines right
  }
  return stores;
}

describe('PeerStore.applyEntry', () => {
  const limitsArb = fc.constantFrom<StoreLimits>(
    { maxClaims: 32, maxEntries: 64, maxSkewUs: 60e6 },
    { maxClaims: 3, maxEntries: 4, maxSkewUs: 60e6 }, // full records and excess claims are common
    { maxClaims: 2, maxEntries: 6, maxSkewUs: 60e6 },
  );

  it('leaves exactly what applyLink leaves link by link, or changes nothing and says so (-1)', () => {
    let whole = 0;
    fc.assert(
      fc.property(limitsArb, fc.array(eventArb, { maxLength: 40 }), fc.nat(40), fc.array(entryArb, { minLength: 1, maxLength: 4 }), (lim, before, gcAt, entries) => {
        const [seq, ent] = pair(lim, before, gcAt);
        for (const e of entries) {
          const links = toLinks(e);
          const results = links.map((l) => seq.applyLink(e.origin, l.peer, l.flags, l.timestampUs, NOW));
          const untouched = state(ent);
          const n = ent.applyEntry(e.origin, links, NOW);
          if (n < 0) {
            expect(state(ent)).toEqual(untouched);
            for (const l of links) ent.applyLink(e.origin, l.peer, l.flags, l.timestampUs, NOW);
          } else {
            whole++;
            expect(results).not.toContain('invalid');
            expect(results).not.toContain('excessive');
            expect(n).toBe(results.filter((r) => r === 'applied').length);
          }
          expect(state(ent)).toEqual(state(seq));
        }
        // Later GC passes (settled deadlines) and links still agree.
        for (const s of [seq, ent]) s.gc(NOW + 1.5e6, TTL, CONFIRM);
        expect(state(ent)).toEqual(state(seq));
      }),
      { numRuns: 1500 },
    );
    expect(whole).toBeGreaterThan(1000);
  });

  it('is invalid-free and limit-free only when it says so: an invalid link, unsorted peers or a limit reached give -1', () => {
    const s = new PeerStore(new RecordPool(), { maxClaims: 2, maxEntries: 3, maxSkewUs: 60e6 });
    const l = (peer: number, flags = F_CONNECT, timestampUs = NOW): EntryLink => ({ peer, flags, timestampUs });
    expect(s.applyEntry(1, [l(2), l(1)], NOW)).toBe(-1); // origin === peer
    expect(s.applyEntry(1, [l(2), l(3, F_CONNECT, NOW + 61e6)], NOW)).toBe(-1); // future
    expect(s.applyEntry(1, [l(3), l(2)], NOW)).toBe(-1); // not sorted
    expect(s.applyEntry(1, [l(2), l(3), l(4)], NOW)).toBe(-1); // third claim
    expect(s.applyEntry(1, [l(2), l(3, 0), l(4, 0), l(5, 0)], NOW)).toBe(-1); // full: eviction is sequential
    expect(s.record(1)).toBeUndefined();
    expect(s.applyEntry(1, [l(2), l(3, 0), l(4)], NOW)).toBe(3);
    expect(s.applyEntry(1, [l(2), l(3, 0), l(4)], NOW)).toBe(0); // all stale
    expect(s.known).toBe(3); // the origin and its two claims (a tombstone names no one)
  });

  it('a store without a record of the origin takes the sender’s shared version itself: no new record', () => {
    const pool = new RecordPool();
    const sender = new PeerStore(pool, { maxClaims: 32, maxEntries: 64, maxSkewUs: 60e6 });
    for (let p = 2; p < 20; p++) sender.applyLink(1, p, p % 4, NOW - p, NOW);
    const r = sender.record(1)!;
    const links = [...r.peers].map((peer, k) => ({ peer, flags: r.flags[k], timestampUs: r.ts[k] }));
    const created = pool.created;
    const joiner = new PeerStore(pool, { maxClaims: 32, maxEntries: 64, maxSkewUs: 60e6 });
    expect(joiner.applyEntry(1, links, NOW)).toBe(18);
    expect(joiner.version(1)).toBe(sender.version(1));
    expect(pool.created).toBe(created);
    sender.clear();
    joiner.clear();
    expect([pool.size, pool.bytes]).toEqual([0, 0]);
  });
});
