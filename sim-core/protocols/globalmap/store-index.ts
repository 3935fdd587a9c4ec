import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { F_CONNECT, F_OUT, type LinkRecord } from './record.ts';
import type { RecordPool } from './record-pool.ts';
import { StoreGrid } from './store-grid.ts';
import { entryIndex } from './store-scan.ts';

export interface StoreLimits {
  /** Connect claims one origin may hold (seed: 12 neighbours, may exceed temporarily). */
  maxClaims: number;
  /** Entries per record, tombstones included. */
  maxEntries: number;
  /** How far in the future a timestamp may be (clock skew). */
  maxSkewUs: number;
}

/**
 * The bookkeeping half of a peer's map (PeerStore is the other): per origin
 * its pool version, the dense list of origins with a record, how often each
 * peer is named by a connect claim (known peers), and per record until when
 * GC may skip it. Everything here is indexed by peer number.
 */
export class StoreIndex {
  /**
   * Per peer p, four ints side by side (one cache line for what an apply
   * touches): [4p] its record's pool version or -1; [4p+1] until when (ms,
   * rounded down, as uint32) the last GC proved its record has nothing to
   * drop, 0 = check it at the next GC (it, or a claim its links' confirmation
   * reads, changed since) — lets a GC pass skip settled records without
   * reading anyone's links; [4p+2] connect claims naming p across all records
   * (p is known if it has a record or is named); [4p+3] V (ms, as uint32):
   * every connect claim of p's record with t + confirmTimeout < V·1000 was
   * in it and confirmed at a GC check at or after V·1000, and no record it
   * reads changed since — GC need not look its confirmation up again; 0 =
   * verify them all. (The other side changing unsettles p, which clears V.)
   */
  slots = new Int32Array(0);
  /** Where this store's row starts in `slots` (the simulation's StoreGrid; set by it). */
  b = 0;
  /** Peers the row covers. */
  cap = 0;
  /** Origins that have a record, for iteration (swap-remove keeps it dense). */
  protected origins = new Int32Array(64);
  protected originCount = 0;
  /** Where removeOrigin looks first. */
  protected removeHint = -1;
  protected knownCount = 0;
  protected gcTtlUs = -1;
  protected gcConfirmUs = -1;

  constructor(
    protected readonly pool: RecordPool,
    protected readonly limits: StoreLimits,
    /**
     * Expected size of the peer-number space: the per-peer arrays grow to it
     * instead of the next power of two (at 10,000 peers that is 10,000 slots
     * per map, not 16,384). Past it they double again.
     */
    capacityHint = 0,
    /** The simulation's rows (one per store); a store on its own makes its own. */
    private readonly grid: StoreGrid = new StoreGrid(capacityHint, 1),
  ) {
    grid.attach(this);
  }

  /** Peers present in the map (origins with a record, or named in someone's links). */
  get known(): number {
    return this.knownCount;
  }

  get originsWithRecords(): number {
    return this.originCount;
  }

  isKnown(p: PeerNum): boolean {
    return p < this.cap && (this.slots[this.b + 4 * p] >= 0 || this.slots[this.b + 4 * p + 2] > 0);
  }

  /** A view of origin's record (subarrays of the pool's slabs, valid until the next change to any store). */
  record(origin: PeerNum): LinkRecord | undefined {
    const v = this.version(origin);
    return v < 0 ? undefined : this.pool.view(v);
  }

  /** Whether origin has a record (no view built: the signed map's receipt path asks at every new event). */
  hasRecord(origin: PeerNum): boolean {
    return this.version(origin) >= 0;
  }

  /** Origin's registers in record order, each to `visit` (no view, no subarrays: a sync answer reads every record). */
  eachRegister(origin: PeerNum, visit: (peer: PeerNum, flags: number, timestampUs: TimeUs) => void): void {
    const v = this.version(origin);
    if (v < 0) return;
    const pool = this.pool;
    for (let e = pool.offOf(v), end = e + pool.lenOf(v); e < end; e++) visit(pool.ePeer[e], pool.eFlags[e], pool.eTs[e]);
  }

  /** The pool version holding origin's record, or -1: equal views of an origin share one version. */
  version(origin: PeerNum): number {
    return origin < this.cap ? this.slots[this.b + 4 * origin] : -1;
  }

  /** The i-th origin with a record (0 ≤ i < originsWithRecords). */
  originAt(i: number): PeerNum {
    return this.origins[i];
  }

  /** Peers x is linked to by a confirmed link: x claims p and p claims x, in opposite directions. */
  confirmedNeighbours(x: PeerNum, out: PeerNum[]): PeerNum[] {
    out.length = this.confirmedNeighboursInto(x, out);
    return out;
  }

