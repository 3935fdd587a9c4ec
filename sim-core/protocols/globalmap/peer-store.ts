import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { F_CONNECT, newer } from './record.ts';
import { StoreIndex, type StoreLimits } from './store-index.ts';
import { entryIndex, msBefore } from './store-scan.ts';

/** One link event as the store sees it (seed 001 §3.2). */
export interface LinkEvent {
  origin: PeerNum;
  peer: PeerNum;
  /** F_CONNECT and/or F_OUT. */
  flags: number;
  timestampUs: TimeUs;
}

export type { StoreLimits };

export type ApplyResult = 'applied' | 'stale' | 'invalid' | 'excessive';

/** One link of a sync entry: origin's claim about peer (a GmSyncLink). */
export interface EntryLink {
  readonly peer: PeerNum;
  readonly flags: number;
  readonly timestampUs: TimeUs;
}

/** countExpired's verdict per entry of the record it scanned (see expired): the rebuild reads it instead of asking again. Shared: stores run one at a time. */
let verdicts = new Uint8Array(256);

/** applyEntry's plan per link: 0 stale, else 2 + mention delta (-1, 0, +1), plus 4 when inserted. Shared: stores run one at a time. */
let plan = new Int8Array(256);

export interface GcResult {
  removedOrigins: number;
  expiredEntries: number;
  expiredPhantoms: number;
  /** Records read this pass (the others were settled: nothing could have changed). */
  checkedOrigins: number;
  /** Claims whose confirmation was looked up in the other side's record (the others were verified before). */
  confirmLookups: number;
}

/**
 * A peer's global map (G1): for each origin it has heard from, the version
 * id of the shared record of what that origin said about its links. Dense
 * arrays indexed by peer number keep lookups O(1) and the footprint a few
 * bytes per possible peer; the records themselves live in the pool's slabs,
 * shared across all peers of a simulation. Applying an event another peer
 * already applied to the same version is a memo hit: no allocation, no copy.
 */
export class PeerStore extends StoreIndex {
  /** countExpired's second result: until when (µs) the entries it keeps pass GC unchanged. */
  private keptUntil = 0;

  apply(e: LinkEvent, now: TimeUs): ApplyResult {
    return this.applyLink(e.origin, e.peer, e.flags, e.timestampUs, now);
  }

  /** Records origin's claim about its link to peer (flags F_CONNECT/F_OUT) if it is the newest write to that register. */
  applyLink(origin: PeerNum, peer: PeerNum, flags: number, timestampUs: TimeUs, now: TimeUs): ApplyResult {
    if (origin === peer || !(timestampUs >= 0) || timestampUs > now + this.limits.maxSkewUs) return 'invalid';
    flags &= 3;
    const pool = this.pool;
    const old = this.version(origin);
    const isConnect = flags & F_CONNECT;
    if (old < 0) {
      if (isConnect > this.limits.maxClaims) return 'excessive';
      let next = pool.rootTransition(origin, peer, flags, timestampUs);
      if (next >= 0) pool.take(next);
      else {
        next = pool.withEntry(origin, -1, -1, peer, flags, timestampUs);
        pool.rememberRoot(origin, peer, flags, timestampUs, next);
      }
      this.swap(origin, -1, next, peer, timestampUs, flags, isConnect);
      return 'applied';
    }
    // Memo first: the same write to the same version was applied before (by any store); the
    // limits are re-checked on the result, in case that store had other limits.
    let next = pool.transition(old, peer, flags, timestampUs);
    if (next >= 0 && pool.lenOf(next) <= this.limits.maxEntries && pool.connectsOf(next) <= this.limits.maxClaims) {
      pool.take(next);
      this.swap(origin, old, next, peer, timestampUs, flags, pool.connectsOf(next) - pool.connectsOf(old));
      return 'applied';
    }
    const i = entryIndex(pool, old, peer);
    if (i >= 0 && !newer(timestampUs, flags, pool.eTs[pool.offOf(old) + i], pool.eFlags[pool.offOf(old) + i])) return 'stale';
    if (i < 0 && pool.lenOf(old) >= this.limits.maxEntries) {
      // Full: make room by forgetting the oldest tombstone; all claims and still full is excessive.
      const slimmer = this.withoutOldestTombstone(old);
      if (slimmer < 0) return 'excessive';
      this.swap(origin, old, slimmer, -1, 0, 0, 0);
      return this.applyLink(origin, peer, flags, timestampUs, now);
    }
    const wasConnect = i >= 0 ? pool.eFlags[pool.offOf(old) + i] & F_CONNECT : 0;
    if (pool.connectsOf(old) + isConnect - wasConnect > this.limits.maxClaims) return 'excessive';
    next = pool.withEntry(origin, old, i, peer, flags, timestampUs);
    pool.remember(old, peer, flags, timestampUs, next);
    this.swap(origin, old, next, peer, timestampUs, flags, isConnect - wasConnect);
    return 'applied';
  }

