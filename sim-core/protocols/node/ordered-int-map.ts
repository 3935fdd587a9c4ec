import { intKeyHash, staysPastHole } from './int-key-map.ts';
import { RegionArena } from './region-arena.ts';

/**
 * An insertion-ordered map from a non-negative safe integer to V that
 * iterates exactly like a Map (deleted entries are skipped, entries added
 * while iterating are visited, re-adding a deleted key puts it last), but
 * reuses its arrays: a Map under constant turnover (a connection in, another
 * out) rebuilds its hash table every few dozen operations, and each dropped
 * table that outlived the young generation was garbage for a full GC.
 *
 * Its arrays are regions of a RegionArena, shared by the maps of a World:
 * a lookup reads the map object and its regions' lines, no array header of
 * its own. Entries sit in order slots (keys, vals); a deleted one leaves a hole. When
 * the slots run out, the live entries are moved down over the holes in place
 * (never while an iterator is running: then the slots grow instead). An
 * index (open addressing, backward-shift deletion) finds a key's slot.
 */
export class OrderedIntMap<V> implements ReadonlyMap<number, V> {
  /** Order slots: keys at arena.f64[kBase + s] (HOLE when empty), values at arena.vals[kBase + s]; cap of them. */
  private kBase = -1;
  private cap = 0;
  /** Order slots in use (live entries and holes). */
  private end = 0;
  private live = 0;
  /** Index: hash slot h → order slot at arena.i32[ixBase + h], EMPTY when free; twice the order slots, so at most half full. */
  private ixBase: number;
  private ixMask = NONE_MASK;
  /** Iterators started and not finished: the order slots must not move under them. */
  private iterating = 0;

  constructor(
    private readonly initialCapacity = 8,
    /** Hard bound on entries; set beyond it throws. */
    readonly maxSize = 1 << 24,
    /** Where the slots and the index live: shared by the maps of a World (a map of its own by default). */
    private readonly arena: RegionArena = new RegionArena(),
  ) {
    // No regions until the first set: the arena's empty index answers every lookup.
    this.ixBase = arena.noneI32;
  }

  get size(): number {
    return this.live;
  }

  get [Symbol.toStringTag](): string {
    return 'OrderedIntMap';
  }

  has(key: number): boolean {
    return this.arena.i32[this.findHash(key)] !== EMPTY;
  }

  get(key: number): V | undefined {
    const a = this.arena;
    const s = a.i32[this.findHash(key)];
    return s === EMPTY ? undefined : (a.vals[this.kBase + s] as V);
  }

  set(key: number, value: V): this {
    if (!(key >= 0 && key <= Number.MAX_SAFE_INTEGER && key % 1 === 0)) throw new RangeError(`OrderedIntMap key must be a non-negative safe integer, got ${key}`);
    const a = this.arena;
    const h = this.findHash(key);
    const s = a.i32[h];
    if (s !== EMPTY) {
      a.vals[this.kBase + s] = value;
      return this;
    }
    if (this.end === this.cap) {
      this.makeRoom();
      return this.set(key, value);
    }
    const slot = this.end++;
    a.f64[this.kBase + slot] = key;
    a.vals[this.kBase + slot] = value;
    a.i32[h] = slot;
    this.live++;
    return this;
  }

  delete(key: number): boolean {
    let i = this.findHash(key);
    const a = this.arena;
    const ix = a.i32;
    const slot = ix[i];
    if (slot === EMPTY) return false;
    const keys = a.f64;
    const kb = this.kBase;
    const ib = this.ixBase;
    const mask = this.ixMask;
    // Hash slots within the index, as backward-shift deletion reasons about them.
    let hole = i - ib;
    let j = hole;
    for (;;) {
      j = (j + 1) & mask;
      const s = ix[ib + j];
      if (s === EMPTY) break;
      const home = intKeyHash(keys[kb + s]) & mask;
      if (staysPastHole(home, hole, j)) continue;
      ix[ib + hole] = s;
      hole = j;
    }
    i = ib + hole;
    ix[i] = EMPTY;
    keys[kb + slot] = HOLE;
    a.vals[kb + slot] = undefined;
    this.live--;
    if (this.live === 0 && this.iterating === 0) this.end = 0;
    return true;
  }

