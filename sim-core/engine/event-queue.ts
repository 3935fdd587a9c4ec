import { EngineError } from './errors.ts';

/**
 * Binary min-heap ordered by (time, seq), stored as a struct of typed arrays.
 *
 * `seq` is assigned by the queue at push time and strictly increases, so two
 * entries never compare equal and ties on time pop in FIFO order. Each entry
 * carries one int32 `value` (the engine stores an event-slot index there).
 */
export class EventQueue {
  private times: Float64Array;
  private seqs: Float64Array;
  private values: Int32Array;
  private n = 0;
  private nextSeq = 0;

  constructor(
    initialCapacity = 1024,
    /** Hard bound on pending entries; push beyond it throws `queue-full`. */
    readonly maxLength = 1 << 24,
  ) {
    const cap = Math.max(16, Math.min(initialCapacity, maxLength));
    this.times = new Float64Array(cap);
    this.seqs = new Float64Array(cap);
    this.values = new Int32Array(cap);
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

  /** Value of the earliest entry; -1 when empty. */
  peekValue(): number {
    return this.n > 0 ? this.values[0] : -1;
  }

  push(time: number, value: number): number {
    if (this.n === this.times.length) this.grow();
    const seq = this.nextSeq++;
    const times = this.times;
    const seqs = this.seqs;
    const values = this.values;
    let i = this.n++;
    // Sift up: move parents down until the slot for the new entry is found.
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = times[p];
      if (pt < time || (pt === time && seqs[p] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[p];
      values[i] = values[p];
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    values[i] = value;
    return seq;
  }

  /** Removes the earliest entry and returns its value; -1 when empty. */
  pop(): number {
    const n = this.n;
    if (n === 0) return -1;
    const values = this.values;
    const top = values[0];
    const last = n - 1;
    this.n = last;
    if (last > 0) {
      const times = this.times;
      const seqs = this.seqs;
      const t = times[last];
      const s = seqs[last];
      const v = values[last];
      const half = last >> 1;
      let i = 0;
      // Sift down the former last entry from the root.
      while (i < half) {
        let c = 2 * i + 1;
        let ct = times[c];
        let cs = seqs[c];
        const r = c + 1;
        if (r < last) {
          const rt = times[r];
          if (rt < ct || (rt === ct && seqs[r] < cs)) {
            c = r;
            ct = rt;
            cs = seqs[r];
          }
        }
        if (t < ct || (t === ct && s < cs)) break;
        times[i] = ct;
        seqs[i] = cs;
        values[i] = values[c];
        i = c;
      }
      times[i] = t;
      seqs[i] = s;
      values[i] = v;
    }
    return top;
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
    const times = new Float64Array(next);
    const seqs = new Float64Array(next);
    const values = new Int32Array(next);
    times.set(this.times);
    seqs.set(this.seqs);
    values.set(this.values);
    this.times = times;
    this.seqs = seqs;
    this.values = values;
  }
}
