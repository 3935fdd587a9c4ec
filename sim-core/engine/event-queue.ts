import { EngineError } from './errors.ts';

/**
 * 4-ary min-heap ordered by (time, seq), stored in one Float64Array of
 * (time, value) pairs: a level's four children share one or two cache lines
 * and the heap is half as deep as a binary one, which is what a pop pays for
 * once the heap outgrows the cache. Pop order is the (time, seq) order
 * whatever the heap's shape, so the arity does not show in any trace.
 *
 * `seq` is assigned by the queue at push time and strictly increases, so two
 * entries never compare equal and ties on time pop in FIFO order. Each entry
 * carries one int32 `value`: a small non-negative integer (the engine's event
 * slot) unique among pending entries. The seq lives in a side array indexed
 * by value and is read only when two times tie, so sifting stays in cache.
 */
export class EventQueue {
  /** Entry i: heap[2i] = time, heap[2i + 1] = value. */
  private heap: Float64Array;
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
    this.heap = new Float64Array(cap * 2);
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
    return this.n > 0 ? this.heap[0] : undefined;
  }

  /** Time of the earliest entry; the caller has checked `length > 0`. */
  peekTimeUnchecked(): number {
    return this.heap[0];
  }

  /** Value of the earliest entry; -1 when empty. */
  peekValue(): number {
    return this.n > 0 ? this.heap[1] : -1;
  }

  push(time: number, value: number): number {
    if (2 * this.n === this.heap.length) this.grow();
    if (value >= this.seqOf.length) this.growSeqs(value);
    const seq = this.nextSeq++;
    const heap = this.heap;
    this.seqOf[value] = seq;
    let i = this.n++;
    // Sift up: move parents down until the slot for the new entry is found.
    // A new entry has the largest seq, so it never passes a parent of equal time.
    while (i > 0) {
      const p = (i - 1) >> 2;
      const pt = heap[2 * p];
      if (pt <= time) break;
      heap[2 * i] = pt;
      heap[2 * i + 1] = heap[2 * p + 1];
      i = p;
    }
    heap[2 * i] = time;
    heap[2 * i + 1] = value;
    return seq;
  }

  /** Removes the earliest entry and returns its value; -1 when empty. */
  pop(): number {
    const n = this.n;
    if (n === 0) return -1;
    const heap = this.heap;
    const top = heap[1];
    const last = n - 1;
    this.n = last;
    if (last > 0) this.siftDown(heap[2 * last], heap[2 * last + 1], last);
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
    const heap = this.heap;
    const seqOf = this.seqOf;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= n) break;
      // The least of up to four children, by (time, seq).
      let c = first;
      let ct = heap[2 * first];
      const end = first + 4 < n ? first + 4 : n;
      for (let k = first + 1; k < end; k++) {
        const kt = heap[2 * k];
        if (kt < ct || (kt === ct && seqOf[heap[2 * k + 1]] < seqOf[heap[2 * c + 1]])) {
          c = k;
          ct = kt;
        }
      }
      if (t < ct || (t === ct && seqOf[v] < seqOf[heap[2 * c + 1]])) break;
      heap[2 * i] = ct;
      heap[2 * i + 1] = heap[2 * c + 1];
      i = c;
    }
    heap[2 * i] = t;
    heap[2 * i + 1] = v;
  }

  clear(): void {
    this.n = 0;
  }

  private grow(): void {
    const cap = this.heap.length / 2;
    if (cap >= this.maxLength) {
      throw new EngineError('queue-full', `event queue is full (${this.maxLength} pending events)`);
    }
    const next = Math.min(cap * 2, this.maxLength);
    const heap = new Float64Array(next * 2);
    heap.set(this.heap);
    this.heap = heap;
  }

  private growSeqs(value: number): void {
    if (!(value >= 0) || value >= 2 ** 31) throw new RangeError(`EventQueue value must be a small non-negative integer, got ${value}`);
    let next = this.seqOf.length * 2;
    while (next <= value) next *= 2;
    const seqOf = new Float64Array(next);
    seqOf.set(this.seqOf);
    this.seqOf = seqOf;
  }
}
