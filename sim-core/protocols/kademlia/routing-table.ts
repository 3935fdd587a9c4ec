import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { KAD_BUCKETS, type KademliaConfig } from './constants.ts';
import { SAME_ID, type KadId, type KadIdTable } from './ids.ts';

/**
 * What `observe` asks of its caller. Only 'ping' needs action: send a KadPing
 * to `peer` (the bucket's least-recently-seen entry) and report the outcome
 * through `pingResult`. The other kinds are shared frozen objects.
 */
export type ObserveResult =
  | { kind: 'updated' } // already known: moved to the tail (most recently seen)
  | { kind: 'inserted' } // bucket had room
  | { kind: 'cached' } // bucket full, newcomer kept in the replacement cache, a ping is already pending
  | { kind: 'ping'; peer: PeerNum; bucket: number } // bucket full: ping its oldest entry
  | { kind: 'ignored' }; // our own id

const UPDATED = Object.freeze({ kind: 'updated' as const });
const INSERTED = Object.freeze({ kind: 'inserted' as const });
const CACHED = Object.freeze({ kind: 'cached' as const });
const IGNORED = Object.freeze({ kind: 'ignored' as const });

export interface RoutingTableStats {
  size: number;
  nonEmptyBuckets: number;
  replacements: number;
  pendingPings: number;
  /** Entries per bucket, index = bucket (distance in [2^i, 2^(i+1))). */
  fill: number[];
}

const NONE = -1;

/**
 * The k-bucket routing table of one peer. Bucket i holds up to k peers at XOR
 * distance [2^i, 2^(i+1)) from us, least-recently-seen first (index 0) — the
 * paper's ordering, which favours long-lived peers: a newcomer never evicts a
 * live old entry. Buckets are plain arrays allocated on first use, so a peer
 * pays only for its ~log2(n) non-empty buckets. Pure data: no timers, no I/O.
 */
export class RoutingTable {
  private readonly buckets: (PeerNum[] | undefined)[] = new Array(KAD_BUCKETS).fill(undefined);
  /**
   * closestInto's scratch, written by index and never shortened: `length = 0`
   * drops a JS array's backing store, so a scratch emptied that way was a new
   * one per FIND_NODE answer.
   */
  private readonly near: PeerNum[] = [];
  private readonly caches: (PeerNum[] | undefined)[] = new Array(KAD_BUCKETS).fill(undefined);
  /** The entry each full bucket is waiting to hear a ping answer from (NONE if none; peers with ids are below 2^22). */
  private readonly pending = new Int32Array(KAD_BUCKETS).fill(NONE);
  /** Last time a lookup targeted each bucket's range (refresh bookkeeping). */
  private readonly touched: Float64Array;
  private count = 0;
  /** The lowest and highest bucket ever allocated: a lookup walks only between them, not all 256 (most are never used). */
  private lowB = KAD_BUCKETS;
  private highB = -1;

  constructor(
    readonly ids: KadIdTable,
    readonly self: PeerNum,
    readonly config: KademliaConfig,
    createdAtUs: TimeUs = 0,
  ) {
    ids.offsetOf(self); // throws early if our own id is missing
    this.touched = new Float64Array(KAD_BUCKETS).fill(createdAtUs);
  }

  get size(): number {
    return this.count;
  }

  /** Bucket of `peer` relative to us, SAME_ID for ourselves. Throws for unknown ids. */
  bucketOf(peer: PeerNum): number {
    this.ids.offsetOf(peer);
    return this.ids.bucketIndex(this.self, peer);
  }

  has(peer: PeerNum): boolean {
    const b = this.bucketOf(peer);
    return b !== SAME_ID && (this.buckets[b]?.includes(peer) ?? false);
  }

  /** Entries of bucket `b`, least-recently-seen first (read-only view). */
  bucket(b: number): readonly PeerNum[] {
    return this.buckets[b] ?? NO_PEERS;
  }

  /** Replacement cache of bucket `b`, most recently seen last. */
  replacements(b: number): readonly PeerNum[] {
    return this.caches[b] ?? NO_PEERS;
  }

  /** The entry of bucket `b` awaiting a ping answer, or undefined. */
  pendingPing(b: number): PeerNum | undefined {
    const p = this.pending[b];
    return p === NONE ? undefined : p;
  }