  /**
   * Applies a sync entry (origin's links) with the result applyLink would give
   * link by link, in order, but builds and interns only the final record: the
   * intermediate ones were most of the records a join created. Returns how
   * many links were applied, or -1 having changed nothing when the caller must
   * go link by link: a link is invalid (it reports each, in order), peers are
   * not strictly increasing, or a limit is reached (the sequential eviction).
   */
  applyEntry(origin: PeerNum, links: ArrayLike<EntryLink>, now: TimeUs): number {
    const count = links.length;
    if (plan.length < count) plan = new Int8Array(Math.max(count, 2 * plan.length));
    const pool = this.pool;
    const { maxClaims, maxEntries } = this.limits;
    const latest = now + this.limits.maxSkewUs;
    const old = this.version(origin);
    const off = old < 0 ? 0 : pool.offOf(old);
    const end = old < 0 ? 0 : off + pool.lenOf(old);
    let len = end - off;
    let connects = old < 0 ? 0 : pool.connectsOf(old);
    let applied = 0;
    // Plan (read-only): with peers unique, each link meets the old entry for its peer, if any.
    for (let i = 0, k = off, prev = -1; i < count; i++) {
      const l = links[i];
      const p = l.peer;
      const t = l.timestampUs;
      if (p === origin || !(t >= 0) || t > latest || !(p > prev)) return -1;
      prev = p;
      const f = l.flags & 3;
      const isConnect = f & F_CONNECT;
      while (k < end && pool.ePeer[k] < p) k++;
      if (k < end && pool.ePeer[k] === p) {
        if (!newer(t, f, pool.eTs[k], pool.eFlags[k])) {
          plan[i] = 0;
          continue;
        }
        const delta = isConnect - (pool.eFlags[k] & F_CONNECT);
        if (connects + delta > maxClaims) return -1;
        connects += delta;
        plan[i] = 2 + delta;
      } else {
        if (((old >= 0 || len > 0) && len >= maxEntries) || connects + isConnect > maxClaims) return -1;
        connects += isConnect;
        len++;
        plan[i] = 6 + isConnect;
      }
      applied++;
    }
    if (applied === 0) return 0;
    const next = this.merged(origin, old, links, len);
    // The bookkeeping of applyLink's swaps, in the same order; each peer's own entry is final already.
    for (let i = 0; i < count; i++) if (plan[i] !== 0) this.ensure(Math.max(origin, links[i].peer));
    const originKnown = this.isKnown(origin);
    this.slots[this.b + 4 * origin] = next;
    if (old < 0) this.addOrigin(origin);
    else pool.release(old);
    if (!originKnown && this.isKnown(origin)) this.knownCount++;
    for (let i = 0; i < count; i++) {
      const a = plan[i];
      if (a === 0) continue;
      const p = links[i].peer;
      const delta = (a & 3) - 2;
      if (delta !== 0) this.mention(p, delta);
      if (old >= 0) this.settleBefore(origin, links[i].timestampUs);
      if (delta < 0) this.unverifyClaim(p, origin);
      else if (delta === 0 && (links[i].flags & F_CONNECT) !== 0) this.recheckClaim(p, origin);
    }
    return applied;
  }

