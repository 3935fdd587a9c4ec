/**
 * Map from a non-negative integer key (< 2^53) to a non-negative int32 value:
 * open addressing with linear probing, keys and values interleaved in one
 * Float64Array so a lookup touches one cache line (a Map with number keys
 * walks a bucket, an entry and a boxed key). Never iterated, so its layout
 * cannot leak into a run's order of events.
 */
export class IntKeyMap {
  /** Slot i: tab[2i] = key (-1 when empty), tab[2i + 1] = value. */
  private tab: Float64Array;
  private mask: number;
  private count = 0;

  constructor(
    initialCapacity = 64,
    /** Hard bound on entries; set beyond it throws. */
    readonly maxSize = 1 << 24,
  ) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.tab = new Float64Array(cap * 2).fill(-1);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** The value of `key`, or -1 when absent. */
  get(key: number): number {
    const i = this.find(key);
    return this.tab[2 * i] === key ? this.tab[2 * i + 1] : -1;
  }

  /** The slot holding `key`, else the empty slot that ends its probe run. */
  private find(key: number): number {
    const tab = this.tab;
    const mask = this.mask;
    let i = intKeyHash(key) & mask;
    for (;;) {
      const k = tab[2 * i];
      if (k === key || k === -1) return i;
      i = (i + 1) & mask;
    }
  }

  set(key: number, value: number): void {
    if (!(key >= 0 && key <= Number.MAX_SAFE_INTEGER && key % 1 === 0)) throw new RangeError(`IntKeyMap key must be a non-negative safe integer, got ${key}`);
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const tab = this.tab;
    const i = this.find(key);
    if (tab[2 * i] === -1) {
      tab[2 * i] = key;
      this.count++;
    }
    tab[2 * i + 1] = value;
  }

  /** Removes `key`; false when absent. Backward-shift deletion keeps every probe run unbroken (no tombstones). */
  delete(key: number): boolean {
    const tab = this.tab;
    const mask = this.mask;
    let i = this.find(key);
    if (tab[2 * i] === -1) return false;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = tab[2 * j];
      if (k === -1) break;
      const home = intKeyHash(k) & mask;
      if (staysPastHole(home, i, j)) continue;
      tab[2 * i] = k;
      tab[2 * i + 1] = tab[2 * j + 1];
      i = j;
    }
    tab[2 * i] = -1;
    this.count--;
    return true;
  }

  private grow(): void {
    const cap = this.mask + 1;
    if (this.count >= this.maxSize) throw new RangeError(`IntKeyMap is full (${this.maxSize} entries)`);
    const old = this.tab;
    this.tab = new Float64Array(cap * 4).fill(-1);
    this.mask = cap * 2 - 1;
    this.count = 0;
    for (let i = 0; i < cap; i++) if (old[2 * i] !== -1) this.set(old[2 * i], old[2 * i + 1]);
  }
}

/** A 32-bit mix of a non-negative integer key below 2^53 (both halves), for linear-probing indexes. */
export function intKeyHash(key: number): number {
  const lo = key >>> 0;
  const hi = (key / 4294967296) >>> 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 16;
  return h;
}

/** A 32-bit mix of an int32 key (Fibonacci hashing, high bits folded down), for linear-probing indexes of int32 keys. */
export function int32KeyHash(key: number): number {
  const h = Math.imul(key | 0, 0x9e3779b1);
  return h ^ (h >>> 16);
}

/**
 * Backward-shift deletion in a linear-probing table of power-of-two size:
 * true when the entry at slot `j`, whose home slot is `home`, must stay put
 * after a hole opened at `hole` — its home lies cyclically in (hole, j], so
 * moving it back would put it before its home, where probes never look.
 * One definition for every table here (the wrap-around case is the easy one
 * to get wrong).
 */
export function staysPastHole(home: number, hole: number, j: number): boolean {
  return hole <= j ? home > hole && home <= j : home > hole || home <= j;
}