  /**
   * `peer` showed it is alive (it sent us a request or answered one). Known
   * peers move to the tail; newcomers are inserted if there is room, else
   * cached, and the bucket's oldest entry gets pinged (once at a time).
   */
  observe(_now: TimeUs, peer: PeerNum): ObserveResult {
    const b = this.bucketOf(peer);
    if (b === SAME_ID) return IGNORED;
    const entries = this.buckets[b] ?? this.allocate(b);
    const at = entries.indexOf(peer);
    if (at >= 0) {
      moveToTail(entries, at);
      if (this.pending[b] === peer) this.pending[b] = NONE; // it just proved itself alive
      return UPDATED;
    }
    if (entries.length < this.config.k) {
      this.insert(b, peer);
      return INSERTED;
    }
    this.cache(b, peer);
    if (this.pending[b] !== NONE) return CACHED;
    const oldest = entries[0];
    this.pending[b] = oldest;
    return { kind: 'ping', peer: oldest, bucket: b };
  }

  /** No ping is in flight any more (a restart: they died with the process), so the next newcomer of a full bucket asks again. */
  forgetPendingPings(): void {
    this.pending.fill(NONE);
  }

  /**
   * Outcome of a ping (normally the one `observe` asked for). Alive: the
   * peer moves to the tail and the newcomer waits in the cache. Dead: the
   * peer is evicted and the most recently seen replacement takes its place.
   */
  pingResult(now: TimeUs, peer: PeerNum, alive: boolean): void {
    const b = this.bucketOf(peer);
    if (b === SAME_ID) return;
    if (this.pending[b] === peer) this.pending[b] = NONE;
    if (alive) {
      if (this.buckets[b]?.includes(peer)) this.observe(now, peer);
    } else {
      this.remove(peer);
    }
  }

  /** Forgets `peer` (it left or failed); a replacement is promoted into the freed slot. */
  remove(peer: PeerNum): boolean {
    const b = this.bucketOf(peer);
    if (b === SAME_ID) return false;
    const cache = this.caches[b];
    const c = cache?.indexOf(peer) ?? -1;
    if (c >= 0) cache!.splice(c, 1);
    const entries = this.buckets[b];
    const at = entries?.indexOf(peer) ?? -1;
    if (at < 0) return c >= 0;
    entries!.splice(at, 1);
    this.count--;
    if (this.pending[b] === peer) this.pending[b] = NONE;
    if (cache !== undefined && cache.length > 0) this.insert(b, cache[cache.length - 1]);
    return true;
  }

  /**
   * The `count` known peers closest to `target` by XOR, closest first,
   * excluding `exclude` (e.g. the requester). Buckets are visited in
   * increasing distance groups — the target's own bucket, then every bucket
   * below it (all at distance [2^b, 2^(b+1)) from the target), then each
   * bucket above — stopping once a whole group fills `count`, so at most
   * one group beyond `count` is sorted.
   */
  closest(target: KadId, count: number, exclude: PeerNum = NONE): PeerNum[] {
    return this.near.slice(0, this.closestInto(target, count, exclude));
  }

  /**
   * closest() without an array per call (a FIND_NODE answer's path): the
   * answer is the first n entries of `nearest`, n returned, good until the
   * next call.
   */
  closestInto(target: KadId, count: number, exclude: PeerNum = NONE): number {
    if (count <= 0) return 0;
    const out = this.near;
    let n = 0;
    const tb = this.ids.bucketIndexOf(this.self, target);
    if (tb !== SAME_ID) {
      n = this.collect(tb, exclude, out, n);
      // every bucket below tb is one group (distance to target in [2^tb, 2^(tb+1))): take it whole
      if (n < count) for (let i = this.lowB; i < tb; i++) n = this.collect(i, exclude, out, n);
    }
    for (let i = Math.max(tb + 1, this.lowB); i <= this.highB && n < count; i++) n = this.collect(i, exclude, out, n);
    sortByDistance(out, n, this.ids, target);
    return Math.min(n, count);
  }

  /** closestInto's answers (read its first n entries only). */
  get nearest(): readonly PeerNum[] {
    return this.near;
  }

  /** Marks the bucket containing `target` as just looked up (resets its refresh clock). */
  noteLookup(now: TimeUs, target: KadId): void {
    const b = this.ids.bucketIndexOf(this.self, target);
    if (b !== SAME_ID) this.touched[b] = now;
  }

  /**
   * Buckets due for a refresh lookup: no lookup into their range for
   * `bucketRefreshUs`. Only buckets from our closest non-empty one up to 159
   * count (as libp2p does, bounded by its common-prefix length): the closer
   * ones cannot hold anybody yet, so refreshing them would waste ~140
   * lookups an hour. Ascending bucket order.
   */
  bucketsNeedingRefresh(now: TimeUs): number[] {
    const out: number[] = [];
    const low = this.lowestNonEmpty();
    if (low === NONE) return out;
    for (let b = low; b < KAD_BUCKETS; b++) {
      if (now - this.touched[b] >= this.config.bucketRefreshUs) out.push(b);
    }
    return out;
  }