  /** Version `old` (or none) merged with the planned links, `len` entries, interned (one reference taken). */
  private merged(origin: PeerNum, old: number, links: ArrayLike<EntryLink>, len: number): number {
    const pool = this.pool;
    const w = pool.alloc(origin, len); // may grow the slabs: read them after
    const P = pool.ePeer;
    const T = pool.eTs;
    const F = pool.eFlags;
    let k = old < 0 ? 0 : pool.offOf(old);
    const end = old < 0 ? 0 : k + pool.lenOf(old);
    let d = pool.offOf(w);
    for (let i = 0; i < links.length; i++) {
      const a = plan[i];
      if (a === 0) continue;
      const l = links[i];
      const from = k;
      while (k < end && P[k] < l.peer) k++;
      pool.copyEntries(from, k, d);
      d += k - from;
      if ((a & 4) === 0) k++; // replaces the old entry
      P[d] = l.peer;
      T[d] = l.timestampUs;
      F[d++] = l.flags & 3;
    }
    pool.copyEntries(k, end, d);
    return pool.intern(w);
  }

  /**
   * Installs `next` for origin when only one peer's claim (now `flags`,
   * written at ts) changed by `delta` (+1 a new connect, -1 a connect gone):
   * bookkeeping is O(1) instead of a pass over both records.
   */
  private swap(origin: PeerNum, old: number, next: number, peer: PeerNum, ts: number, flags: number, delta: number): void {
    this.ensure(Math.max(origin, peer));
    const originKnown = this.isKnown(origin);
    if (delta !== 0) this.mention(peer, delta);
    this.slots[this.b + 4 * origin] = next;
    if (old < 0) this.addOrigin(origin);
    else {
      this.pool.release(old);
      if (peer >= 0) this.settleBefore(origin, ts);
      else this.unsettle(origin);
    }
    if (!originKnown && this.isKnown(origin)) this.knownCount++;
    // Peer's claim of origin can only lose its confirmation if origin's entry was a connect:
    // gone (delta -1), or still one, perhaps in the other direction (a connect with delta 0).
    if (peer < 0 || delta > 0) return;
    if (delta < 0) this.unverifyClaim(peer, origin);
    else if ((flags & F_CONNECT) !== 0) this.recheckClaim(peer, origin);
  }

  /**
   * Forgets what went stale: whole records not refreshed within `ttlUs`,
   * entries older than that, tombstones and unconfirmed claims ("phantom"
   * links whose other side never said so) older than `confirmTimeoutUs`.
   */
  gc(now: TimeUs, ttlUs: number, confirmTimeoutUs: number, opts: { full?: boolean } = {}): GcResult {
    const out: GcResult = { removedOrigins: 0, expiredEntries: 0, expiredPhantoms: 0, checkedOrigins: 0, confirmLookups: 0 };
    if (opts.full || ttlUs !== this.gcTtlUs || confirmTimeoutUs !== this.gcConfirmUs) {
      for (let i = 0; i < this.originCount; i++) this.unsettle(this.origins[i]);
      this.gcTtlUs = ttlUs;
      this.gcConfirmUs = confirmTimeoutUs;
    }
    const pool = this.pool;
    for (let idx = this.originCount - 1; idx >= 0; idx--) {
      const origin = this.origins[idx];
      const settled = this.settled(origin);
      if (settled !== 0 && now <= settled * 1000) continue; // same verdict as a full check: keep everything
      out.checkedOrigins++;
      this.removeHint = idx;
      const v = this.slots[this.b + 4 * origin];
      if (pool.vNewest[v] < now - ttlUs) {
        this.replace(origin, -1);
        out.removedOrigins++;
        continue;
      }
      // Most records lose nothing: decide in one pass without copying, build only when something goes.
      const drop = this.countExpired(v, origin, now, ttlUs, confirmTimeoutUs, out);
      if (drop > 0) {
        const next = this.withoutDropped(v, origin, drop, out);
        this.replace(origin, next, verdicts);
        if (next < 0) continue;
      }
      // What is kept stays until the first of its deadlines, found by the same pass.
      this.setSettled(origin, msBefore(this.keptUntil));
      this.setVerified(origin, now);
    }
    return out;
  }

