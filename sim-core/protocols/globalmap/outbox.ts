import { MAX_GM_EVENTS } from '../../wire/constants.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { TimeUs } from '../../engine/time.ts';
import type { GlobalmapConfig } from './config.ts';
import { EventRefsMsg, packRef } from './event-refs.ts';
import type { EventTable } from './event-table.ts';
import { HINT_BUCKETS, type OutboxPlane } from './outbox-plane.ts';
import type { GlobalmapStats } from './stats.ts';

/**
 * Batching of gossiped events (G2 with batchSize > 1), one outbox per peer:
 * each waiting event is its serial, hops left and a mask over the peer's
 * link slots of the neighbours that must not get it — the one it came from,
 * and any neighbour that sends us the same event meanwhile ("never back to
 * the sender", extended to everyone who already has it). The entries live in
 * the simulation's OutboxPlane, row `self`. A neighbour keeps its link slot
 * while the link is up. At flush each neighbour, in link order, gets the
 * waiting events minus its exclusions. The event table's `pending` bit tells
 * a receipt whether to look here at all.
 */
export class Outbox {
  private n = 0;
  /**
   * The flush budget as a virtual schedule (GCRA): a full batch may go at
   * `now` if now ≥ flushDueUs − (burst − 1) × gap; each one pushes
   * flushDueUs a gap further. A full batch over budget waits for the timer.
   */
  private flushDueUs = 0;
  /** The shared entry rows (this peer's: `self`). */
  private readonly plane: OutboxPlane;
  /** Linked neighbours in link order (flush order), with their slots. */
  private readonly slotOf = new Map<PeerNum, number>();
  // Per slot, the linked neighbour, and the neighbour whose link closed since the last flush, are this peer's
  // rows of the plane's slotPeer and retiredPeer (-1: none). Lookups scan them: a few contiguous words. A retired
  // neighbour's exclusions stay, and it gets the same slot back if it reconnects before the flush: what a
  // neighbour showed it has does not depend on which connection it came over.

  constructor(
    private readonly cfg: GlobalmapConfig,
    private readonly stats: GlobalmapStats,
    private readonly table: EventTable,
    private readonly self: PeerNum,
    private readonly send: (peer: PeerNum, msg: EventRefsMsg) => void,
    /** Called whenever an event waits: the owner sets the flush timer unless it is already set. */
    private readonly arm: () => void,
  ) {
    // Never more entries than a batch: the outbox flushes on reaching it.
    this.plane = table.outboxPlane(Math.max(1, Math.min(cfg.batchSize, cfg.maxQueuedEvents)));
    this.plane.ensureRow(self);
    // The row outlives the app: one restarted without its state (a new app, never told its links went down) left its slots there.
    this.plane.clearLinks(self);
  }

  /** Where this peer's link slots start in the plane's slot rows (re-read after anything that may widen them). */
  private get slotRow(): number {
    return this.self * 32 * this.plane.words;
  }

  get waiting(): number {
    return this.n;
  }

  /** The neighbour's link slot (-1 if it has none). */
  linkSlot(peer: PeerNum): number {
    return indexIn(this.plane.slotPeer, this.slotRow, 32 * this.plane.words, peer);
  }

  /**
   * The slot whose bits stand for `peer` in the waiting entries: its link's,
   * else the one retired for it — reserved now if needed, so that what a peer
   * without a link showed it has still counts if it links before the flush.
   */
  slotFor(peer: PeerNum): number {
    const p = this.plane;
    const s = indexIn(p.slotPeer, this.slotRow, 32 * p.words, peer);
    if (s >= 0) return s;
    if (this.n === 0) return -1;
    const r = indexIn(p.retiredPeer, this.slotRow, 32 * p.words, peer);
    if (r >= 0) return r;
    const free = this.freeSlot();
    p.retiredPeer[this.slotRow + free] = peer;
    return free;
  }

  linkUp(peer: PeerNum): void {
    if (this.slotOf.has(peer)) return;
    const p = this.plane;
    let s = indexIn(p.retiredPeer, this.slotRow, 32 * p.words, peer);
    if (s < 0) s = this.freeSlot();
    const row = this.slotRow;
    p.slotPeer[row + s] = peer;
    p.retiredPeer[row + s] = -1;
    this.slotOf.set(peer, s);
  }

  /** The lowest slot neither linked nor retired (widening every row past 32 × words slots). */
  private freeSlot(): number {
    const p = this.plane;
    const n = 32 * p.words;
    const row = this.slotRow;
    let s = 0;
    while (s < n && (p.slotPeer[row + s] !== -1 || p.retiredPeer[row + s] !== -1)) s++;
    if (s === n) p.widen(); // slot n is free in the wider rows
    return s;
  }

  /** The link closed: its slot is retired until the next flush (its bits still describe this neighbour). */
  linkDown(peer: PeerNum): void {
    const s = this.slotOf.get(peer);
    if (s === undefined) return;
    this.slotOf.delete(peer);
    const row = this.slotRow;
    this.plane.slotPeer[row + s] = -1;
    this.plane.retiredPeer[row + s] = this.n > 0 ? peer : -1;
  }

