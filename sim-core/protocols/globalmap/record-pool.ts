import type { PeerNum } from '../../wire/ids.ts';
import { F_CONNECT, recordBytes, type LinkRecord } from './record.ts';
import { growF64, growI32, growU8 } from '../../engine/typed-grow.ts';
import { IntQueue, IntStack } from './slab.ts';

/** A version record's fields in RecordPool.vRec (record v at V_FIELDS × v); the first four are an apply's. */
const V_OFF = 0;
const V_LEN = 1;
const V_CONNECTS = 2;
/** Bumped when a slot is reused: memo links to the old occupant then miss. */
const V_GEN = 3;
const V_REFS = 4;
const V_ORIGIN = 5;
const V_HASH = 6;
const V_CHAIN = 7;
const V_FIELDS = 8;

/** Zero-reference versions kept intact (findable by memo and content) before their slots are reused. */
const DEFERRAL = 8192;
/** vCls of a version slot that is free (neither live, deferred nor being built). */
const FREE = 255;

/** Smallest block class holding n entries: a class-c block has 4 << c entries. */
function classOf(n: number): number {
  let c = 0;
  while (4 << c < n) c++;
  return c;
}

/** The memo record of a version: its doubles. */
const MEMO_FIELDS = 4;
const M_NEXT = 0;
/** peer × 8 + flags (flags < 8: callers mask them to 2 bits): one comparison for both. */
const M_KEY = 1;
const M_TS = 2;
const M_GEN = 3;

/** Memo records for `versions` versions, none remembered (next -1). */
function newMemo(versions: number): Float64Array {
  const m = new Float64Array(versions * MEMO_FIELDS);
  for (let o = M_NEXT; o < m.length; o += MEMO_FIELDS) m[o] = -1;
  return m;
}

/** Drop memo records for `versions` versions, none remembered (next -1). */
function newDropMemo(versions: number): Int32Array {
  const m = new Int32Array(versions * MEMO_FIELDS);
  for (let o = M_NEXT; o < m.length; o += MEMO_FIELDS) m[o] = -1;
  return m;
}

/**
 * Hash-consing of link records across every peer of a simulation, as
 * versions in typed-array slabs: a version id names one origin's sorted
 * entries [off, off + len) in the entry slabs, shared by every store whose
 * view of that origin is the same. Versions are counted by reference; one
 * whose count drops to zero waits in a FIFO (deferred free) before its slot is
 * reused, so peers that make the same transition a little later find it again
 * through the memo or by content instead of building it. Nothing here
 * allocates per apply once the slabs have grown to the working set. A real
 * deployment has one peer per process and simply allocates; the pool is the
 * simulator's way to hold 2,500 maps of 2,500 entries (or 10,000 of 10,000).
 *
 * The counters (size, bytes, created) follow the live set only: a version
 * brought back from the FIFO counts as created again, exactly as when dead
 * records were dropped at once and rebuilt.
 */
export class RecordPool {
  // Entry slabs; read them through the pool each time (they are replaced when they grow).
  ePeer = new Int32Array(4096);
  eTs = new Float64Array(4096);
  eFlags = new Uint8Array(4096);
  private eTop = 0;
  private readonly freeBlocks: IntStack[] = [];

  /**
   * Version records, V_FIELDS int32s side by side (32 bytes): what an apply
   * reads of a version (its length, claims and generation; its entries'
   * offset) shares one line, where a column per field cost a line each.
   */
  private vRec = new Int32Array(256 * V_FIELDS);
  vNewest = new Float64Array(256);
  private vCls = new Uint8Array(256).fill(FREE);
  private vQueued = new Uint8Array(256);
  /**
   * One-slot memo per version: the last transition (peer, flags, ts) → next
   * made from it, as MEMO_FIELDS doubles side by side (next, peer × 8 + flags,
   * ts, next's generation then): a probe reads one 32-byte record, one cache
   * line, instead of a line in each of five columns.
   */
  private memo = newMemo(256);
  /** Per version, the last GC drop made from it, the same way: (next, dropped mask of entries 0-31, of 32-63, next's generation), 16 bytes. */
  private dropMemo = newDropMemo(256);
  private vTop = 0;
  private readonly freeVersions = new IntStack();
  private readonly deferred = new IntQueue();

