import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { F_CONNECT, F_OUT, newer, type LinkRecord } from './record.ts';
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

const EMPTY_I32 = new Int32Array(0);
const EMPTY_F64 = new Float64Array(0);
const EMPTY_U8 = new Uint8Array(0);

/**
 * A peer's global map (G1): for each origin it has heard from, the shared
 * record of what that origin said about its links. Dense arrays indexed by
 * peer number keep lookups O(1) and the footprint a few bytes per possible
 * peer; the records themselves are shared across all peers of a simulation.
 */
export class PeerStore {
  private recs: (LinkRecord | undefined)[] = [];
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
    return (this.recs[p] !== undefined) || (p < this.mentions.length && this.mentions[p] > 0);
  }

  record(origin: PeerNum): LinkRecord | undefined {
    return this.recs[origin];
  }

  /** The i-th origin with a record (0 ≤ i < originsWithRecords). */
  originAt(i: number): PeerNum {
    return this.origins[i];
  }

  apply(e: LinkEvent, now: TimeUs): ApplyResult {
    if (e.origin === e.peer || !(e.timestampUs >= 0) || e.timestampUs > now + this.limits.maxSkewUs) return 'invalid';
    const flags = e.flags & 3;
    const old = this.recs[e.origin];
    const i = old ? indexOf(old.peers, e.peer) : -1;
    if (old && i >= 0 && !newer(e.timestampUs, flags, old.ts[i], old.flags[i])) return 'stale';
    if (i < 0 && old && old.peers.length >= this.limits.maxEntries) {
      // Full: make room by forgetting the oldest tombstone; all claims and still full is excessive.
      const slimmer = this.withoutOldestTombstone(old);
      if (!slimmer) return 'excessive';
      this.swap(e.origin, old, slimmer, -1, 0);
      return this.apply(e, now);
    }
    const wasConnect = i >= 0 && (old!.flags[i] & F_CONNECT) !== 0 ? 1 : 0;
    const isConnect = (flags & F_CONNECT) !== 0 ? 1 : 0;
    if ((old?.connects ?? 0) + isConnect - wasConnect > this.limits.maxClaims) return 'excessive';
    const next = (old && this.pool.transition(old, e.peer, flags, e.timestampUs)) ?? this.withEntry(e.origin, old, i, e.peer, flags, e.timestampUs);
    if (old) this.pool.remember(old, e.peer, flags, e.timestampUs, next);
    this.swap(e.origin, old, next, e.peer, isConnect - wasConnect);
    return 'applied';
  }

  /** The record `old` with entry (peer, flags, ts) replacing index i (or inserted in order when i < 0). */
  private withEntry(origin: PeerNum, old: LinkRecord | undefined, i: number, peer: PeerNum, f: number, t: number): LinkRecord {
    const n = old ? old.peers.length : 0;
    const peers = new Int32Array(i >= 0 ? n : n + 1);
    const ts = new Float64Array(peers.length);
    const flags = new Uint8Array(peers.length);
    const at = i >= 0 ? i : insertionPoint(old?.peers ?? EMPTY_I32, peer);
    for (let k = 0, j = 0; k < peers.length; k++) {
      if (k === at) {
        peers[k] = peer;
        ts[k] = t;
        flags[k] = f;
        if (i >= 0) j++;
        continue;
      }
      peers[k] = old!.peers[j];
      ts[k] = old!.ts[j];
      flags[k] = old!.flags[j];
      j++;
    }
    return this.pool.acquire(origin, peers, ts, flags);
  }

  /**
   * Installs `next` for origin when only one peer's claim changed by
   * `delta` (+1 a new connect, -1 a connect gone): bookkeeping is O(1)
   * instead of a pass over both records.
   */
  private swap(origin: PeerNum, old: LinkRecord | undefined, next: LinkRecord, peer: PeerNum, delta: number): void {
    this.ensure(Math.max(origin, peer));
    const originKnown = this.isKnown(origin);
    if (delta !== 0) {
      const before = this.isKnown(peer);
      this.mentions[peer] += delta;
      if (before !== this.isKnown(peer)) this.knownCount += before ? -1 : 1;
    }
    this.recs[origin] = next;
    if (!old) this.addOrigin(origin);
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
    for (let idx = this.originCount - 1; idx >= 0; idx--) {
      const settled = this.settledUntilMs[idx];
      if (settled !== 0 && now <= settled * 1000) continue; // same verdict as a full check: keep everything
      out.checkedOrigins++;
      const origin = this.origins[idx];
      const r = this.recs[origin]!;
      if (r.newestUs < now - ttlUs) {
        this.replace(origin, undefined);
        out.removedOrigins++;
        continue;
      }
      // Most records lose nothing: decide without allocating, rebuild only when something goes.
      let drop = 0;
      for (let k = 0; k < r.peers.length; k++) if (this.expired(r, k, origin, now, ttlUs, confirmTimeoutUs) !== 0) drop++;
      if (drop > 0) {
        const keep = new Map<PeerNum, { ts: number; flags: number }>();
        for (let k = 0; k < r.peers.length; k++) {
          const why = this.expired(r, k, origin, now, ttlUs, confirmTimeoutUs);
          if (why === 1) out.expiredEntries++;
          else if (why === 2) out.expiredPhantoms++;
          else keep.set(r.peers[k], { ts: r.ts[k], flags: r.flags[k] });
        }
        this.replace(origin, keep.size > 0 ? this.build(origin, keep) : undefined);
      }
      const kept = this.recs[origin];
      if (kept) this.settledUntilMs[this.originPos[origin]] = settledUntilMs(kept, now, ttlUs, confirmTimeoutUs);
    }
    return out;
  }

  /**
   * 0 keep; 1 stale (older than the TTL, or a tombstone past the confirmation
   * timeout — it only guards against late, older connects, and none are in
   * flight by then); 2 a phantom (a claim the other side has not confirmed
   * within the timeout).
   */
  private expired(r: LinkRecord, k: number, origin: PeerNum, now: TimeUs, ttlUs: number, confirmTimeoutUs: number): 0 | 1 | 2 {
    const age = now - r.ts[k];
    const connect = (r.flags[k] & F_CONNECT) !== 0;
    if (age > ttlUs || (!connect && age > confirmTimeoutUs)) return 1;
    if (connect && age > confirmTimeoutUs && !this.confirms(r.peers[k], origin, r.flags[k])) return 2;
    return 0;
  }

  private withoutOldestTombstone(r: LinkRecord): LinkRecord | undefined {
    let victim = -1;
    for (let k = 0; k < r.peers.length; k++) {
      if ((r.flags[k] & F_CONNECT) === 0 && (victim < 0 || r.ts[k] < r.ts[victim])) victim = k;
    }
    if (victim < 0) return undefined;
    const keep = new Map<PeerNum, { ts: number; flags: number }>();
    for (let k = 0; k < r.peers.length; k++) if (k !== victim) keep.set(r.peers[k], { ts: r.ts[k], flags: r.flags[k] });
    return this.build(r.origin, keep);
  }

  /** Peers x is linked to by a confirmed link: x claims p and p claims x, in opposite directions. */
  confirmedNeighbours(x: PeerNum, out: PeerNum[]): PeerNum[] {
    out.length = 0;
    const r = this.recs[x];
    if (!r) return out;
    for (let k = 0; k < r.peers.length; k++) {
      if ((r.flags[k] & F_CONNECT) !== 0 && this.confirms(r.peers[k], x, r.flags[k])) out.push(r.peers[k]);
    }
    return out;
  }

  /** True if x and p both claim their link, with opposite directions. */
  isConfirmed(x: PeerNum, p: PeerNum): boolean {
    const r = this.recs[x];
    if (!r) return false;
    const k = indexOf(r.peers, p);
    return k >= 0 && (r.flags[k] & F_CONNECT) !== 0 && this.confirms(p, x, r.flags[k]);
  }

  /** Bytes a standalone peer would hold for this map: per origin 32-byte id + 8-byte time, per entry 32 + 8 + 1. */
  modelledBytes(): number {
    let b = 0;
    for (let i = 0; i < this.originCount; i++) b += 40 + this.recs[this.origins[i]]!.peers.length * 41;
    return b;
  }

  /** Heap bytes of this store's own arrays (records are counted by the pool). */
  ownBytes(): number {
    return this.recs.length * 8 + this.origins.byteLength + this.originPos.byteLength + this.mentions.byteLength + this.settledUntilMs.byteLength + 64;
  }

  /** Releases every record (the peer's state is lost). */
  clear(): void {
    for (let i = this.originCount - 1; i >= 0; i--) this.replace(this.origins[i], undefined);
  }

  private confirms(p: PeerNum, x: PeerNum, flagsXtoP: number): boolean {
    const back = this.recs[p];
    if (!back) return false;
    const k = indexOf(back.peers, x);
    return k >= 0 && (back.flags[k] & F_CONNECT) !== 0 && (back.flags[k] & F_OUT) !== (flagsXtoP & F_OUT);
  }

  private build(origin: PeerNum, entries: Map<PeerNum, { ts: number; flags: number }>): LinkRecord {
    const keys = [...entries.keys()].sort((a, b) => a - b);
    const peers = keys.length ? new Int32Array(keys) : EMPTY_I32;
    const ts = keys.length ? new Float64Array(keys.length) : EMPTY_F64;
    const flags = keys.length ? new Uint8Array(keys.length) : EMPTY_U8;
    keys.forEach((p, k) => {
      const e = entries.get(p)!;
      ts[k] = e.ts;
      flags[k] = e.flags;
    });
    return this.pool.acquire(origin, peers, ts, flags);
  }

  /** Installs `next` as origin's record (or removes it), keeping mentions, known count and the origin list in step. */
  private replace(origin: PeerNum, next: LinkRecord | undefined): void {
    this.ensure(origin);
    const old = this.recs[origin];
    if (old === next) {
      if (next) this.pool.release(next); // acquire took a reference we do not need
      return;
    }
    const wasKnown = this.isKnown(origin);
    if (old) this.mention(old, -1);
    if (next) this.mention(next, +1);
    this.unsettleChanged(old, next);
    this.recs[origin] = next;
    if (old && !next) this.removeOrigin(origin);
    if (!old && next) this.addOrigin(origin);
    else if (next) this.unsettle(origin);
    if (old) this.pool.release(old);
    const isKnown = this.isKnown(origin);
    if (wasKnown !== isKnown) this.knownCount += isKnown ? 1 : -1;
  }

  private mention(r: LinkRecord, delta: 1 | -1): void {
    for (let k = 0; k < r.peers.length; k++) {
      if ((r.flags[k] & F_CONNECT) === 0) continue;
      const p = r.peers[k];
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
    while (this.recs.length < n) this.recs.push(undefined);
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
   * A record changed from `old` to `next`: every peer whose entry (kind or
   * direction) differs may see its own claim's confirmation change.
   */
  private unsettleChanged(old: LinkRecord | undefined, next: LinkRecord | undefined): void {
    const a = old?.peers ?? EMPTY_I32;
    const b = next?.peers ?? EMPTY_I32;
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && a[i] < b[j])) this.unsettle(a[i++]);
      else if (i >= a.length || b[j] < a[i]) this.unsettle(b[j++]);
      else {
        if (old!.flags[i] !== next!.flags[j]) this.unsettle(a[i]);
        i++;
        j++;
      }
    }
  }
}

