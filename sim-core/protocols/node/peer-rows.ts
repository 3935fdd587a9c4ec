import { int32KeyHash, staysPastHole } from './int-key-map.ts';

/**
 * Per owner, a small map from an int32 peer (≥ 0) to an int32 value (≥ 0),
 * every owner's table a row of one shared Int32Array: slot i of row o holds
 * (peer + 1, value), 0 = empty; open addressing, backward-shift deletion.
 * A node's burst of lookups (a flush to all its neighbours) reads a few
 * lines of its row, with no per-node object or array header on the way.
 * Rows all have `width` slots, kept at most half full: an owner with more
 * doubles every row (rare: a re-layout). Never iterated.
 */
export class PeerRows {
  private tab = new Int32Array(0);
  private counts = new Int32Array(0);
  private rows = 0;
  private width = 32;

  constructor(
    /** Slots per row at most; a set beyond half of it throws. */
    readonly maxWidth = 1 << 16,
  ) {}

  /** The value of (owner, peer), or -1. */
  get(owner: number, peer: number): number {
    if (owner >= this.rows) return -1;
    const i = this.find(owner, peer);
    return this.tab[i] === peer + 1 ? this.tab[i + 1] : -1;
  }

  set(owner: number, peer: number, value: number): void {
    if (!(peer >= 0 && peer < 0x7fffffff && value >= 0 && value <= 0x7fffffff)) throw new RangeError(`PeerRows: peer and value must be int32 ≥ 0, got ${peer}, ${value}`);
    if (owner >= this.rows) this.relayout(Math.max(owner + 1, this.rows * 2, 64), this.width);
    if (2 * (this.counts[owner] + 1) > this.width) this.widen();
    const i = this.find(owner, peer);
    if (this.tab[i] === 0) {
      this.tab[i] = peer + 1;
      this.counts[owner]++;
    }
    this.tab[i + 1] = value;
  }

  /** Removes (owner, peer); false when absent. */
  delete(owner: number, peer: number): boolean {
    if (owner >= this.rows) return false;
    const tab = this.tab;
    const w = this.width;
    const base = 2 * owner * w;
    let i = this.find(owner, peer);
    if (tab[i] === 0) return false;
    // Slot numbers within the row.
    let h = (i - base) >> 1;
    let j = h;
    for (;;) {
      j = (j + 1) & (w - 1);
      const k = tab[base + 2 * j];
      if (k === 0) break;
      const home = int32KeyHash(k - 1) & (w - 1);
      if (staysPastHole(home, h, j)) continue;
      tab[base + 2 * h] = k;
      tab[base + 2 * h + 1] = tab[base + 2 * j + 1];
      h = j;
    }
    i = base + 2 * h;
    tab[i] = 0;
    this.counts[owner]--;
    return true;
  }

  /** Removes every entry of `owner`, handing each value to `each` first (row order: callers must not depend on it). */
  clearOwner(owner: number, each: (value: number) => void): void {
    if (owner >= this.rows) return;
    const base = 2 * owner * this.width;
    for (let i = base; i < base + 2 * this.width; i += 2) {
      if (this.tab[i] === 0) continue;
      each(this.tab[i + 1]);
      this.tab[i] = 0;
    }
    this.counts[owner] = 0;
  }

  /** Index in `tab` of (owner, peer)'s slot, else of the empty slot ending its probe run. */
  private find(owner: number, peer: number): number {
    const tab = this.tab;
    const w = this.width;
    const base = 2 * owner * w;
    const key = peer + 1;
    for (let s = int32KeyHash(peer) & (w - 1); ; s = (s + 1) & (w - 1)) {
      const k = tab[base + 2 * s];
      if (k === key || k === 0) return base + 2 * s;
    }
  }

  private widen(): void {
    if (this.width * 2 > this.maxWidth) throw new RangeError(`PeerRows: a row is full (${this.maxWidth / 2} peers)`);
    this.relayout(this.rows, this.width * 2);
  }

  /** `rows` rows of `width` slots, every entry re-inserted. */
  private relayout(rows: number, width: number): void {
    const old = this.tab;
    const oldWidth = this.width;
    const oldRows = this.rows;
    this.tab = new Int32Array(2 * rows * width);
    const counts = new Int32Array(rows);
    counts.set(this.counts);
    this.counts = counts;
    this.rows = rows;
    this.width = width;
    if (width === oldWidth) {
      this.tab.set(old);
      return;
    }
    for (let o = 0; o < oldRows; o++) {
      for (let s = 0; s < oldWidth; s++) {
        const k = old[2 * (o * oldWidth + s)];
        if (k === 0) continue;
        const i = this.find(o, k - 1);
        this.tab[i] = k;
        this.tab[i + 1] = old[2 * (o * oldWidth + s) + 1];
      }
    }
  }
}