  /** Version v minus the `drop` entries with a verdict (counted into `out`), one reference taken; -1 when none is left. */
  private withoutDropped(v: number, origin: PeerNum, drop: number, out: GcResult): number {
    const pool = this.pool;
    const n = pool.lenOf(v);
    // The dropped entries as a mask (records of up to 64): the key of the pool's drop memo.
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < n; k++) {
      const why = verdicts[k];
      if (why === 0) continue;
      if (why === 1) out.expiredEntries++;
      else out.expiredPhantoms++;
      if (k < 32) lo |= 1 << k;
      else hi |= 1 << (k - 32);
    }
    if (drop === n) return -1;
    const memo = n <= 64;
    // Memo first: the other stores holding v drop the same entries (a tombstone's expiry) about as often.
    let next = memo ? pool.dropTransition(v, lo, hi) : -1;
    if (next >= 0) {
      pool.take(next);
      return next;
    }
    const w = pool.alloc(origin, n - drop);
    let j = pool.offOf(w);
    for (let k = 0; k < n; k++) {
      if (verdicts[k] !== 0) continue;
      const e = pool.offOf(v) + k;
      pool.ePeer[j] = pool.ePeer[e];
      pool.eTs[j] = pool.eTs[e];
      pool.eFlags[j++] = pool.eFlags[e];
    }
    next = pool.intern(w);
    if (memo) pool.rememberDrop(v, lo, hi, next);
    return next;
  }

  /**
   * Entries of version v (origin's record) that GC would drop now, with
   * each entry's verdict in `verdicts` (0 keep; 1 stale: older than the TTL,
   * or a tombstone past the confirmation timeout — it only guards against
   * late, older connects, and none are in flight by then; 2 a phantom: a
   * claim the other side has not confirmed within the timeout), and in
   * keptUntil when the entries it keeps stop passing unchanged — one pass
   * for all three (the first moment a kept entry outlives the TTL, a kept
   * tombstone the confirmation timeout, or a young claim becomes old enough
   * to need its confirmation checked).
   */
  private countExpired(v: number, origin: PeerNum, now: TimeUs, ttlUs: number, confirmTimeoutUs: number, out: GcResult): number {
    const pool = this.pool;
    // Never binds while an entry is kept (each one's TTL comes first); an empty record expires with it.
    let keptUntil = pool.vNewest[v] + ttlUs;
    let drop = 0;
    // Claims this old were confirmed at the last check and nothing they rest on changed since.
    const verified = this.verifiedUs(origin);
    const off = pool.offOf(v);
    const n = pool.lenOf(v);
    if (verdicts.length < n) verdicts = new Uint8Array(Math.max(n, verdicts.length * 2));
    for (let k = 0; k < n; k++) {
      const e = off + k;
      const t = pool.eTs[e];
      const f = pool.eFlags[e];
      const age = now - t;
      let why = 0;
      let due: number;
      if ((f & F_CONNECT) === 0) {
        if (age > ttlUs || age > confirmTimeoutUs) why = 1;
        due = Math.min(t + confirmTimeoutUs, t + ttlUs);
      } else {
        if (age > ttlUs) why = 1;
        else if (age > confirmTimeoutUs && t + confirmTimeoutUs >= verified) {
          out.confirmLookups++;
          if (!this.confirms(pool.ePeer[e], origin, f)) why = 2;
        }
        due = t + ttlUs;
        if (t + confirmTimeoutUs >= now) due = Math.min(due, t + confirmTimeoutUs);
      }
      verdicts[k] = why;
      if (why !== 0) drop++;
      else keptUntil = Math.min(keptUntil, due);
    }
    this.keptUntil = keptUntil;
    return drop;
  }

  /** Version v without its oldest tombstone (one reference taken), or -1 when it has none. */
  private withoutOldestTombstone(v: number): number {
    const pool = this.pool;
    const off = pool.offOf(v);
    let victim = -1;
    for (let k = off; k < off + pool.lenOf(v); k++) {
      if ((pool.eFlags[k] & F_CONNECT) === 0 && (victim < 0 || pool.eTs[k] < pool.eTs[victim])) victim = k;
    }
    return victim < 0 ? -1 : pool.without(v, victim - off);
  }

  /** Releases every record (the peer's state is lost). */
  clear(): void {
    for (let i = this.originCount - 1; i >= 0; i--) this.replace(this.origins[i], -1);
  }
}
