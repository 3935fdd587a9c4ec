import { F_CONNECT, newer } from '../../sim-core/protocols/globalmap/record.ts';
import { KernelCapacityError, KernelRangeError } from './errors.ts';
import { SlotStack } from './slot-stack.ts';

export const APPLIED = 0;
export const STALE = 1;
export const EXCESSIVE = 2;

/**
 * Every peer's map as typed-array slabs. A cell per (peer, origin) holds a
 * version id; a version is one origin's sorted link registers (peer, flags,
 * ts) in a fixed block of `maxEntries` slots, shared by every peer whose view
 * of that origin is the same. Apply is memo-first: a version remembers its
 * last successor and the event serial that made it, so when a whole network
 * applies an origin's events in the same order, only the first peer builds
 * a version and the others take a reference. Versions are counted by cell
 * references; memo links are weak (checked by generation). A version whose
 * count drops to zero waits in a FIFO before its slot is reused (deferred
 * free), so the peers that apply the same event a little later still find
 * it through the memo and take it back.
 */
export class VersionStore {
  readonly cells: Int32Array;
  private readonly vPeer: Int32Array;
  private readonly vTs: Float64Array;
  private readonly vFlags: Uint8Array;
  private readonly vLen: Int32Array;
  private readonly vConnects: Int32Array;
  private readonly vOrigin: Int32Array;
  /** Content cache: hash bucket → version (lossy, checked by generation), so peers that reach the same content by different orders share it. */
  private readonly hcVer: Int32Array;
  private readonly hcGen: Int32Array;
  private readonly hcMask: number;
  private readonly vRefs: Int32Array;
  private readonly memoSerial: Int32Array;
  private readonly memoNext: Int32Array;
  /** Generation of the memo target when the memo was made; vGen changes when a slot is reclaimed. */
  private readonly memoGen: Int32Array;
  private readonly vGen: Int32Array;
  /** FIFO of versions whose count reached zero (queued[v] = 1 while in it). */
  private readonly deferred: Int32Array;
  private readonly queued: Uint8Array;
  private dHead = 0;
  private dCount = 0;
  /** Memo out of "no record yet", per origin. */
  private readonly rootSerial: Int32Array;
  private readonly rootNext: Int32Array;
  private readonly rootGen: Int32Array;
  private readonly free: SlotStack;
  live = 0;
  peakLive = 0;
  built = 0;

  constructor(
    readonly peers: number,
    /** Versions alive at once, all origins and peers together. */
    readonly capacity: number,
    readonly maxEntries: number,
    readonly maxClaims: number,
    /** Zero-count versions kept for memo hits before their slots are reused. */
    readonly deferral = Math.min(4096, capacity >> 2),
  ) {
    if (!(peers >= 1 && capacity >= 1 && maxEntries >= 1)) throw new KernelRangeError('VersionStore', 'peers, capacity and maxEntries must be ≥ 1');
    this.cells = new Int32Array(peers * peers).fill(-1);
    this.vPeer = new Int32Array(capacity * maxEntries);
    this.vTs = new Float64Array(capacity * maxEntries);
    this.vFlags = new Uint8Array(capacity * maxEntries);
    this.vLen = new Int32Array(capacity);
    this.vConnects = new Int32Array(capacity);
    this.vOrigin = new Int32Array(capacity);
    let h = 1024;
    while (h < capacity) h *= 2;
    this.hcVer = new Int32Array(h).fill(-1);
    this.hcGen = new Int32Array(h);
    this.hcMask = h - 1;
    this.vRefs = new Int32Array(capacity);
    this.memoSerial = new Int32Array(capacity).fill(-1);
    this.memoNext = new Int32Array(capacity).fill(-1);
    this.memoGen = new Int32Array(capacity);
    this.vGen = new Int32Array(capacity);
    this.deferred = new Int32Array(capacity);
    this.queued = new Uint8Array(capacity);
    this.rootSerial = new Int32Array(peers).fill(-1);
    this.rootNext = new Int32Array(peers).fill(-1);
    this.rootGen = new Int32Array(peers);
    this.free = new SlotStack(capacity, 'versionCapacity');
  }

  /** Applies origin's register write (peer, flags, ts), made by event `serial`, to peer p's map. */
  apply(p: number, origin: number, peer: number, flags: number, ts: number, serial: number): number {
    const cell = p * this.peers + origin;
    const v = this.cells[cell];
    let next: number;
    if (v < 0) {
      const r = this.rootNext[origin];
      if (this.rootSerial[origin] === serial && this.vGen[r] === this.rootGen[origin]) {
        next = r;
      } else {
        if ((flags & F_CONNECT) !== 0 && this.maxClaims < 1) return EXCESSIVE;
        next = this.build(-1, -1, origin, peer, flags, ts);
        this.rootSerial[origin] = serial;
        this.rootNext[origin] = next;
        this.rootGen[origin] = this.vGen[next];
      }
    } else if (this.memoSerial[v] === serial && this.vGen[this.memoNext[v]] === this.memoGen[v]) {
      next = this.memoNext[v];
    } else {
      const base = v * this.maxEntries;
      const n = this.vLen[v];
      let i = -1;
      for (let k = 0; k < n; k++) {
        if (this.vPeer[base + k] === peer) {
          i = k;
          break;
        }
      }
      if (i >= 0 && !newer(ts, flags, this.vTs[base + i], this.vFlags[base + i])) return STALE;
      const was = i >= 0 && (this.vFlags[base + i] & F_CONNECT) !== 0 ? 1 : 0;
      const is = (flags & F_CONNECT) !== 0 ? 1 : 0;
      if (this.vConnects[v] + is - was > this.maxClaims) return EXCESSIVE;
      if (i < 0 && n >= this.maxEntries) throw new KernelCapacityError('maxEntries', this.maxEntries);
      next = this.build(v, i, origin, peer, flags, ts);
      this.memoSerial[v] = serial;
      this.memoNext[v] = next;
      this.memoGen[v] = this.vGen[next];
    }
    this.vRefs[next]++;
    this.cells[cell] = next;
    if (v >= 0 && --this.vRefs[v] === 0 && this.queued[v] === 0) this.defer(v);
    return APPLIED;
  }

