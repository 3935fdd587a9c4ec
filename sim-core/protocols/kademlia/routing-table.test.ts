import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { US_PER_S } from '../../engine/time.ts';
import { KAD_BUCKETS, kademliaConfig } from './constants.ts';
import { KadIdTable, kadIdToBigInt } from './ids.ts';
import { RoutingTable } from './routing-table.ts';
import { ID_MASK, kadIdFromBigInt } from './test-support.ts';

const SELF = 0;
const id160 = fc.bigInt({ min: 0n, max: ID_MASK });

/** A table over peers 1..ids.length with the given ids; peer 0 (self) has id `self`. */
function makeTable(self: bigint, ids: readonly bigint[], k: number, cache = 2): RoutingTable {
  const t = new KadIdTable(4);
  t.set(SELF, kadIdFromBigInt(self));
  ids.forEach((v, i) => t.set(i + 1, kadIdFromBigInt(v)));
  return new RoutingTable(t, SELF, kademliaConfig({ k, replacementCacheSize: cache }));
}

/** Throws on the first broken invariant (plain checks: this runs ~10^5 times per property). */
function checkInvariants(rt: RoutingTable): void {
  const fail = (msg: string): never => {
    throw new Error(`routing table invariant: ${msg}`);
  };
  const seen = new Set<number>();
  let size = 0;
  for (let b = 0; b < KAD_BUCKETS; b++) {
    const entries = rt.bucket(b);
    const cache = rt.replacements(b);
    if (entries.length > rt.config.k) fail(`bucket ${b} holds ${entries.length} > k`);
    if (cache.length > rt.config.replacementCacheSize) fail(`cache ${b} holds ${cache.length}`);
    for (const p of [...entries, ...cache]) {
      if (seen.has(p)) fail(`peer ${p} listed twice`);
      seen.add(p);
      if (rt.ids.bucketIndex(rt.self, p) !== b) fail(`peer ${p} in wrong bucket ${b}`); // bucketIndex vs BigInt: ids.test.ts
    }
    const pending = rt.pendingPing(b);
    if (pending !== undefined && !entries.includes(pending)) fail(`pending ping ${pending} not in bucket ${b}`);
    size += entries.length;
  }
  if (rt.size !== size) fail(`size ${rt.size} ≠ ${size}`);
  if (rt.stats().fill.reduce((a, c) => a + c, 0) !== size) fail('stats.fill does not add up');
}

type Op = { op: 'observe' | 'alive' | 'dead' | 'remove' | 'ping-answer'; peer: number };
const opArb = (n: number) =>
  fc.record({
    op: fc.constantFrom<Op['op']>('observe', 'observe', 'observe', 'alive', 'dead', 'remove', 'ping-answer'),
    peer: fc.integer({ min: 0, max: n }),
  });