  /**
   * confirmedNeighbours written at out[0..n), n returned, `out` never
   * shortened: `length = 0` drops a JS array's backing store, so a scratch
   * emptied that way was a new one per peer a route search or a selection
   * round visited.
   */
  confirmedNeighboursInto(x: PeerNum, out: PeerNum[]): number {
    const v = this.version(x);
    if (v < 0) return 0;
    const pool = this.pool;
    let n = 0;
    for (let e = pool.offOf(v), end = e + pool.lenOf(v); e < end; e++) {
      if ((pool.eFlags[e] & F_CONNECT) !== 0 && this.confirms(pool.ePeer[e], x, pool.eFlags[e])) out[n++] = pool.ePeer[e];
    }
    return n;
  }

  /** True if x and p both claim their link, with opposite directions. */
  isConfirmed(x: PeerNum, p: PeerNum): boolean {
    const v = this.version(x);
    if (v < 0) return false;
    const k = entryIndex(this.pool, v, p);
    const f = k >= 0 ? this.pool.eFlags[this.pool.offOf(v) + k] : 0;
    return (f & F_CONNECT) !== 0 && this.confirms(p, x, f);
  }

  /** Bytes a standalone peer would hold for this map: per origin 32-byte id + 8-byte time, per entry 32 + 8 + 1. */
  modelledBytes(): number {
    let b = 0;
    for (let i = 0; i < this.originCount; i++) b += 40 + this.pool.lenOf(this.slots[this.b + 4 * this.origins[i]]) * 41;
    return b;
  }

  /**
   * Heap bytes of this store's own arrays (records are counted by the pool),
   * as the former layout reported them (per peer an 8-byte record reference,
   * a 4-byte position and a 2-byte count; per origin slot 4 + 4 bytes), so the
   * memory metric stays comparable; the slots now hold 16 bytes per peer.
   */
  ownBytes(): number {
    return this.cap * 14 + this.origins.byteLength * 2 + 64;
  }

  protected settled(p: PeerNum): number {
    return this.slots[this.b + 4 * p + 1] >>> 0;
  }

  protected setSettled(p: PeerNum, ms: number): void {
    this.slots[this.b + 4 * p + 1] = ms | 0;
  }

  /**
   * Origin's record gained or changed one entry written at ts; the others are
   * as the last GC saw them, so only that entry's deadlines (the TTL, and the
   * confirmation timeout of a tombstone or a claim) can bring the next check
   * forward. Replaced entries only lose deadlines: keeping theirs is safe.
   */
  protected settleBefore(origin: PeerNum, ts: number): void {
    // The entry at ts may be older than V (late news): it was never verified.
    const known = this.slots[this.b + 4 * origin + 3] >>> 0;
    if (known !== 0 && ts + this.gcConfirmUs < known * 1000) this.slots[this.b + 4 * origin + 3] = msFloor(ts + this.gcConfirmUs);
    const s = this.settled(origin);
    if (s === 0) return;
    const ms = Math.floor((ts + Math.min(this.gcTtlUs, this.gcConfirmUs)) / 1000) - 1;
    this.setSettled(origin, ms < 1 ? 0 : Math.min(s, ms));
  }

  /**
   * Origin's entry for p changed: p's claim of origin, if it has one, must be
   * re-checked when it lost its confirmation (a gained one drops nothing; an
   * unconfirmed claim is either young, so p's deadline covers it, or was dropped).
   */
  protected recheckClaim(p: PeerNum, origin: PeerNum): void {
    const v = this.version(p);
    if (v < 0 || (this.slots[this.b + 4 * p + 1] === 0 && this.slots[this.b + 4 * p + 3] === 0)) return; // no record, or due and unverified anyway
    const k = entryIndex(this.pool, v, origin);
    if (k < 0) return;
    const e = this.pool.offOf(v) + k;
    const f = this.pool.eFlags[e];
    if ((f & F_CONNECT) !== 0 && !this.confirms(origin, p, f)) this.unverify(p, this.pool.eTs[e]);
  }

  /**
   * p's claim of origin, if it is a connect, may have lost its confirmation
   * (origin's entry for p is no longer a connect, or went).
   */
  protected unverifyClaim(p: PeerNum, origin: PeerNum): void {
    const v = this.version(p);
    if (v < 0) return;
    const k = entryIndex(this.pool, v, origin);
    if (k < 0) return;
    const e = this.pool.offOf(v) + k;
    if ((this.pool.eFlags[e] & F_CONNECT) !== 0) this.unverify(p, this.pool.eTs[e]);
  }

