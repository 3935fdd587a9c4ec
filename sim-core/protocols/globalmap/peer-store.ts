import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { F_CONNECT, F_OUT, newer, type LinkRecord } from './record.ts';
import { entryIndex, settledUntilMs } from './store-scan.ts';
import type { RecordPool } from './record-pool.ts';

/** One link event as the store sees it (seed 001 §3.2). */
export interface LinkEvent {
  origin: PeerNum;
  peer: PeerNum;
  /** F_CONNECT and/or F_OUT. */
  flags: number;
  timestampUs: TimeUs;
}

export type ApplyResult = 'applied' | 'stale' | 'invalid' | 'excessive';

export interface StoreLimits {
  /** Connect claims one origin may hold (seed: 12 neighbours, may exceed temporarily). */
  maxClaims: number;
  /** Entries per record, tombstones included. */
  maxEntries: number;
  /** How far in the future a timestamp may be (clock skew). */
  maxSkewUs: number;
}

export interface GcResult {
  removedOrigins: number;
  expiredEntries: number;
  expiredPhantoms: number;
  /** Records read this pass (the others were settled: nothing could have changed). */
  checkedOrigins: number;
}

/**
 * A peer's global map (G1): for each origin it has heard from, the version
 * id of the shared record of what that origin said about its links. Dense
 * arrays indexed by peer number keep lookups O(1) and the footprint a few
 * bytes per possible peer; the records themselves live in the pool's slabs,
 * shared across all peers of a simulation. Applying an event another peer
 * already applied to the same version is a memo hit: no allocation, no copy.
 */
export class PeerStore {
  /** Per origin: its version in the pool, or -1. */
  private vers = new Int32Array(0);
  /** Origins that have a record, for iteration (swap-remove keeps it dense). */
  private origins = new Int32Array(64);
  private originPos = new Int32Array(0);
  private originCount = 0;
  /** Connect claims naming each peer, across all records: a peer is known if it has a record or is named. */
  private mentions = new Uint16Array(0);
  private knownCount = 0;
  /**
   * Per origin position, in ms (rounded down): until when the last GC proved
   * the record has nothing to drop; 0 = check it at the next GC (it, or a
   * claim its links' confirmation reads, changed since). Lets a GC pass skip
   * settled records without reading anyone's links.
   */
  private settledUntilMs = new Uint32Array(64);
  private gcTtlUs = -1;
  private gcConfirmUs = -1;

  constructor(
    private readonly pool: RecordPool,
    private readonly limits: StoreLimits,
    /**
     * Expected size of the peer-number space: the per-peer arrays grow to it
     * instead of the next power of two (at 10,000 peers that is 10,000 slots
     * per map, not 16,384). Past it they double again.
     */
    private readonly capacityHint = 0,
  ) {}

  /** Peers present in the map (origins with a record, or named in someone's links). */
  get known(): number {
    return this.knownCount;
  }

  get originsWithRecords(): number {
    return this.originCount;
  }

  isKnown(p: PeerNum): boolean {
    return (p < this.vers.length && this.vers[p] >= 0) || (p < this.mentions.length && this.mentions[p] > 0);
  }

  /** A view of origin's record (subarrays of the pool's slabs, valid until the next change to any store). */
  record(origin: PeerNum): LinkRecord | undefined {
    const v = this.version(origin);
    return v < 0 ? undefined : this.pool.view(v);
  }

  /** The pool version holding origin's record, or -1: equal views of an origin share one version. */
  version(origin: PeerNum): number {
    return origin < this.vers.length ? this.vers[origin] : -1;
  }

