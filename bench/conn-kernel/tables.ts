import { ConnKernelCapacityError } from './errors.ts';

/** Empty cell of a node's connection row. */
const EMPTY = -1;

/**
 * Each node's connections by remote peer, as one fixed row of an `Int32Array`
 * per node (open addressing, linear probing, backward-shift deletion). A cell
 * holds a connection index; the key (the remote) is read from `remoteOf`, so
 * a row is 4 bytes a cell and a lookup touches one or two cache lines.
 */
export class NodeConnRows {
  readonly cells: Int32Array;
  readonly count: Int32Array;
  private readonly mask: number;

  constructor(
    nodes: number,
    /** Cells per node, a power of two above the connection limit. */
    readonly width: number,
    private readonly remoteOf: (conn: number, node: number) => number,
  ) {
    if ((width & (width - 1)) !== 0) throw new RangeError(`width must be a power of two (got ${width})`);
    this.cells = new Int32Array(nodes * width).fill(EMPTY);
    this.count = new Int32Array(nodes);
    this.mask = width - 1;
  }

  private home(peer: number): number {
    return Math.imul(peer, 0x9e3779b1) >>> 24;
  }

  /** The connection of `node` to `peer`, or -1. */
  get(node: number, peer: number): number {
    const base = node * this.width;
    for (let i = 0, h = this.home(peer) & this.mask; i < this.width; i++, h = (h + 1) & this.mask) {
      const c = this.cells[base + h];
      if (c === EMPTY) return -1;
      if (this.remoteOf(c, node) === peer) return c;
    }
    return -1;
  }

  add(node: number, peer: number, conn: number): void {
    if (this.count[node] >= this.width >>> 1) throw new ConnKernelCapacityError('connRowWidth', this.width);
    const base = node * this.width;
    let h = this.home(peer) & this.mask;
    while (this.cells[base + h] !== EMPTY) h = (h + 1) & this.mask;
    this.cells[base + h] = conn;
    this.count[node]++;
  }

  /** Removes `node`'s cell for `peer` (backward shift keeps probe chains whole); false when absent. */
  remove(node: number, peer: number): boolean {
    const base = node * this.width;
    const m = this.mask;
    let h = this.home(peer) & m;
    for (let i = 0; ; i++, h = (h + 1) & m) {
      const c = this.cells[base + h];
      if (c === EMPTY || i === this.width) return false;
      if (this.remoteOf(c, node) === peer) break;
    }
    let hole = h;
    for (let j = (hole + 1) & m, i = 0; i < this.width; j = (j + 1) & m, i++) {
      const c = this.cells[base + j];
      if (c === EMPTY) break;
      const want = this.home(this.remoteOf(c, node)) & m;
      // Move c back into the hole unless its home lies cyclically in (hole, j].
      if (((j - want) & m) >= ((j - hole) & m)) {
        this.cells[base + hole] = c;
        hole = j;
      }
    }
    this.cells[base + hole] = EMPTY;
    this.count[node]--;
    return true;
  }
}

/** 160-bit ids as 5 words each, most significant first. */
export const ID_WORDS = 5;
const BUCKETS = 32 * ID_WORDS;

/**
 * k-bucket routing tables of every node as one `Int32Array` (node, bucket, k
 * entries, least recently seen first) and a count per bucket.
 */
export class RoutingRows {
  readonly entries: Int32Array;
  readonly fill: Uint8Array;

  constructor(
    nodes: number,
    readonly k: number,
    readonly ids: Uint32Array,
  ) {
    this.entries = new Int32Array(nodes * BUCKETS * k);
    this.fill = new Uint8Array(nodes * BUCKETS);
  }

  /** Bucket of `b` in `a`'s table (159 = differs in the top bit); -1 for a itself. */
  bucketOf(a: number, b: number): number {
    const ids = this.ids;
    for (let w = 0; w < ID_WORDS; w++) {
      const x = (ids[a * ID_WORDS + w] ^ ids[b * ID_WORDS + w]) >>> 0;
      if (x !== 0) return BUCKETS - 1 - (w * 32 + Math.clz32(x));
    }
    return -1;
  }

  /** Seen `peer`: moved to the tail of its bucket, appended when there is room, else ignored. */
  touch(node: number, peer: number): void {
    const b = this.bucketOf(node, peer);
    if (b < 0) return;
    const fb = node * BUCKETS + b;
    const base = fb * this.k;
    const n = this.fill[fb];
    const e = this.entries;
    for (let i = 0; i < n; i++) {
      if (e[base + i] !== peer) continue;
      for (let j = i; j < n - 1; j++) e[base + j] = e[base + j + 1];
      e[base + n - 1] = peer;
      return;
    }
    if (n < this.k) {
      e[base + n] = peer;
      this.fill[fb] = n + 1;
    }
  }

  size(node: number): number {
    let n = 0;
    for (let b = 0; b < BUCKETS; b++) n += this.fill[node * BUCKETS + b];
    return n;
  }

  /**
   * Up to k entries of `node`'s table closest to `target` (its bucket, then
   * the nearer buckets, then the farther ones), written to out[at..]; returns
   * how many, nearest first by the leading differing word.
   */
  closest(node: number, target: number, out: Int32Array, at: number): number {
    const k = this.k;
    const b0 = this.bucketOf(node, target);
    const start = b0 < 0 ? 0 : b0;
    let n = 0;
    for (let b = start; b >= 0 && n < k; b--) n = this.copyBucket(node, b, out, at, n);
    for (let b = start + 1; b < BUCKETS && n < k; b++) n = this.copyBucket(node, b, out, at, n);
    this.sortByDistance(target, out, at, n);
    return n;
  }

  private copyBucket(node: number, b: number, out: Int32Array, at: number, n: number): number {
    const fb = node * BUCKETS + b;
    const base = fb * this.k;
    const m = this.fill[fb];
    for (let i = 0; i < m && n < this.k; i++) out[at + n++] = this.entries[base + i];
    return n;
  }

  /** Insertion sort by XOR distance on the top word (ties keep their order). */
  private sortByDistance(target: number, out: Int32Array, at: number, n: number): void {
    const t = this.ids[target * ID_WORDS];
    for (let i = 1; i < n; i++) {
      const v = out[at + i];
      const d = (this.ids[v * ID_WORDS] ^ t) >>> 0;
      let j = i - 1;
      while (j >= 0 && ((this.ids[out[at + j] * ID_WORDS] ^ t) >>> 0) > d) {
        out[at + j + 1] = out[at + j];
        j--;
      }
      out[at + j + 1] = v;
    }
  }
}

/** Fixed blocks of k int32 (the nodes of a KadNodes message in flight), with a free stack. */
export class NodeBlocks {
  readonly data: Int32Array;
  readonly len: Uint8Array;
  private readonly free: Int32Array;
  private top: number;

  constructor(
    readonly capacity: number,
    readonly k: number,
  ) {
    this.data = new Int32Array(capacity * k);
    this.len = new Uint8Array(capacity);
    this.free = new Int32Array(capacity);
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.top = capacity;
  }

  get inUse(): number {
    return this.capacity - this.top;
  }

  alloc(): number {
    if (this.top === 0) throw new ConnKernelCapacityError('nodeBlocks', this.capacity);
    return this.free[--this.top];
  }

  release(block: number): void {
    this.free[this.top++] = block;
  }
}