  /** Queues event `serial` with `ttl` hops left for every neighbour but the one in `exceptSlot`, or only `only`'s. */
  add(serial: number, ttl: number, exceptSlot: number, only: PeerNum[] | null, now: TimeUs): void {
    // Full (a full batch over the flush budget waits for the timer): the event is not queued.
    if (this.n >= this.cfg.maxQueuedEvents || this.n >= this.plane.cap) {
      this.stats.eventsQueueDropped++;
      return;
    }
    const p = this.plane;
    if (this.self >= p.rows) p.ensureRow(this.self);
    const e = this.self * p.cap + this.n++;
    const w = p.words;
    p.serial[e] = serial;
    p.ttl[e] = ttl;
    p.hint[this.self * HINT_BUCKETS + (serial & (HINT_BUCKETS - 1))] = this.n;
    const excl = p.excl;
    for (let k = e * w; k < e * w + w; k++) excl[k] = 0; // usually one word: cheaper than fill's call
    if (exceptSlot >= 0) excl[e * w + (exceptSlot >>> 5)] |= 1 << (exceptSlot & 31);
    p.restricted[e] = only === null ? 0 : 1;
    if (only !== null) {
      p.allow.fill(0, e * w, e * w + w);
      for (const q of only) {
        const s = this.linkSlot(q);
        if (s >= 0) p.allow[e * w + (s >>> 5)] |= 1 << (s & 31);
      }
    }
    const t = this.table;
    const slot = serial & t.mask;
    t.bits[t.wordOf(this.self, slot) + 1] |= 1 << (slot & 31);
    t.touch(slot, now);
    if (this.n >= this.cfg.batchSize && this.mayFlush(now)) this.flush();
    else this.arm();
  }

  /** A full batch may go now (and is counted) if the flush budget allows: maxFlushesPerS, bursts of twice that. */
  private mayFlush(now: TimeUs): boolean {
    const gapUs = 1e6 / this.cfg.maxFlushesPerS;
    if (now < this.flushDueUs - gapUs * (Math.max(1, 2 * this.cfg.maxFlushesPerS) - 1)) return false;
    this.flushDueUs = Math.max(this.flushDueUs, now) + gapUs;
    return true;
  }

  /** The neighbour in `linkSlot` sent us `serial`: it will not get it from us. */
  exclude(serial: number, linkSlot: number): void {
    if (linkSlot < 0) return;
    const p = this.plane;
    const base = this.self * this.plane.cap;
    // The hint names the last entry queued in its bucket: if it holds this serial, no later entry does.
    let i = p.hint[this.self * HINT_BUCKETS + (serial & (HINT_BUCKETS - 1))] - 1;
    if (i < 0 || i >= this.n || p.serial[base + i] !== serial) {
      i = this.n - 1;
      while (i >= 0 && p.serial[base + i] !== serial) i--;
      if (i < 0) return;
    }
    const at = (base + i) * p.words + (linkSlot >>> 5);
    const bit = 1 << (linkSlot & 31);
    if ((p.excl[at] & bit) !== 0) return;
    p.excl[at] |= bit;
    this.stats.eventsSuppressed++;
  }

  /** Sends the waiting events to every neighbour (in link order), each minus its exclusions, in chunks of the batch size. */
  flush(): void {
    if (this.n === 0) return;
    const n = this.n;
    const { excl, allow, restricted, serial, ttl, words: w } = this.plane;
    const base = this.self * this.plane.cap;
    const chunk = Math.min(MAX_GM_EVENTS, this.cfg.batchSize);
    const pool = this.table.refsPool;
    for (const peer of this.slotOf.keys()) {
      const s = this.slotOf.get(peer)!;
      const off = s >>> 5;
      const bit = 1 << (s & 31);
      let msg: EventRefsMsg | null = null;
      // The message's array, base and count in locals: the loop writes no object field.
      let packed: Uint32Array | null = null;
      let at = 0;
      let count = 0;
      for (let i = base; i < base + n; i++) {
        if ((excl[i * w + off] & bit) !== 0) continue;
        if (restricted[i] !== 0 && (allow[i * w + off] & bit) === 0) continue;
        if (packed === null) {
          msg = pool.take(chunk);
          packed = msg.packed;
          at = msg.base;
        }
        packed[at + count++] = packRef(serial[i], ttl[i]);
        if (count === chunk) {
          msg!.count = count;
          this.emit(peer, msg!);
          packed = null;
          count = 0;
        }
      }
      if (packed !== null) {
        msg!.count = count;
        this.emit(peer, msg!);
      }
    }
    this.clear();
  }

  /** Forgets every waiting event (sent, or the peer's state is lost). */
  clear(): void {
    const t = this.table;
    const bits = t.bits;
    const serials = this.plane.serial;
    const base = this.self * this.plane.cap;
    for (let i = base; i < base + this.n; i++) {
      const serial = serials[i];
      if (!t.isLive(serial)) continue;
      const slot = serial & t.mask;
      bits[t.wordOf(this.self, slot) + 1] &= ~(1 << (slot & 31));
    }
    this.n = 0;
    const row = this.slotRow;
    this.plane.retiredPeer.fill(-1, row, row + 32 * this.plane.words);
  }

  private emit(peer: PeerNum, msg: EventRefsMsg): void {
    this.send(peer, msg);
    this.stats.eventMessagesSent++;
    this.stats.eventsForwarded += msg.count;
  }
}

/** The index of x in a[from … from + n) relative to from, or -1: a plain loop over a few dozen slots, where indexOf's call costs more than the scan. */
function indexIn(a: Int32Array, from: number, n: number, x: number): number {
  for (let i = 0; i < n; i++) if (a[from + i] === x) return i;
  return -1;
}
