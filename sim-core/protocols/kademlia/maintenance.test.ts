import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/rng.ts';
import { US_PER_S } from '../../engine/time.ts';
import { KAD_BUCKETS, kademliaConfig } from './constants.ts';
import { KadIdTable, kadIdToHex } from './ids.ts';
import { createJoinLookup, createRefreshLookup, createRefreshLookups, joinRefreshBuckets } from './maintenance.ts';
import { chooseOverlayLinks } from './overlay.ts';
import { RoutingTable } from './routing-table.ts';
import { observeResolved } from './sync-driver.ts';

const H = 3600 * US_PER_S;

/** Peer 0's table after observing `n - 1` random peers (in random order). */
function filledTable(n: number, seed: string, k = 20): RoutingTable {
  const rng = new Rng(seed);
  const ids = new KadIdTable(n);
  for (let p = 0; p < n; p++) ids.setRandom(p, rng);
  const table = new RoutingTable(ids, 0, kademliaConfig({ k }));
  const order = rng.shuffle(Array.from({ length: n - 1 }, (_, i) => i + 1));
  for (const p of order) observeResolved(table, 0, p, () => true);
  return table;
}

describe('kademlia join and refresh', () => {
  it('a join looks up our own id through the bootstrap peers', () => {
    const table = filledTable(2, 'join'); // knows only peer 1
    const lookup = createJoinLookup(table, [1], 0);
    expect(kadIdToHex(lookup.target)).toBe(kadIdToHex(table.ids.copy(0)));
    expect(lookup.start(0).map((s) => s.to)).toEqual([1]);
  });

  it('after a join, every bucket farther than the closest neighbour is refreshed', () => {
    const table = filledTable(300, 'join-refresh');
    const low = table.lowestNonEmpty();
    expect(joinRefreshBuckets(table)).toEqual(Array.from({ length: KAD_BUCKETS - low - 1 }, (_, i) => low + 1 + i));
  });

  it('a refresh looks up a random id inside the stale bucket and resets its clock', () => {
    const table = filledTable(300, 'refresh');
    const rng = new Rng('refresh/ids');
    for (const b of [table.lowestNonEmpty(), 150, 159]) {
      const l = createRefreshLookup(table, b, rng, H);
      expect(table.ids.bucketIndexOf(0, l.target)).toBe(b);
      expect(table.bucketsNeedingRefresh(H)).not.toContain(b);
    }
  });

  it('createRefreshLookups covers the stale buckets farthest first, at most `max` at a time', () => {
    const table = filledTable(300, 'refresh-many');
    const stale = table.bucketsNeedingRefresh(H);
    expect(stale.length).toBeGreaterThan(4);
    const lookups = createRefreshLookups(table, H, new Rng('r'), 4);
    expect(lookups.map((l) => table.ids.bucketIndexOf(0, l.target))).toEqual(stale.slice(-4).reverse());
    expect(table.bucketsNeedingRefresh(H)).toEqual(stale.slice(0, -4));
    expect(createRefreshLookups(table, H + 1, new Rng('r'), 100)).toHaveLength(stale.length - 4);
    expect(table.bucketsNeedingRefresh(H + 1)).toEqual([]);
  });
});

describe('chooseOverlayLinks', () => {
  it('spreads links one per non-empty bucket from the farthest down, then a second pass', () => {
    const table = filledTable(1000, 'overlay');
    const links = chooseOverlayLinks(table, 12);
    expect(links).toHaveLength(12);
    expect(new Set(links).size).toBe(12);
    const buckets = links.map((p) => table.bucketOf(p));
    const nonEmpty = table.stats().fill.flatMap((f, b) => (f > 0 ? [b] : [])).reverse(); // farthest first
    const firstPass = Math.min(12, nonEmpty.length);
    expect(buckets.slice(0, firstPass)).toEqual(nonEmpty.slice(0, firstPass));
    expect(buckets.slice(firstPass)).toEqual(nonEmpty.slice(0, 12 - firstPass));
    // most recently seen entry of each bucket first
    expect(links[0]).toBe(table.bucket(159)[table.bucket(159).length - 1]);
    expect(links[firstPass]).toBe(table.bucket(159)[table.bucket(159).length - 2]);
    expect(chooseOverlayLinks(table, 12)).toEqual(links); // deterministic
  });

  it('never returns more than the table holds, nor duplicates', () => {
    const small = filledTable(6, 'overlay-small');
    expect(new Set(chooseOverlayLinks(small, 12)).size).toBe(5);
    expect(chooseOverlayLinks(small, 0)).toEqual([]);
    expect(chooseOverlayLinks(filledTable(1, 'alone'), 12)).toEqual([]);
  });
});