  /** Index of our closest non-empty bucket, or -1 for an empty table. */
  lowestNonEmpty(): number {
    for (let b = this.lowB; b <= this.highB; b++) if ((this.buckets[b]?.length ?? 0) > 0) return b;
    return NONE;
  }

  /** All entries, bucket 0 first, each bucket least-recently-seen first. */
  peers(): PeerNum[] {
    const out: PeerNum[] = [];
    for (let b = 0, n = 0; b < KAD_BUCKETS; b++) n = this.collect(b, NONE, out, n);
    return out;
  }

  stats(): RoutingTableStats {
    const fill: number[] = new Array(KAD_BUCKETS).fill(0);
    let nonEmpty = 0;
    let replacements = 0;
    let pendingPings = 0;
    for (let b = 0; b < KAD_BUCKETS; b++) {
      fill[b] = this.buckets[b]?.length ?? 0;
      if (fill[b] > 0) nonEmpty++;
      replacements += this.caches[b]?.length ?? 0;
      if (this.pending[b] !== NONE) pendingPings++;
    }
    return { size: this.count, nonEmptyBuckets: nonEmpty, replacements, pendingPings, fill };
  }

  private insert(b: number, peer: PeerNum): void {
    const entries = this.buckets[b] ?? this.allocate(b);
    const cache = this.caches[b];
    const c = cache?.indexOf(peer) ?? -1;
    if (c >= 0) cache!.splice(c, 1);
    entries.push(peer);
    this.count++;
  }

  /** Newest at the tail; the oldest is dropped when full; size 0 disables the cache. */
  private cache(b: number, peer: PeerNum): void {
    const max = this.config.replacementCacheSize;
    if (max === 0) return;
    let cache = this.caches[b];
    if (cache === undefined) cache = this.caches[b] = [];
    const at = cache.indexOf(peer);
    if (at >= 0) return moveToTail(cache, at);
    if (cache.length >= max) cache.shift();
    cache.push(peer);
  }

  private allocate(b: number): PeerNum[] {
    if (b < this.lowB) this.lowB = b;
    if (b > this.highB) this.highB = b;
    return (this.buckets[b] = []);
  }

  /** Appends bucket b's entries but `exclude` at out[n..]; returns the new n. */
  private collect(b: number, exclude: PeerNum, out: PeerNum[], n: number): number {
    const entries = this.buckets[b];
    if (entries === undefined) return n;
    for (let i = 0; i < entries.length; i++) if (entries[i] !== exclude) out[n++] = entries[i];
    return n;
  }
}

/** Moves list[at] to the end, the ones after it one place down (splice + push without splice's array). */
function moveToTail(list: PeerNum[], at: number): void {
  const x = list[at];
  const last = list.length - 1;
  for (let j = at; j < last; j++) list[j] = list[j + 1];
  list[last] = x;
}

/** What an empty bucket reads as (one frozen array, not a new one per call: link choice reads all 160 buckets). */
const NO_PEERS: readonly PeerNum[] = Object.freeze([]);

/** Top-word distances of the list being sorted (module scratch: sorts never nest). */
let sortKeys = new Float64Array(256);

/**
 * Sorts peers by XOR distance to target, closest first, stable: a binary
 * insertion sort in place. Array.prototype.sort copied every list into a
 * fresh work array — a tenth of a Kademlia run's allocations — and these
 * lists hold a few buckets at most. Each peer's top-word distance is read
 * once into `sortKeys` (moved along with it); the whole ids are compared
 * only on a tie there, so the order is compareDistance's.
 */
function sortByDistance(out: PeerNum[], n: number, ids: KadIdTable, target: KadId): void {
  if (n > sortKeys.length) sortKeys = new Float64Array(Math.max(n, 2 * sortKeys.length));
  const keys = sortKeys;
  for (let i = 0; i < n; i++) keys[i] = ids.topDistance(out[i], target);
  for (let i = 1; i < n; i++) {
    const x = out[i];
    const kx = keys[i];
    let lo = 0;
    let hi = i;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ids.compareKeyed(keys[mid], out[mid], kx, x, target) > 0) hi = mid;
      else lo = mid + 1;
    }
    for (let j = i; j > lo; j--) {
      out[j] = out[j - 1];
      keys[j] = keys[j - 1];
    }
    out[lo] = x;
    keys[lo] = kx;
  }
}