  /** Content index: bucket → first version, chained through V_CHAIN. */
  private buckets = new Int32Array(1024).fill(-1);
  private inTable = 0;

  /** Memo of the first transition out of "no record" per origin. */
  private rPeer = new Int32Array(0);
  private rFlags = new Int32Array(0);
  private rTs = new Float64Array(0);
  private rNext = new Int32Array(0);
  private rGen = new Int32Array(0);

  private live = 0;
  private liveBytes = 0;
  created = 0;

  get size(): number {
    return this.live;
  }

  /** Approximate heap bytes held by live records (recordBytes per record). */
  get bytes(): number {
    return this.liveBytes;
  }

  /** Where version v's entries start in the entry slabs. */
  offOf(v: number): number {
    return this.vRec[V_FIELDS * v + V_OFF];
  }

  /** Version v's entry count. */
  lenOf(v: number): number {
    return this.vRec[V_FIELDS * v + V_LEN];
  }

  /** Version v's connect claims. */
  connectsOf(v: number): number {
    return this.vRec[V_FIELDS * v + V_CONNECTS];
  }

  /** A read-only view of version v's entries (subarrays: valid until the pool next grows). */
  view(v: number): LinkRecord {
    const a = this.offOf(v);
    const b = a + this.lenOf(v);
    return { peers: this.ePeer.subarray(a, b), ts: this.eTs.subarray(a, b), flags: this.eFlags.subarray(a, b) };
  }

  /** A fresh, unpublished version slot for `len` entries of origin; fill its entries, then intern() it. */
  alloc(origin: PeerNum, len: number): number {
    while (this.deferred.size > DEFERRAL) this.reclaim(this.deferred.shift());
    let w = this.freeVersions.pop();
    if (w < 0) {
      if (this.vTop === this.vNewest.length) this.growVersions();
      w = this.vTop++;
    }
    const c = classOf(len);
    let off = c < this.freeBlocks.length ? this.freeBlocks[c].pop() : -1;
    if (off < 0) {
      const size = 4 << c;
      if (this.eTop + size > this.ePeer.length) this.growEntries(this.eTop + size);
      off = this.eTop;
      this.eTop += size;
    }
    this.vRec[V_FIELDS * w + V_ORIGIN] = origin;
    this.vRec[V_FIELDS * w + V_OFF] = off;
    this.vRec[V_FIELDS * w + V_LEN] = len;
    this.vCls[w] = c;
    this.memo[w * MEMO_FIELDS + M_NEXT] = -1;
    this.dropMemo[w * MEMO_FIELDS + M_NEXT] = -1;
    return w;
  }

  /** The shared version with w's content, one reference taken: w itself if new, else w is given back. */
  intern(w: number): number {
    const off = this.offOf(w);
    const len = this.lenOf(w);
    let connects = 0;
    let newest = 0;
    let h = Math.imul(this.vRec[V_FIELDS * w + V_ORIGIN] ^ 0x9e3779b9, 0x85ebca6b);
    for (let k = off; k < off + len; k++) {
      const t = this.eTs[k];
      const f = this.eFlags[k];
      if (t > newest) newest = t;
      connects += f & F_CONNECT;
      h = Math.imul(h ^ this.ePeer[k], 0xc2b2ae35);
      h = Math.imul(h ^ (t | 0) ^ (f << 28), 0x27d4eb2f);
      h = Math.imul(h ^ ((t / 4294967296) | 0), 0x165667b1);
      h ^= h >>> 15;
    }
    const b = h & (this.buckets.length - 1);
    for (let c = this.buckets[b]; c >= 0; c = this.vRec[V_FIELDS * c + V_CHAIN]) {
      if (this.vRec[V_FIELDS * c + V_HASH] === h && this.same(c, w)) {
        this.discard(w);
        this.take(c);
        return c;
      }
    }
    this.vRec[V_FIELDS * w + V_CONNECTS] = connects;
    this.vNewest[w] = newest;
    this.vRec[V_FIELDS * w + V_HASH] = h;
    this.vRec[V_FIELDS * w + V_CHAIN] = this.buckets[b];
    this.buckets[b] = w;
    this.vRec[V_FIELDS * w + V_REFS] = 0;
    this.take(w);
    if (++this.inTable > this.buckets.length >> 1) this.rehash();
    return w;
  }

