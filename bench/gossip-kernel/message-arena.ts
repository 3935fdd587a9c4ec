import { KernelCapacityError } from './errors.ts';

/**
 * Messages in flight as (offset, length) into one shared arena of event ids
 * and TTLs: a ring of message records over a ring of id slots, allocated in
 * send order. Messages are delivered out of order (links differ in delay);
 * a delivered message is marked free and the tails advance past the oldest
 * freed ones, so the rings stay bounded by the delay spread, not the run.
 */
export class MessageArena {
  readonly ids: Int32Array;
  readonly ttls: Uint8Array;
  readonly off: Int32Array;
  readonly len: Int32Array;
  private readonly done: Uint8Array;
  private head = 0;
  private tail = 0;
  private msgHead = 0;
  private msgTail = 0;
  private msgCount = 0;
  peakMessages = 0;
  /** Most slots spanned at once from the oldest message in flight to the newest (gaps included). */
  peakSlots = 0;

  constructor(
    readonly slotCapacity: number,
    readonly messageCapacity: number,
  ) {
    this.ids = new Int32Array(slotCapacity);
    this.ttls = new Uint8Array(slotCapacity);
    this.off = new Int32Array(messageCapacity);
    this.len = new Int32Array(messageCapacity);
    this.done = new Uint8Array(messageCapacity);
  }

  get inFlight(): number {
    return this.msgCount;
  }

  /** A message of n slots; the caller fills ids/ttls at off[m] .. off[m] + n. */
  alloc(n: number): number {
    if (this.msgCount === this.messageCapacity) throw new KernelCapacityError('messageCapacity', this.messageCapacity);
    let at: number;
    if (this.msgCount === 0) {
      this.head = this.tail = 0;
      at = 0;
      if (n > this.slotCapacity) throw new KernelCapacityError('arenaSlots', this.slotCapacity);
    } else if (this.head >= this.tail) {
      if (this.head + n <= this.slotCapacity) at = this.head;
      else if (n < this.tail) at = 0;
      else throw new KernelCapacityError('arenaSlots', this.slotCapacity);
    } else if (this.head + n < this.tail) {
      at = this.head;
    } else {
      throw new KernelCapacityError('arenaSlots', this.slotCapacity);
    }
    const m = this.msgHead;
    this.msgHead = m + 1 === this.messageCapacity ? 0 : m + 1;
    this.msgCount++;
    if (this.msgCount > this.peakMessages) this.peakMessages = this.msgCount;
    this.off[m] = at;
    this.len[m] = n;
    this.head = at + n;
    const span = this.head >= this.tail ? this.head - this.tail : this.slotCapacity - this.tail + this.head;
    if (span > this.peakSlots) this.peakSlots = span;
    return m;
  }

  /** Cuts the message allocated last down to n ≤ its length slots (a flush reserves the whole outbox, then writes what passes the masks). */
  shrinkLast(m: number, n: number): void {
    this.len[m] = n;
    this.head = this.off[m] + n;
  }

  /** Message m was delivered: its slots may be reused once every older message is delivered too. */
  free(m: number): void {
    this.done[m] = 1;
    while (this.msgCount > 0 && this.done[this.msgTail] === 1) {
      this.done[this.msgTail] = 0;
      this.msgTail = this.msgTail + 1 === this.messageCapacity ? 0 : this.msgTail + 1;
      this.msgCount--;
    }
    this.tail = this.msgCount > 0 ? this.off[this.msgTail] : this.head;
  }

  get bytes(): number {
    return this.slotCapacity * 5 + this.messageCapacity * 9;
  }
}
