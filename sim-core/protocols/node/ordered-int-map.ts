import { intKeyHash, staysPastHole } from './int-key-map.ts';

/**
 * An insertion-ordered map from a non-negative safe integer to V that
 * iterates exactly like a Map (deleted entries are skipped, entries added
 * while iterating are visited, re-adding a deleted key puts it last), but
 * reuses its arrays: a Map under constant turnover (a connection in, another
 * out) rebuilds its hash table every few dozen operations, and each dropped
 * table that outlived the young generation was garbage for a full GC.
 *
 * Entries sit in order slots (keys, vals); a deleted one leaves a hole. When
 * the slots run out, the live entries are moved down over the holes in place
 * (never while an iterator is running: then the slots grow instead). An
 * index (open addressing, backward-shift deletion) finds a key's slot.
 */
export class OrderedIntMap<V> implements ReadonlyMap<number, V> {
  private keysAt: Float64Array;
  private vals: (V | undefined)[];
  /** Order slots in use (live entries and holes). */
  private end = 0;
  private live = 0;
  /** Hash slot → order slot, EMPTY when free; twice the order slots, so at most half full. */
  private index: Int32Array;
  /** Iterators started and not finished: the order slots must not move under them. */
  private iterating = 0;

  constructor(
    initialCapacity = 8,
    /** Hard bound on entries; set beyond it throws. */
    readonly maxSize = 1 << 24,
  ) {
    let cap = 8;
    while (cap < initialCapacity) cap *= 2;
    this.keysAt = new Float64Array(cap).fill(HOLE);
    this.vals = new Array<V | undefined>(cap).fill(undefined);
    this.index = new Int32Array(cap * 2).fill(EMPTY);
  }

  get size(): number {
    return this.live;
  }

  get [Symbol.toStringTag](): string {
    return 'OrderedIntMap';
  }

  has(key: number): boolean {
    return this.index[this.findHash(key)] !== EMPTY;
  }

  get(key: number): V | undefined {
    const s = this.index[this.findHash(key)];
    return s === EMPTY ? undefined : this.vals[s];
  }

  set(key: number, value: V): this {
    if (!(key >= 0 && key <= Number.MAX_SAFE_INTEGER && key % 1 === 0)) throw new RangeError(`OrderedIntMap key must be a non-negative safe integer, got ${key}`);
    const h = this.findHash(key);
    const s = this.index[h];
    if (s !== EMPTY) {
      this.vals[s] = value;
      return this;
    }
    if (this.end === this.keysAt.length) {
      this.makeRoom();
      return this.set(key, value);
    }
    const slot = this.end++;
    this.keysAt[slot] = key;
    this.vals[slot] = value;
    this.index[h] = slot;
    this.live++;
    return this;
  }