  /** Takes a reference; a version brought back from the FIFO is live (and counted as created) again. */
  take(v: number): void {
    if (this.vRec[V_FIELDS * v + V_REFS]++ !== 0) return;
    this.live++;
    this.liveBytes += recordBytes(this.lenOf(v));
    this.created++;
  }

  release(v: number): void {
    if (--this.vRec[V_FIELDS * v + V_REFS] > 0) return;
    this.live--;
    this.liveBytes -= recordBytes(this.lenOf(v));
    if (this.vQueued[v] === 0) {
      this.vQueued[v] = 1;
      this.deferred.push(v);
    }
  }

  /** The memoised result of applying (peer, flags, ts) to v (no reference taken), or -1. */
  transition(v: number, peer: number, flags: number, ts: number): number {
    const m = this.memo;
    const o = v * MEMO_FIELDS;
    const n = m[o + M_NEXT];
    return n >= 0 && m[o + M_KEY] === peer * 8 + flags && m[o + M_TS] === ts && this.vRec[V_FIELDS * n + V_GEN] === m[o + M_GEN] ? n : -1;
  }

  remember(v: number, peer: number, flags: number, ts: number, next: number): void {
    const m = this.memo;
    const o = v * MEMO_FIELDS;
    m[o + M_NEXT] = next;
    m[o + M_KEY] = peer * 8 + flags;
    m[o + M_TS] = ts;
    m[o + M_GEN] = this.vRec[V_FIELDS * next + V_GEN];
  }

  /** The memoised result of dropping the entries in mask (lo: 0-31, hi: 32-63) from v (no reference taken), or -1. */
  dropTransition(v: number, lo: number, hi: number): number {
    const m = this.dropMemo;
    const o = v * MEMO_FIELDS;
    const n = m[o + M_NEXT];
    return n >= 0 && m[o + 1] === lo && m[o + 2] === hi && this.vRec[V_FIELDS * n + V_GEN] === m[o + M_GEN] ? n : -1;
  }

  rememberDrop(v: number, lo: number, hi: number, next: number): void {
    const m = this.dropMemo;
    const o = v * MEMO_FIELDS;
    m[o + M_NEXT] = next;
    m[o + 1] = lo;
    m[o + 2] = hi;
    m[o + M_GEN] = this.vRec[V_FIELDS * next + V_GEN];
  }

  /** Like transition, out of "no record yet" for origin. */
  rootTransition(origin: number, peer: number, flags: number, ts: number): number {
    if (origin >= this.rNext.length) return -1;
    const n = this.rNext[origin];
    return n >= 0 && this.rPeer[origin] === peer && this.rFlags[origin] === flags && this.rTs[origin] === ts && this.vRec[V_FIELDS * n + V_GEN] === this.rGen[origin] ? n : -1;
  }

  rememberRoot(origin: number, peer: number, flags: number, ts: number, next: number): void {
    if (origin >= this.rNext.length) {
      let n = Math.max(64, this.rNext.length * 2);
      while (n <= origin) n *= 2;
      this.rPeer = growI32(this.rPeer, n);
      this.rFlags = growI32(this.rFlags, n);
      this.rTs = growF64(this.rTs, n);
      this.rNext = growI32(this.rNext, n, -1);
      this.rGen = growI32(this.rGen, n);
    }
    this.rPeer[origin] = peer;
    this.rFlags[origin] = flags;
    this.rTs[origin] = ts;
    this.rNext[origin] = next;
    this.rGen[origin] = this.vRec[V_FIELDS * next + V_GEN];
  }

  /** Version `old` (or none, -1) with (peer, f, t) replacing entry i, or inserted in order when i < 0; one reference taken. */
  withEntry(origin: PeerNum, old: number, i: number, peer: number, f: number, t: number): number {
    const n = old < 0 ? 0 : this.lenOf(old);
    const w = this.alloc(origin, i >= 0 ? n : n + 1);
    const dst = this.offOf(w);
    const src = old < 0 ? 0 : this.offOf(old);
    let at = i;
    if (i < 0) {
      at = 0;
      while (at < n && this.ePeer[src + at] < peer) at++;
      this.copyEntries(src + at, src + n, dst + at + 1);
    } else this.copyEntries(src + i + 1, src + n, dst + i + 1);
    this.copyEntries(src, src + at, dst);
    this.ePeer[dst + at] = peer;
    this.eTs[dst + at] = t;
    this.eFlags[dst + at] = f;
    return this.intern(w);
  }

