import { KernelRangeError } from './errors.ts';
import { SlotStack } from './slot-stack.ts';

/**
 * Live link events as dense int32 ids. An event is interned once, where it
 * is originated; its fields live in typed columns and every hop carries only
 * the id. Each slot also holds two bitsets over peers: `seen` (the peer has
 * received or originated it: exact dedupe) and `pending` (it waits in the
 * peer's outbox: only then does a duplicate look for it there). A slot is
 * counted by reference (outbox entries + messages in flight) and recycled
 * when the last copy is gone, so memory follows the live events.
 */
export class EventTable {
  readonly origin: Int32Array;
  readonly peer: Int32Array;
  readonly flags: Uint8Array;
  readonly ts: Float64Array;
  /** Never-reused serial of the slot's current event: version memos key on it, not on the recycled id. */
  readonly serial: Int32Array;
  readonly refs: Int32Array;
  /** Words per bitset: one bit per peer. */
  readonly words: number;
  readonly seen: Int32Array;
  readonly pending: Int32Array;
  private readonly free: SlotStack;
  private nextSerial = 0;
  live = 0;
  peakLive = 0;

  constructor(
    readonly peers: number,
    readonly capacity: number,
  ) {
    if (!(peers >= 1 && capacity >= 1)) throw new KernelRangeError('EventTable', `peers ${peers} and capacity ${capacity} must be ≥ 1`);
    this.origin = new Int32Array(capacity);
    this.peer = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.ts = new Float64Array(capacity);
    this.serial = new Int32Array(capacity);
    this.refs = new Int32Array(capacity);
    this.words = (peers + 31) >>> 5;
    this.seen = new Int32Array(capacity * this.words);
    this.pending = new Int32Array(capacity * this.words);
    this.free = new SlotStack(capacity, 'eventCapacity');
  }

  /** A new event, seen by its origin, with no references yet. */
  intern(origin: number, peer: number, flags: number, ts: number): number {
    const id = this.free.take();
    this.origin[id] = origin;
    this.peer[id] = peer;
    this.flags[id] = flags;
    this.ts[id] = ts;
    this.serial[id] = this.nextSerial++;
    this.refs[id] = 0;
    this.seen[id * this.words + (origin >>> 5)] |= 1 << (origin & 31);
    if (++this.live > this.peakLive) this.peakLive = this.live;
    return id;
  }

  /** Drops one reference; the slot is recycled (bitsets cleared) at zero. */
  release(id: number): void {
    if (--this.refs[id] > 0) return;
    this.recycle(id);
  }

  /** Recycles a slot nothing refers to (an event nobody could be sent). */
  recycle(id: number): void {
    const w = this.words;
    this.seen.fill(0, id * w, id * w + w);
    this.pending.fill(0, id * w, id * w + w);
    this.refs[id] = 0;
    this.free.give(id);
    this.live--;
  }

  hasSeen(id: number, p: number): boolean {
    return (this.seen[id * this.words + (p >>> 5)] & (1 << (p & 31))) !== 0;
  }

  /** Bytes of the table: columns + both bitsets + free list. */
  get bytes(): number {
    return this.capacity * (4 + 4 + 1 + 8 + 4 + 4 + 4 + this.words * 8);
  }
}
