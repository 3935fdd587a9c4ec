import type { Rng } from '../../engine/rng.ts';
import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { newKadId, randomIdInBucketAt, type KadId } from './ids.ts';
import { Lookup } from './lookup.ts';
import type { RoutingTable } from './routing-table.ts';

/**
 * Join and refresh as pure functions that build lookups; the caller runs them
 * (sends, timers, answers) like any other lookup. Nothing here does I/O.
 */

/** A lookup of `target` seeded from the table's k closest, recorded for refresh bookkeeping. */
export function createLookup(table: RoutingTable, now: TimeUs, target: KadId, extra: readonly PeerNum[] = []): Lookup {
  const { k } = table.config;
  const candidates = table.closest(target, k);
  // extra peers (bootstrap) go first so a full table cannot crowd them out; the lookup dedups
  const seeded = extra.length === 0 ? candidates : [...extra.slice(0, k), ...candidates];
  table.noteLookup(now, target);
  return new Lookup({ ids: table.ids, self: table.self, target, candidates: seeded, config: table.config });
}

/**
 * Join (paper §2.3): look up our own id through the bootstrap peers. Every
 * peer that answers should be observed, and each queried peer observes us,
 * which is how the closest peers learn about the newcomer. Follow it with
 * `joinRefreshBuckets` once it is done.
 */
export function createJoinLookup(table: RoutingTable, bootstrap: readonly PeerNum[], now: TimeUs): Lookup {
  return createLookup(table, now, table.ids.copy(table.self), bootstrap);
}

/**
 * Buckets to refresh after the join lookup: every bucket farther than our
 * closest neighbour's (paper §2.3), i.e. from the lowest non-empty bucket + 1
 * up to 159, ascending. Empty for an empty table.
 */
export function joinRefreshBuckets(table: RoutingTable): number[] {
  const low = table.lowestNonEmpty();
  const out: number[] = [];
  if (low < 0) return out;
  for (let b = low + 1; b < 160; b++) out.push(b);
  return out;
}

/** A lookup of a uniformly random id in bucket `bucket` (refresh). Draws from `rng`. */
export function createRefreshLookup(table: RoutingTable, bucket: number, rng: Rng, now: TimeUs): Lookup {
  const target = newKadId();
  randomIdInBucketAt(table.ids.words, table.ids.offsetOf(table.self), bucket, rng, target);
  return createLookup(table, now, target);
}

/**
 * One refresh lookup per stale bucket (`bucketsNeedingRefresh`), at most
 * `max` of them, farthest buckets first (they cover most of the id space).
 * Creating them marks the buckets refreshed.
 */
export function createRefreshLookups(table: RoutingTable, now: TimeUs, rng: Rng, max: number): Lookup[] {
  const stale = table.bucketsNeedingRefresh(now);
  const out: Lookup[] = [];
  for (let i = stale.length - 1; i >= 0 && out.length < max; i--) out.push(createRefreshLookup(table, stale[i], rng, now));
  return out;
}
