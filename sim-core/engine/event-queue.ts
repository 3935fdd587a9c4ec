import { EngineError } from './errors.ts';
import { doubledPast, growF64, growI32 } from './typed-grow.ts';

/**
 * Binary min-heap ordered by (time, seq), stored as a struct of typed arrays.
 *
 * `seq` is assigned by the queue at push time and strictly increases, so two
 * entries never compare equal and ties on time pop in FIFO order. Each entry
 * carries one int32 `value`: a small non-negative integer (the engine's event
 * slot) unique among pending entries. The heap itself holds only (time,
 * value), 12 bytes an entry; the seq lives in a side array indexed by value
 * and is read only when two times tie, so sifting stays in cache.
 */
export class EventQueue {
  private times: Float64Array;
  private values: Int32Array;
  /** Seq of each pending value, indexed by value. */
  private seqOf: Float64Array;
  private n = 0;
  private nextSeq = 0;

  constructor(
    initialCapacity = 1024,
    /** Hard bound on pending entries; push beyond it throws `queue-full`. */
    readonly maxLength = 1 << 24,
  ) {
    const cap = Math.max(16, Math.min(initialCapacity, maxLength));
    this.times = new Float64Array(cap);
    this.values = new Int32Array(cap);
    this.seqOf = new Float64Array(cap);
  }

  get length(): number {
    return this.n;
  }

  /** Sequence number the next push will receive. */
  get seq(): number {
    return this.nextSeq;
  }

  /** Time of the earliest entry; undefined when empty. */
  peekTime(): number | undefined {
    return this.n > 0 ? this.times[0] : undefined;
  }

  /** Time of the earliest entry; the caller has checked `length > 0`. */
  peekTimeUnchecked(): number {
    return this.times[0];
  }

  /** Value of the earliest entry; -1 when empty. */
  peekValue(): number {
    return this.n > 0 ? this.values[0] : -1;
  }

  push(time: number, value: number): number {
    if (this.n === this.times.length) this.grow();
    if (value >= this.seqOf.length) this.growSeqs(value);
    const seq = this.nextSeq++;
    const times = this.times;
    const values = this.values;
    const seqOf = this.seqOf;
    seqOf[value] = seq;
    let i = this.n++;
    // Sift up: move parents down until the slot for the new entry is found.
    // A new entry has the largest seq, so it never passes a parent of equal time.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p];
      if (pt <= time) break;
      times[i] = pt;
      values[i] = values[p];
      i = p;
    }
    times[i] = time;
    values[i] = value;
    return seq;
  }

  /** Removes the earliest entry and returns its value; -1 when empty. */
  pop(): number {
    const n = this.n;
    if (n === 0) return -1;
    const top = this.values[0];
    const last = n - 1;
    this.n = last;
    if (last > 0) this.siftDown(this.times[last], this.values[last], last);
    return top;
  }

  /**
   * Replaces the earliest entry with a new one in a single sift-down: what an
   * event loop does when the handler of the event just taken schedules
   * another (half the work of pop + push). The queue must not be empty.
   */
  replaceTop(time: number, value: number): number {
    if (value >= this.seqOf.length) this.growSeqs(value);
    const seq = this.nextSeq++;
    this.seqOf[value] = seq;
    this.siftDown(time, value, this.n);
    return seq;
  }

  /** Places (t, v) from the root down in a heap of `n` entries. */
  private siftDown(t: number, v: number, n: number): void {
    const times = this.times;
    const values = this.values;
    const seqOf = this.seqOf;
    const half = n >> 1;
    let i = 0;
    while (i < half) {
      let c = 2 * i + 1;
      let ct = times[c];
      const r = c + 1;
      if (r < n) {
        const rt = times[r];
        if (rt < ct || (rt === ct && seqOf[values[r]] < seqOf[values[c]])) {
          c = r;
          ct = rt;
        }
      }
      if (t < ct || (t === ct && seqOf[v] < seqOf[values[c]])) break;
      times[i] = ct;
      values[i] = values[c];
      i = c;
    }
    times[i] = t;
    values[i] = v;
  }

  clear(): void {
    this.n = 0;
  }

  private grow(): void {
    const cap = this.times.length;
    if (cap >= this.maxLength) {
      throw new EngineError('queue-full', `event queue is full (${this.maxLength} pending events)`);
    }
    const next = Math.min(cap * 2, this.maxLength);
    this.times = growF64(this.times, next);
    this.values = growI32(this.values, next);
  }

  private growSeqs(value: number): void {
    if (!(value >= 0) || value >= 2 ** 31) throw new RangeError(`EventQueue value must be a small non-negative integer, got ${value}`);
    this.seqOf = growF64(this.seqOf, doubledPast(this.seqOf.length, value));
  }
}