  /**
   * A claim of p's record written at ts may have lost its confirmation: GC
   * checks p's record next time and looks that claim up again, with the
   * claims at least as young (the verified mark only comes down to it);
   * older claims read records that did not change, or they would have been
   * unverified too.
   */
  private unverify(p: PeerNum, ts: number): void {
    const at = this.b + 4 * p;
    this.slots[at + 1] = 0;
    const known = this.slots[at + 3] >>> 0;
    if (known !== 0 && ts + this.gcConfirmUs < known * 1000) this.slots[at + 3] = msFloor(ts + this.gcConfirmUs);
  }

  protected confirms(p: PeerNum, x: PeerNum, flagsXtoP: number): boolean {
    const back = this.version(p);
    if (back < 0) return false;
    const k = entryIndex(this.pool, back, x);
    if (k < 0) return false;
    const f = this.pool.eFlags[this.pool.offOf(back) + k];
    return (f & F_CONNECT) !== 0 && (f & F_OUT) !== (flagsXtoP & F_OUT);
  }

  /**
   * Takes entries out of origin's record: installs `next`, its record minus
   * the entries with a verdict in `verdicts` (countExpired's, by the old
   * record's entry), or removes the record (next -1; verdicts null: every
   * entry goes). Mentions, the known count and the origin list stay in step.
   * Only the entries that go change anything: a connect that goes is named
   * once less, and the claim of origin it confirmed must be checked again;
   * kept entries, and tombstones, name and confirm nothing new. Nor does a
   * phantom (verdict 2) confirm anything: confirmation is symmetric (two
   * connects in opposite directions), so a claim its peer does not confirm
   * means that peer's own claim, if any, is unconfirmed too.
   */
  protected replace(origin: PeerNum, next: number, verdicts: Uint8Array | null = null): void {
    const pool = this.pool;
    const old = this.slots[this.b + 4 * origin];
    const wasKnown = this.isKnown(origin);
    const off = pool.offOf(old);
    for (let k = 0, n = pool.lenOf(old); k < n; k++) {
      const why = verdicts === null ? 1 : verdicts[k];
      if (why === 0 || (pool.eFlags[off + k] & F_CONNECT) === 0) continue;
      const p = pool.ePeer[off + k];
      this.mention(p, -1);
      if (why !== 2) this.unverifyClaim(p, origin);
    }
    this.slots[this.b + 4 * origin] = next;
    if (next < 0) this.removeOrigin(origin);
    else this.unsettle(origin);
    pool.release(old);
    const isKnown = this.isKnown(origin);
    if (wasKnown !== isKnown) this.knownCount += isKnown ? 1 : -1;
  }

  /** A connect claim naming p came (+1) or went (-1): p's mentions, and the known count if p's known state flips. */
  protected mention(p: PeerNum, delta: number): void {
    const before = this.isKnown(p);
    this.slots[this.b + 4 * p + 2] += delta;
    if (before !== this.isKnown(p)) this.knownCount += before ? -1 : 1;
  }

  protected ensure(p: PeerNum): void {
    if (p >= this.cap) this.grid.ensurePeer(p);
  }

  protected addOrigin(o: PeerNum): void {
    if (this.originCount === this.origins.length) {
      const a = new Int32Array(this.origins.length * 2);
      a.set(this.origins);
      this.origins = a;
    }
    this.slots[this.b + 4 * o + 3] = 0;
    this.slots[this.b + 4 * o + 1] = 0;
    this.origins[this.originCount++] = o;
  }

  /** Swap-remove; o is found at `removeHint` (GC's cursor) or by a scan from the end (clear goes from the end). */
  protected removeOrigin(o: PeerNum): void {
    let i = this.removeHint;
    if (!(i >= 0 && i < this.originCount && this.origins[i] === o)) {
      i = this.originCount - 1;
      while (this.origins[i] !== o) i--;
    }
    this.origins[i] = this.origins[--this.originCount];
    this.slots[this.b + 4 * o + 3] = 0;
  }

  /** p's record must be re-checked at the next GC (if p has one), its claims' confirmations included. */
  protected unsettle(p: PeerNum): void {
    if (p >= this.cap) return;
    this.slots[this.b + 4 * p + 1] = 0;
    this.slots[this.b + 4 * p + 3] = 0;
  }

  /** Every old claim of p's record was just verified, at `now`. */
  protected setVerified(p: PeerNum, now: number): void {
    this.slots[this.b + 4 * p + 3] = msFloor(now);
  }

  /** Claims of p's record that GC need not verify again: those with t + confirmTimeout below this (µs). */
  protected verifiedUs(p: PeerNum): number {
    return (this.slots[this.b + 4 * p + 3] >>> 0) * 1000;
  }
}

/** µs → ms rounded down, as a uint32 field stores it (0 if below 1 ms; capped, which only verifies more). */
function msFloor(us: number): number {
  const ms = Math.floor(us / 1000);
  return (ms < 1 ? 0 : Math.min(0xffffffff, ms)) | 0;
}