describe('kademlia routing table', () => {
  it('never holds more than k per bucket under any observe/pingResult/remove sequence', () => {
    // ids with only 6 random high bits crowd a few buckets, so k = 3 overflows constantly
    const crowded = fc.array(fc.bigInt({ min: 0n, max: 63n }).map((h) => (h << 154n) | 12345n), { minLength: 30, maxLength: 30 });
    fc.assert(
      fc.property(crowded, fc.array(opArb(30), { maxLength: 300 }), fc.boolean(), (ids, ops, promote) => {
        const rt = makeTable(0n, ids, 3, 2);
        for (const { op, peer } of ops) {
          if (op === 'observe') {
            const r = rt.observe(0, peer);
            if (r.kind === 'ping' && promote) rt.pingResult(0, r.peer, false);
          } else if (op === 'alive' || op === 'dead') rt.pingResult(0, peer, op === 'alive');
          else if (op === 'remove') rt.remove(peer);
          else {
            for (let b = 0; b < KAD_BUCKETS; b++) {
              const p = rt.pendingPing(b);
              if (p !== undefined) rt.pingResult(0, p, peer % 2 === 0);
            }
          }
          checkInvariants(rt);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('closest(target, n) equals a brute-force sort by BigInt XOR', () => {
    fc.assert(
      fc.property(
        id160,
        fc.array(id160, { minLength: 0, maxLength: 120 }),
        fc.option(id160),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: -1, max: 120 }),
        (self, ids, maybeTarget, n, k, exclude) => {
          const rt = makeTable(self, ids, k);
          ids.forEach((_, i) => rt.observe(0, i + 1));
          // targets: random, our own id, or a known peer's id (exercise every walk start)
          const target = maybeTarget ?? (ids.length > 0 && n % 2 === 0 ? ids[n % ids.length] : self);
          const known = rt.peers().filter((p) => p !== exclude);
          const dist = (p: number) => kadIdToBigInt(rt.ids.copy(p)) ^ target;
          const expected = known.sort((a, b) => (dist(a) < dist(b) ? -1 : 1)).slice(0, n);
          expect(rt.closest(kadIdFromBigInt(target), n, exclude)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('LRS eviction: a full bucket pings its oldest; alive keeps it, dead evicts it for the newcomer', () => {
    const top = 1n << 159n; // all in bucket 159 relative to self = 0
    const rt = makeTable(0n, [top | 1n, top | 2n, top | 3n, top | 4n, top | 5n], 2, 4);
    const [A, B, C, D, E] = [1, 2, 3, 4, 5];
    expect(rt.observe(0, A).kind).toBe('inserted');
    expect(rt.observe(1, B).kind).toBe('inserted');
    expect(rt.observe(2, C)).toEqual({ kind: 'ping', peer: A, bucket: 159 });
    expect(rt.bucket(159)).toEqual([A, B]);
    expect(rt.replacements(159)).toEqual([C]);
    expect(rt.observe(3, D).kind).toBe('cached'); // one ping at a time per bucket
    // the oldest answers: it stays (moves to the tail), the newcomers wait in the cache
    rt.pingResult(4, A, true);
    expect(rt.bucket(159)).toEqual([B, A]);
    expect(rt.replacements(159)).toEqual([C, D]);
    expect(rt.pendingPing(159)).toBeUndefined();
    // next newcomer pings the new oldest, B, which is dead: evicted, most recent replacement promoted
    expect(rt.observe(5, E)).toEqual({ kind: 'ping', peer: B, bucket: 159 });
    rt.pingResult(6, B, false);
    expect(rt.bucket(159)).toEqual([A, E]);
    expect(rt.replacements(159)).toEqual([C, D]);
    expect(rt.has(B)).toBe(false);
    // a known peer seen again moves to the tail; remove promotes a replacement too
    expect(rt.observe(7, A).kind).toBe('updated');
    expect(rt.bucket(159)).toEqual([E, A]);
    expect(rt.remove(E)).toBe(true);
    expect(rt.bucket(159)).toEqual([A, D]);
    expect(rt.replacements(159)).toEqual([C]);
    checkInvariants(rt);
  });

  it('a pinged peer that shows up on its own cancels the pending ping', () => {
    const top = 1n << 159n;
    const rt = makeTable(0n, [top | 1n, top | 2n], 1);
    rt.observe(0, 1);
    expect(rt.observe(0, 2).kind).toBe('ping');
    rt.observe(1, 1);
    expect(rt.pendingPing(159)).toBeUndefined();
    expect(rt.bucket(159)).toEqual([1]);
  });

  it('ignores itself and rejects peers without an id', () => {
    const rt = makeTable(5n, [6n], 20);
    expect(rt.observe(0, SELF).kind).toBe('ignored');
    expect(rt.size).toBe(0);
    expect(() => rt.observe(0, 99)).toThrow(/no registered id/);
  });

  it('buckets need a refresh after an hour without a lookup into their range', () => {
    const H = 3600 * US_PER_S;
    const rt = makeTable(0n, [1n << 150n, 1n << 159n], 20);
    expect(rt.bucketsNeedingRefresh(H)).toEqual([]); // empty table: nothing to refresh
    rt.observe(0, 1);
    rt.observe(0, 2);
    expect(rt.bucketsNeedingRefresh(H - 1)).toEqual([]);
    const stale = rt.bucketsNeedingRefresh(H);
    expect(stale).toEqual(Array.from({ length: 10 }, (_, i) => 150 + i));
    rt.noteLookup(H, kadIdFromBigInt(1n << 155n));
    expect(rt.bucketsNeedingRefresh(H)).not.toContain(155);
    expect(rt.bucketsNeedingRefresh(2 * H)).toContain(155);
  });

  it('reports stats', () => {
    const rt = makeTable(0n, [1n, 2n, 3n, 1n << 100n], 20);
    for (let p = 1; p <= 4; p++) rt.observe(0, p);
    const s = rt.stats();
    expect(s.size).toBe(4);
    expect(s.nonEmptyBuckets).toBe(3);
    expect(s.fill[0]).toBe(1);
    expect(s.fill[1]).toBe(2);
    expect(s.fill[100]).toBe(1);
  });
});