  /** The i-th origin with a record (0 ≤ i < originsWithRecords). */
  originAt(i: number): PeerNum {
    return this.origins[i];
  }

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
      this.swap(origin, -1, next, peer, isConnect);
      return 'applied';
    }
    // Memo first: the same write to the same version was applied before (by any store); the
    // limits are re-checked on the result, in case that store had other limits.
    let next = pool.transition(old, peer, flags, timestampUs);
    if (next >= 0 && pool.vLen[next] <= this.limits.maxEntries && pool.vConnects[next] <= this.limits.maxClaims) {
      pool.take(next);
      this.swap(origin, old, next, peer, pool.vConnects[next] - pool.vConnects[old]);
      return 'applied';
    }
    const i = entryIndex(pool, old, peer);
    if (i >= 0 && !newer(timestampUs, flags, pool.eTs[pool.vOff[old] + i], pool.eFlags[pool.vOff[old] + i])) return 'stale';
    if (i < 0 && pool.vLen[old] >= this.limits.maxEntries) {
      // Full: make room by forgetting the oldest tombstone; all claims and still full is excessive.
      const slimmer = this.withoutOldestTombstone(old);
      if (slimmer < 0) return 'excessive';
      this.swap(origin, old, slimmer, -1, 0);
      return this.applyLink(origin, peer, flags, timestampUs, now);
    }
    const wasConnect = i >= 0 ? pool.eFlags[pool.vOff[old] + i] & F_CONNECT : 0;
    if (pool.vConnects[old] + isConnect - wasConnect > this.limits.maxClaims) return 'excessive';
    next = pool.withEntry(origin, old, i, peer, flags, timestampUs);
    pool.remember(old, peer, flags, timestampUs, next);
    this.swap(origin, old, next, peer, isConnect - wasConnect);
    return 'applied';
  }

  /**
   * Installs `next` for origin when only one peer's claim changed by
   * `delta` (+1 a new connect, -1 a connect gone): bookkeeping is O(1)
   * instead of a pass over both records.
   */
  private swap(origin: PeerNum, old: number, next: number, peer: PeerNum, delta: number): void {
    this.ensure(Math.max(origin, peer));
    const originKnown = this.isKnown(origin);
    if (delta !== 0) {
      const before = this.isKnown(peer);
      this.mentions[peer] += delta;
      if (before !== this.isKnown(peer)) this.knownCount += before ? -1 : 1;
    }
    this.vers[origin] = next;
    if (old < 0) this.addOrigin(origin);
    else this.pool.release(old);
    if (!originKnown && this.isKnown(origin)) this.knownCount++;
    this.unsettle(origin);
    if (peer >= 0) this.unsettle(peer); // its claim of origin may have gained or lost its confirmation
  }

  /**
   * Forgets what went stale: whole records not refreshed within `ttlUs`,
   * entries older than that, tombstones and unconfirmed claims ("phantom"
   * links whose other side never said so) older than `confirmTimeoutUs`.
   */
  gc(now: TimeUs, ttlUs: number, confirmTimeoutUs: number, opts: { full?: boolean } = {}): GcResult {
    const out: GcResult = { removedOrigins: 0, expiredEntries: 0, expiredPhantoms: 0, checkedOrigins: 0 };
    if (opts.full || ttlUs !== this.gcTtlUs || confirmTimeoutUs !== this.gcConfirmUs) {
      this.settledUntilMs.fill(0, 0, this.originCount);
      this.gcTtlUs = ttlUs;
      this.gcConfirmUs = confirmTimeoutUs;
    }
    const pool = this.pool;
    for (let idx = this.originCount - 1; idx >= 0; idx--) {
      const settled = this.settledUntilMs[idx];
      if (settled !== 0 && now <= settled * 1000) continue; // same verdict as a full check: keep everything
      out.checkedOrigins++;
      const origin = this.origins[idx];
      const v = this.vers[origin];
      if (pool.vNewest[v] < now - ttlUs) {
        this.replace(origin, -1);
        out.removedOrigins++;
        continue;
      }
      // Most records lose nothing: decide without copying, build only when something goes.
      const n = pool.vLen[v];
      let drop = 0;
      for (let k = 0; k < n; k++) if (this.expired(v, k, origin, now, ttlUs, confirmTimeoutUs) !== 0) drop++;
      if (drop > 0) {
        let next = -1;
        if (drop < n) next = pool.alloc(origin, n - drop);
        let j = next >= 0 ? pool.vOff[next] : 0;
        for (let k = 0; k < n; k++) {
          const why = this.expired(v, k, origin, now, ttlUs, confirmTimeoutUs);
          if (why === 1) out.expiredEntries++;
          else if (why === 2) out.expiredPhantoms++;
          else {
            const e = pool.vOff[v] + k;
            pool.ePeer[j] = pool.ePeer[e];
            pool.eTs[j] = pool.eTs[e];
            pool.eFlags[j++] = pool.eFlags[e];
          }
        }
        this.replace(origin, next >= 0 ? pool.intern(next) : -1);
      }
      const kept = this.vers[origin];
      if (kept >= 0) this.settledUntilMs[this.originPos[origin]] = settledUntilMs(pool, kept, now, ttlUs, confirmTimeoutUs);
    }
    return out;
  }

  /**
   * 0 keep; 1 stale (older than the TTL, or a tombstone past the confirmation
   * timeout — it only guards against late, older connects, and none are in
   * flight by then); 2 a phantom (a claim the other side has not confirmed
   * within the timeout).
   */
  private expired(v: number, k: number, origin: PeerNum, now: TimeUs, ttlUs: number, confirmTimeoutUs: number): 0 | 1 | 2 {
    const e = this.pool.vOff[v] + k;
    const age = now - this.pool.eTs[e];
    const f = this.pool.eFlags[e];
    const connect = (f & F_CONNECT) !== 0;
    if (age > ttlUs || (!connect && age > confirmTimeoutUs)) return 1;
    if (connect && age > confirmTimeoutUs && !this.confirms(this.pool.ePeer[e], origin, f)) return 2;
    return 0;
  }

  /** Version v without its oldest tombstone (one reference taken), or -1 when it has none. */
  private withoutOldestTombstone(v: number): number {
    const pool = this.pool;
    const off = pool.vOff[v];
    let victim = -1;
    for (let k = off; k < off + pool.vLen[v]; k++) {
      if ((pool.eFlags[k] & F_CONNECT) === 0 && (victim < 0 || pool.eTs[k] < pool.eTs[victim])) victim = k;
    }
    return victim < 0 ? -1 : pool.without(v, victim - off);
  }

  /** Peers x is linked to by a confirmed link: x claims p and p claims x, in opposite directions. */
  confirmedNeighbours(x: PeerNum, out: PeerNum[]): PeerNum[] {
    out.length = 0;
    const v = this.version(x);
    if (v < 0) return out;
    const pool = this.pool;
    for (let e = pool.vOff[v], end = e + pool.vLen[v]; e < end; e++) {
      if ((pool.eFlags[e] & F_CONNECT) !== 0 && this.confirms(pool.ePeer[e], x, pool.eFlags[e])) out.push(pool.ePeer[e]);
    }
    return out;
  }

  /** True if x and p both claim their link, with opposite directions. */
  isConfirmed(x: PeerNum, p: PeerNum): boolean {
    const v = this.version(x);
    if (v < 0) return false;
    const k = entryIndex(this.pool, v, p);
    const f = k >= 0 ? this.pool.eFlags[this.pool.vOff[v] + k] : 0;
    return (f & F_CONNECT) !== 0 && this.confirms(p, x, f);
  }

  /** Bytes a standalone peer would hold for this map: per origin 32-byte id + 8-byte time, per entry 32 + 8 + 1. */
  modelledBytes(): number {
    let b = 0;
    for (let i = 0; i < this.originCount; i++) b += 40 + this.pool.vLen[this.vers[this.origins[i]]] * 41;
    return b;
  }

  /**
   * Heap bytes of this store's own arrays (records are counted by the pool).
   * Origin slots count 8 bytes, as the former array of record references did,
   * so the memory metric stays comparable (the Int32Array holds 4).
   */
  ownBytes(): number {
    return this.vers.length * 8 + this.origins.byteLength + this.originPos.byteLength + this.mentions.byteLength + this.settledUntilMs.byteLength + 64;
  }

  /** Releases every record (the peer's state is lost). */
  clear(): void {
    for (let i = this.originCount - 1; i >= 0; i--) this.replace(this.origins[i], -1);
  }

  private confirms(p: PeerNum, x: PeerNum, flagsXtoP: number): boolean {
    const back = this.version(p);
    if (back < 0) return false;
    const k = entryIndex(this.pool, back, x);
    if (k < 0) return false;
    const f = this.pool.eFlags[this.pool.vOff[back] + k];
    return (f & F_CONNECT) !== 0 && (f & F_OUT) !== (flagsXtoP & F_OUT);
  }

  /** Installs version `next` as origin's record (or removes it, -1), keeping mentions, known count and the origin list in step. */
  private replace(origin: PeerNum, next: number): void {
    this.ensure(origin);
    const old = this.vers[origin];
    if (old === next) {
      if (next >= 0) this.pool.release(next); // intern took a reference we do not need
      return;
    }
    const wasKnown = this.isKnown(origin);
    if (old >= 0) this.mention(old, -1);
    if (next >= 0) this.mention(next, +1);
    this.unsettleChanged(old, next);
    this.vers[origin] = next;
    if (old >= 0 && next < 0) this.removeOrigin(origin);
    if (old < 0 && next >= 0) this.addOrigin(origin);
    else if (next >= 0) this.unsettle(origin);
    if (old >= 0) this.pool.release(old);
    const isKnown = this.isKnown(origin);
    if (wasKnown !== isKnown) this.knownCount += isKnown ? 1 : -1;
  }

  private mention(v: number, delta: 1 | -1): void {
    const pool = this.pool;
    for (let e = pool.vOff[v], end = e + pool.vLen[v]; e < end; e++) {
      if ((pool.eFlags[e] & F_CONNECT) === 0) continue;
      const p = pool.ePeer[e];
      this.ensure(p);
      const before = this.isKnown(p);
      this.mentions[p] += delta;
      const after = this.isKnown(p);
      if (before !== after) this.knownCount += after ? 1 : -1;
    }
  }

  private ensure(p: PeerNum): void {
    if (p < this.mentions.length) return;
    let n = Math.max(64, this.mentions.length * 2);
    while (n <= p) n *= 2;
    // Stop at the expected size (a fixed number: once past it, doubling resumes).
    if (this.capacityHint > p && this.capacityHint < n) n = this.capacityHint;
    const m = new Uint16Array(n);
    m.set(this.mentions);
    this.mentions = m;
    const pos = new Int32Array(n).fill(-1);
    pos.set(this.originPos);
    this.originPos = pos;
    const vers = new Int32Array(n).fill(-1);
    vers.set(this.vers);
    this.vers = vers;
  }

  private addOrigin(o: PeerNum): void {
    if (this.originCount === this.origins.length) {
      const a = new Int32Array(this.origins.length * 2);
      a.set(this.origins);
      this.origins = a;
      const s = new Uint32Array(a.length);
      s.set(this.settledUntilMs);
      this.settledUntilMs = s;
    }
    this.originPos[o] = this.originCount;
    this.settledUntilMs[this.originCount] = 0;
    this.origins[this.originCount++] = o;
  }

  private removeOrigin(o: PeerNum): void {
    const i = this.originPos[o];
    const last = this.origins[--this.originCount];
    this.origins[i] = last;
    this.settledUntilMs[i] = this.settledUntilMs[this.originCount];
    this.originPos[last] = i;
    this.originPos[o] = -1;
  }

  /** p's record must be re-checked at the next GC (if p has one). */
  private unsettle(p: PeerNum): void {
    if (p < this.originPos.length) {
      const i = this.originPos[p];
      if (i >= 0) this.settledUntilMs[i] = 0;
    }
  }

  /**
   * A record changed from version `old` to `next` (-1: none): every peer whose
   * entry (kind or direction) differs may see its own claim's confirmation change.
   */
  private unsettleChanged(old: number, next: number): void {
    const pool = this.pool;
    let i = old < 0 ? 0 : pool.vOff[old];
    const iEnd = old < 0 ? 0 : i + pool.vLen[old];
    let j = next < 0 ? 0 : pool.vOff[next];
    const jEnd = next < 0 ? 0 : j + pool.vLen[next];
    const P = pool.ePeer;
    while (i < iEnd || j < jEnd) {
      if (j >= jEnd || (i < iEnd && P[i] < P[j])) this.unsettle(P[i++]);
      else if (i >= iEnd || P[j] < P[i]) this.unsettle(P[j++]);
      else {
        if (pool.eFlags[i] !== pool.eFlags[j]) this.unsettle(P[i]);
        i++;
        j++;
      }
    }
  }
}
