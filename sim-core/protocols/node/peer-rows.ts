import { int32KeyHash, staysPastHole } from './int-key-map.ts';

/** Slots of an owner's first row (8 entries at most half full: four cache lines). */
const WIDTH_INITIAL = 16;

/**
 * Per owner, a small map from an int32 peer (≥ 0) to an int32 value (≥ 0),
 * every owner's table a row of one shared Int32Array: slot i of a row holds
 * (peer + 1, value), 0 = empty; open addressing, backward-shift deletion.
 * A node's burst of lookups (a flush to all its neighbours) reads a few
 * lines of its row, with no per-node object or array header on the way.
 *
 * Each owner's row has its own width, kept at most half full: one hub (a
 * bootstrap node with hundreds of connections) widens its own row, not
 * everyone's. With one width for all rows, a node with 15 peers had them
 * spread over a 256-slot row, a cache line each. A row that widens moves to
 * a new place and leaves its old one to the next row of that width. Never
 * iterated.
 */
export class PeerRows {
  private tab = new Int32Array(1024);
  /** Ints of `tab` handed out to rows (free rows of each width are reused first). */
  private top = 0;
  /**
   * Per owner o, side by side (one line for four owners, read before the row):
   * meta[4o] where its row starts in `tab` (-1: no row yet), meta[4o + 1]
   * its width - 1, meta[4o + 2] its entries (16 bytes an owner: a record never straddles two lines).
   */
  private meta = new Int32Array(0);
  /** Free rows by log2 of their width: start offsets in `tab`. */
  private readonly freeRows: number[][] = [];

  constructor(
    /** Slots per row at most; a set beyond half of it throws. */
    readonly maxWidth = 1 << 16,
  ) {}

  /** The value of (owner, peer), or -1. */
  get(owner: number, peer: number): number {
    const base = this.rowOf(owner);
    if (base < 0) return -1;
    const i = this.find(base, this.meta[4 * owner + 1], peer);
    return this.tab[i] === peer + 1 ? this.tab[i + 1] : -1;
  }

  set(owner: number, peer: number, value: number): void {
    if (!(peer >= 0 && peer < 0x7fffffff && value >= 0 && value <= 0x7fffffff)) throw new RangeError(`PeerRows: peer and value must be int32 ≥ 0, got ${peer}, ${value}`);
    if (!(owner >= 0 && owner < 0x7fffffff)) throw new RangeError(`PeerRows: owner must be int32 ≥ 0, got ${owner}`);
    const o = 4 * owner;
    if (o >= this.meta.length) this.growOwners(owner);
    const meta = this.meta;
    if (meta[o] < 0) this.newRow(owner, WIDTH_INITIAL);
    else if (2 * (meta[o + 2] + 1) > meta[o + 1] + 1) this.widen(owner);
    const i = this.find(meta[o], meta[o + 1], peer);
    if (this.tab[i] === 0) {
      this.tab[i] = peer + 1;
      meta[o + 2]++;
    }
    this.tab[i + 1] = value;
  }

  /** Removes (owner, peer); false when absent. */
  delete(owner: number, peer: number): boolean {
    const base = this.rowOf(owner);
    if (base < 0) return false;
    const tab = this.tab;
    const m = this.meta[4 * owner + 1];
    let i = this.find(base, m, peer);
    if (tab[i] === 0) return false;
    // Slot numbers within the row.
    let h = (i - base) >> 1;
    let j = h;
    for (;;) {
      j = (j + 1) & m;
      const k = tab[base + 2 * j];
      if (k === 0) break;
      const home = int32KeyHash(k - 1) & m;
      if (staysPastHole(home, h, j)) continue;
      tab[base + 2 * h] = k;
      tab[base + 2 * h + 1] = tab[base + 2 * j + 1];
      h = j;
    }
    i = base + 2 * h;
    tab[i] = 0;
    this.meta[4 * owner + 2]--;
    return true;
  }

  /** Removes every entry of `owner`, handing each value to `each` first (row order: callers must not depend on it). */
  clearOwner(owner: number, each: (value: number) => void): void {
    const base = this.rowOf(owner);
    if (base < 0) return;
    const end = base + 2 * (this.meta[4 * owner + 1] + 1);
    for (let i = base; i < end; i += 2) {
      if (this.tab[i] === 0) continue;
      each(this.tab[i + 1]);
      this.tab[i] = 0;
    }
    this.meta[4 * owner + 2] = 0;
  }

  /** Slots of owner's row (0: none yet): for tests. */
  widthOf(owner: number): number {
    return this.rowOf(owner) >= 0 ? this.meta[4 * owner + 1] + 1 : 0;
  }

  /** Where owner's row starts in `tab`, or -1 when it has none. */
  private rowOf(owner: number): number {
    return 4 * owner < this.meta.length ? this.meta[4 * owner] : -1;
  }

  /** Index in `tab` of peer's slot in the row at `base` (width m + 1), else of the empty slot ending its probe run. */
  private find(base: number, m: number, peer: number): number {
    const tab = this.tab;
    const key = peer + 1;
    for (let s = int32KeyHash(peer) & m; ; s = (s + 1) & m) {
      const k = tab[base + 2 * s];
      if (k === key || k === 0) return base + 2 * s;
    }
  }

  /** Places owner's row at an empty row of `width` slots (its entry count stays: the caller's row is empty or about to move here). */
  private newRow(owner: number, width: number): void {
    const log = 31 - Math.clz32(width);
    const free = this.freeRows[log];
    let base: number;
    if (free !== undefined && free.length > 0) base = free.pop()!;
    else {
      const need = this.top + 2 * width;
      if (need > this.tab.length) {
        let n = this.tab.length * 2;
        while (n < need) n *= 2;
        const tab = new Int32Array(n);
        tab.set(this.tab.subarray(0, this.top));
        this.tab = tab;
      }
      base = this.top;
      this.top = need;
    }
    this.meta[4 * owner] = base;
    this.meta[4 * owner + 1] = width - 1;
  }

  /** Moves owner's row to one twice as wide, every entry re-inserted; the old row is zeroed and freed. */
  private widen(owner: number): void {
    const width = this.meta[4 * owner + 1] + 1;
    if (width * 2 > this.maxWidth) throw new RangeError(`PeerRows: a row is full (${this.maxWidth / 2} peers)`);
    const oldBase = this.meta[4 * owner];
    this.newRow(owner, width * 2);
    const tab = this.tab; // after newRow: it may have grown
    const base = this.meta[4 * owner];
    const m = this.meta[4 * owner + 1];
    for (let i = oldBase; i < oldBase + 2 * width; i += 2) {
      const k = tab[i];
      if (k === 0) continue;
      const j = this.find(base, m, k - 1);
      tab[j] = k;
      tab[j + 1] = tab[i + 1];
      tab[i] = 0;
    }
    const log = 31 - Math.clz32(width);
    (this.freeRows[log] ??= []).push(oldBase);
  }

  private growOwners(owner: number): void {
    const owners = this.meta.length >> 2;
    const n = Math.max(owner + 1, owners * 2, 64);
    const meta = new Int32Array(4 * n);
    meta.set(this.meta);
    for (let o = owners; o < n; o++) meta[4 * o] = -1;
    this.meta = meta;
  }
}