  delete(key: number): boolean {
    let i = this.findHash(key);
    const slot = this.index[i];
    if (slot === EMPTY) return false;
    const ix = this.index;
    const mask = ix.length - 1;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const s = ix[j];
      if (s === EMPTY) break;
      const home = intKeyHash(this.keysAt[s]) & mask;
      if (staysPastHole(home, i, j)) continue;
      ix[i] = s;
      i = j;
    }
    ix[i] = EMPTY;
    this.keysAt[slot] = HOLE;
    this.vals[slot] = undefined;
    this.live--;
    if (this.live === 0 && this.iterating === 0) this.end = 0;
    return true;
  }

  clear(): void {
    for (let s = 0; s < this.end; s++) this.delete(this.keysAt[s]);
  }

  entries(): MapIterator<[number, V]> {
    return new SlotIterator(this, ENTRIES) as MapIterator<[number, V]>;
  }

  keys(): MapIterator<number> {
    return new SlotIterator(this, KEYS) as MapIterator<number>;
  }

  values(): MapIterator<V> {
    return new SlotIterator(this, VALUES) as MapIterator<V>;
  }

  /** Iterators only (SlotIterator): order slot `s`'s key, HOLE when empty. */
  keyAt(s: number): number {
    return this.keysAt[s];
  }

  /** Iterators only: order slot `s`'s value. */
  valueAt(s: number): V {
    return this.vals[s] as V;
  }

  /** Iterators only: the order slots in use. */
  get slotEnd(): number {
    return this.end;
  }

  /** Iterators only: one more (+1) or one fewer (-1) iterator is walking the slots. */
  walking(d: number): void {
    this.iterating += d;
  }

  [Symbol.iterator](): MapIterator<[number, V]> {
    return this.entries();
  }

  forEach(fn: (value: V, key: number, map: ReadonlyMap<number, V>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }

  /** The hash slot holding `key`, else the empty slot that ends its probe run. */
  private findHash(key: number): number {
    const ix = this.index;
    const mask = ix.length - 1;
    let i = intKeyHash(key) & mask;
    for (;;) {
      const s = ix[i];
      if (s === EMPTY || this.keysAt[s] === key) return i;
      i = (i + 1) & mask;
    }
  }

  /** Closes the holes in place when they are at least half the slots; otherwise (or under an iterator) doubles the slots. */
  private makeRoom(): void {
    const cap = this.keysAt.length;
    if (this.iterating === 0 && this.live * 2 <= cap) {
      let w = 0;
      for (let s = 0; s < this.end; s++) {
        if (this.keysAt[s] === HOLE) continue;
        this.keysAt[w] = this.keysAt[s];
        this.vals[w] = this.vals[s];
        w++;
      }
      this.keysAt.fill(HOLE, w);
      this.vals.fill(undefined, w);
      this.end = w;
      this.reindex(cap * 2);
      return;
    }
    if (this.live >= this.maxSize) throw new RangeError(`OrderedIntMap is full (${this.maxSize} entries)`);
    const keys = new Float64Array(cap * 2).fill(HOLE);
    keys.set(this.keysAt);
    this.keysAt = keys;
    for (let s = cap; s < cap * 2; s++) this.vals.push(undefined);
    this.reindex(cap * 4);
  }

  private reindex(n: number): void {
    const ix = this.index.length === n ? this.index.fill(EMPTY) : new Int32Array(n).fill(EMPTY);
    const mask = n - 1;
    for (let s = 0; s < this.end; s++) {
      const k = this.keysAt[s];
      if (k === HOLE) continue;
      let i = intKeyHash(k) & mask;
      while (ix[i] !== EMPTY) i = (i + 1) & mask;
      ix[i] = s;
    }
    this.index = ix;
  }
}

const HOLE = -1;
const EMPTY = -1;
const KEYS = 0;
const VALUES = 1;
const ENTRIES = 2;

/**
 * A Map-like iterator over the order slots. A class, not a generator: the
 * peer manager walks its connections several times per event, and generator
 * frames cost several times a Map iterator there. It counts as walking from
 * its first next() until it ends or is returned (for-of returns it on break).
 * Every next() returns the same result object, rewritten: V8 did not elide a
 * fresh one per step, and the tick's and Kademlia's walks over connections
 * made them a fifth of a Kademlia run's allocations. The protocol allows it:
 * for-of, spread and destructuring read a result before asking for the next.
 */
class SlotIterator<V> {
  private s = 0;
  private state = 0; // 0 not started, 1 walking, 2 done
  private readonly result: { value: unknown; done: boolean } = { value: undefined, done: false };

  constructor(
    private readonly m: OrderedIntMap<V>,
    private readonly kind: number,
  ) {}

  next(): IteratorResult<unknown, undefined> {
    if (this.state === 0) {
      this.state = 1;
      this.m.walking(1);
    }
    if (this.state === 1) {
      const m = this.m;
      while (this.s < m.slotEnd) {
        const s = this.s++;
        const k = m.keyAt(s);
        if (k === HOLE) continue;
        const r = this.result;
        r.value = this.kind === KEYS ? k : this.kind === VALUES ? m.valueAt(s) : [k, m.valueAt(s)];
        return r as IteratorResult<unknown, undefined>;
      }
      this.end();
    }
    return this.finished();
  }

  return(): IteratorResult<unknown, undefined> {
    this.end();
    return this.finished();
  }

  private finished(): IteratorResult<unknown, undefined> {
    const r = this.result;
    r.value = undefined;
    r.done = true;
    return r as IteratorResult<unknown, undefined>;
  }

  [Symbol.iterator](): this {
    return this;
  }

  private end(): void {
    if (this.state === 1) this.m.walking(-1);
    this.state = 2;
  }
}