/**
 * Until when (ms, rounded down so never late) a record just checked at `now`
 * keeps passing GC unchanged: the first moment an entry outlives the TTL, a
 * tombstone the confirmation timeout, or a young claim becomes old enough to
 * need its confirmation checked. Confirmation of old claims changes only when
 * the other side's record changes, which unsettles this one.
 */
function settledUntilMs(r: LinkRecord, now: TimeUs, ttlUs: number, confirmTimeoutUs: number): number {
  let until = r.newestUs + ttlUs;
  for (let k = 0; k < r.ts.length; k++) {
    const t = r.ts[k];
    if ((r.flags[k] & F_CONNECT) === 0) until = Math.min(until, t + confirmTimeoutUs, t + ttlUs);
    else {
      until = Math.min(until, t + ttlUs);
      if (t + confirmTimeoutUs >= now) until = Math.min(until, t + confirmTimeoutUs);
    }
  }
  // 0 means "check next time"; past the Uint32 range, check then rather than never. One ms
  // of margin: a full check computes now - t > ttl, this t + ttl, and with fractional
  // times the two may round differently.
  const ms = Math.floor(until / 1000) - 1;
  return ms < 1 ? 0 : Math.min(0xffffffff, ms);
}

function indexOf(sorted: Int32Array, p: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = sorted[mid];
    if (v === p) return mid;
    if (v < p) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function insertionPoint(sorted: Int32Array, p: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < p) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