  /** Version `old` without its entry k; one reference taken. */
  without(old: number, k: number): number {
    const n = this.lenOf(old);
    const w = this.alloc(this.vRec[V_FIELDS * old + V_ORIGIN], n - 1);
    const src = this.offOf(old);
    const dst = this.offOf(w);
    this.copyEntries(src, src + k, dst);
    this.copyEntries(src + k + 1, src + n, dst + k);
    return this.intern(w);
  }

  /** Copies entries [from, to) to dst (within the slabs). */
  copyEntries(from: number, to: number, dst: number): void {
    if (to <= from) return;
    this.ePeer.copyWithin(dst, from, to);
    this.eTs.copyWithin(dst, from, to);
    this.eFlags.copyWithin(dst, from, to);
  }

  private same(a: number, b: number): boolean {
    const n = this.lenOf(a);
    if (this.vRec[V_FIELDS * a + V_ORIGIN] !== this.vRec[V_FIELDS * b + V_ORIGIN] || this.lenOf(b) !== n) return false;
    const pa = this.offOf(a);
    const pb = this.offOf(b);
    for (let k = 0; k < n; k++) {
      if (this.ePeer[pa + k] !== this.ePeer[pb + k] || this.eTs[pa + k] !== this.eTs[pb + k] || this.eFlags[pa + k] !== this.eFlags[pb + k]) return false;
    }
    return true;
  }

  /** Gives back a slot that was never published (no memo or index points at it). */
  private discard(w: number): void {
    this.freeBlock(w);
    this.vCls[w] = FREE;
    this.freeVersions.push(w);
  }

  /** Reuses the slot of a deferred version, unless a memo or content hit took it back meanwhile. */
  private reclaim(v: number): void {
    this.vQueued[v] = 0;
    if (this.vRec[V_FIELDS * v + V_REFS] > 0) return;
    const b = this.vRec[V_FIELDS * v + V_HASH] & (this.buckets.length - 1);
    if (this.buckets[b] === v) this.buckets[b] = this.vRec[V_FIELDS * v + V_CHAIN];
    else {
      let c = this.buckets[b];
      while (this.vRec[V_FIELDS * c + V_CHAIN] !== v) c = this.vRec[V_FIELDS * c + V_CHAIN];
      this.vRec[V_FIELDS * c + V_CHAIN] = this.vRec[V_FIELDS * v + V_CHAIN];
    }
    this.inTable--;
    this.vRec[V_FIELDS * v + V_GEN]++;
    this.discard(v);
  }

  private freeBlock(w: number): void {
    const c = this.vCls[w];
    while (this.freeBlocks.length <= c) this.freeBlocks.push(new IntStack());
    this.freeBlocks[c].push(this.offOf(w));
  }

  private rehash(): void {
    const buckets = new Int32Array(this.buckets.length * 2).fill(-1);
    const mask = buckets.length - 1;
    for (let v = 0; v < this.vTop; v++) {
      if (this.vCls[v] === FREE) continue;
      const b = this.vRec[V_FIELDS * v + V_HASH] & mask;
      this.vRec[V_FIELDS * v + V_CHAIN] = buckets[b];
      buckets[b] = v;
    }
    this.buckets = buckets;
  }

  private growEntries(min: number): void {
    let n = this.ePeer.length * 2;
    while (n < min) n *= 2;
    this.ePeer = growI32(this.ePeer, n);
    this.eTs = growF64(this.eTs, n);
    this.eFlags = growU8(this.eFlags, n);
  }

  private growVersions(): void {
    const n = this.vNewest.length * 2;
    this.vRec = growI32(this.vRec, n * V_FIELDS);
    this.vNewest = growF64(this.vNewest, n);
    const cls = growU8(this.vCls, n);
    cls.fill(FREE, this.vCls.length);
    this.vCls = cls;
    this.vQueued = growU8(this.vQueued, n);
    const memo = newMemo(n);
    memo.set(this.memo);
    this.memo = memo;
    const drops = newDropMemo(n);
    drops.set(this.dropMemo);
    this.dropMemo = drops;
  }
}