  /** Peer p's registers for origin, sorted by peer: [peer, flags, ts] triples. */
  entries(p: number, origin: number): [number, number, number][] {
    const v = this.cells[p * this.peers + origin];
    const out: [number, number, number][] = [];
    if (v < 0) return out;
    const base = v * this.maxEntries;
    for (let k = 0; k < this.vLen[v]; k++) out.push([this.vPeer[base + k], this.vFlags[base + k], this.vTs[base + k]]);
    return out;
  }

  get bytes(): number {
    return this.cells.byteLength + this.capacity * (this.maxEntries * 13 + 6 * 4) + this.peers * 8;
  }

  /** Version `old` (or none, -1) with (peer, flags, ts) replacing index i, or inserted in order when i < 0. */
  private build(old: number, i: number, origin: number, peer: number, f: number, t: number): number {
    const w = this.allocate();
    const B = this.maxEntries;
    const dst = w * B;
    const n = old < 0 ? 0 : this.vLen[old];
    const src = old * B;
    let connects = 0;
    let k = 0;
    if (i >= 0) {
      for (; k < n; k++) {
        const same = k === i;
        this.vPeer[dst + k] = same ? peer : this.vPeer[src + k];
        this.vTs[dst + k] = same ? t : this.vTs[src + k];
        const fl = same ? f : this.vFlags[src + k];
        this.vFlags[dst + k] = fl;
        connects += fl & F_CONNECT;
      }
    } else {
      let j = 0;
      let placed = false;
      for (; k < n + 1; k++) {
        if (!placed && (j === n || this.vPeer[src + j] > peer)) {
          this.vPeer[dst + k] = peer;
          this.vTs[dst + k] = t;
          this.vFlags[dst + k] = f;
          connects += f & F_CONNECT;
          placed = true;
          continue;
        }
        this.vPeer[dst + k] = this.vPeer[src + j];
        this.vTs[dst + k] = this.vTs[src + j];
        const fl = this.vFlags[src + j];
        this.vFlags[dst + k] = fl;
        connects += fl & F_CONNECT;
        j++;
      }
    }
    this.vLen[w] = k;
    this.vConnects[w] = connects;
    this.vOrigin[w] = origin;
    const bucket = this.hashOf(w) & this.hcMask;
    const c = this.hcVer[bucket];
    if (c >= 0 && this.vGen[c] === this.hcGen[bucket] && this.sameContent(c, w)) {
      this.free.give(w); // an equal version exists: give the fresh slot back
      return c;
    }
    this.hcVer[bucket] = w;
    this.hcGen[bucket] = this.vGen[w];
    if (++this.live > this.peakLive) this.peakLive = this.live;
    this.built++;
    this.vRefs[w] = 0;
    this.memoSerial[w] = -1;
    this.memoNext[w] = -1;
    return w;
  }

  private hashOf(v: number): number {
    const base = v * this.maxEntries;
    let h = Math.imul(this.vOrigin[v] ^ 0x9e3779b9, 0x85ebca6b);
    for (let k = base; k < base + this.vLen[v]; k++) {
      h = Math.imul(h ^ this.vPeer[k], 0xc2b2ae35);
      const t = this.vTs[k];
      h = Math.imul(h ^ (t | 0) ^ (this.vFlags[k] << 28), 0x27d4eb2f);
      h = Math.imul(h ^ ((t / 4294967296) | 0), 0x165667b1);
      h ^= h >>> 15;
    }
    return h >>> 0;
  }

  private sameContent(a: number, b: number): boolean {
    const n = this.vLen[a];
    if (this.vOrigin[a] !== this.vOrigin[b] || this.vLen[b] !== n) return false;
    const pa = a * this.maxEntries;
    const pb = b * this.maxEntries;
    for (let k = 0; k < n; k++) {
      if (this.vPeer[pa + k] !== this.vPeer[pb + k] || this.vTs[pa + k] !== this.vTs[pb + k] || this.vFlags[pa + k] !== this.vFlags[pb + k]) return false;
    }
    return true;
  }

  /** A version slot: a fresh one while the deferral FIFO is short, else the oldest deferred one still unused. */
  private allocate(): number {
    while (this.dCount > 0 && (this.dCount > this.deferral || this.free.size === 0)) {
      const v = this.deferred[this.dHead];
      this.dHead = this.dHead + 1 === this.capacity ? 0 : this.dHead + 1;
      this.dCount--;
      this.queued[v] = 0;
      if (this.vRefs[v] > 0) continue; // taken back through a memo meanwhile
      this.vGen[v]++;
      this.live--;
      this.free.give(v);
    }
    return this.free.take();
  }

  private defer(v: number): void {
    let tail = this.dHead + this.dCount;
    if (tail >= this.capacity) tail -= this.capacity;
    this.deferred[tail] = v;
    this.dCount++;
    this.queued[v] = 1;
  }
}