  clear(): void {
    for (let s = 0; s < this.end; s++) this.delete(this.keyAt(s));
  }

  /** Hands the regions back to the arena (the owner's node was replaced); the map is empty and takes new ones if set again. */
  release(): void {
    if (this.cap > 0) {
      this.arena.releaseF64(this.kBase, this.cap);
      this.arena.releaseI32(this.ixBase, this.ixMask + 1);
    }
    this.kBase = -1;
    this.cap = 0;
    this.end = 0;
    this.live = 0;
    this.ixBase = this.arena.noneI32;
    this.ixMask = NONE_MASK;
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
    return this.arena.f64[this.kBase + s];
  }

  /** Iterators only: order slot `s`'s value. */
  valueAt(s: number): V {
    return this.arena.vals[this.kBase + s] as V;
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

  /** The place in arena.i32 of the hash slot holding `key`, else of the empty slot that ends its probe run. */
  private findHash(key: number): number {
    const a = this.arena;
    const ix = a.i32;
    const keys = a.f64;
    const ib = this.ixBase;
    const kb = this.kBase;
    const mask = this.ixMask;
    let i = intKeyHash(key) & mask;
    for (;;) {
      const s = ix[ib + i];
      if (s === EMPTY || keys[kb + s] === key) return ib + i;
      i = (i + 1) & mask;
    }
  }

  /** Closes the holes in place when they are at least half the slots; otherwise (or under an iterator) doubles the slots. */
  private makeRoom(): void {
    const cap = this.cap;
    const a = this.arena;
    if (cap === 0) {
      let n = 8;
      while (n < this.initialCapacity) n *= 2;
      this.kBase = a.takeF64(n, HOLE);
      this.cap = n;
      this.ixBase = a.takeI32(2 * n, EMPTY);
      this.ixMask = 2 * n - 1;
      return;
    }
    if (this.iterating === 0 && this.live * 2 <= cap) {
      const keys = a.f64;
      const vals = a.vals;
      const kb = this.kBase;
      let w = 0;
      for (let s = 0; s < this.end; s++) {
        if (keys[kb + s] === HOLE) continue;
        keys[kb + w] = keys[kb + s];
        vals[kb + w] = vals[kb + s];
        w++;
      }
      keys.fill(HOLE, kb + w, kb + cap);
      vals.fill(undefined, kb + w, kb + cap);
      this.end = w;
      this.reindex(cap * 2);
      return;
    }
    if (this.live >= this.maxSize) throw new RangeError(`OrderedIntMap is full (${this.maxSize} entries)`);
    const kb = a.takeF64(cap * 2, HOLE);
    // After the take: it may have grown the arrays.
    a.f64.copyWithin(kb, this.kBase, this.kBase + cap);
    const vals = a.vals;
    for (let s = 0; s < cap; s++) vals[kb + s] = vals[this.kBase + s];
    a.releaseF64(this.kBase, cap);
    this.kBase = kb;
    this.cap = cap * 2;
    this.reindex(cap * 4);
  }

  private reindex(n: number): void {
    const a = this.arena;
    if (this.ixMask + 1 === n) a.i32.fill(EMPTY, this.ixBase, this.ixBase + n);
    else {
      const ib = a.takeI32(n, EMPTY);
      a.releaseI32(this.ixBase, this.ixMask + 1);
      this.ixBase = ib;
      this.ixMask = n - 1;
    }
    const ix = a.i32;
    const keys = a.f64;
    const ib = this.ixBase;
    const kb = this.kBase;
    const mask = n - 1;
    for (let s = 0; s < this.end; s++) {
      const k = keys[kb + s];
      if (k === HOLE) continue;
      let i = intKeyHash(k) & mask;
      while (ix[ib + i] !== EMPTY) i = (i + 1) & mask;
      ix[ib + i] = s;
    }
  }
}

const HOLE = -1;
const EMPTY = -1;
/** The index mask of a map without regions: the arena's one-line empty index (noneI32). */
const NONE_MASK = 15;
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
