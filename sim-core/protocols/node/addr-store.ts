import type { TimeUs } from '../../engine/time.ts';
import { growF64, growI32, growU8 } from '../../engine/typed-grow.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { Address } from '../../sans-io/protocol.ts';
import type { AddrEntry, AddrSource } from './address-book.ts';
import { int32KeyHash, staysPastHole } from './int-key-map.ts';

const SOURCES: readonly AddrSource[] = ['bootstrap', 'addr', 'inbound', 'app', 'lan'];
const SOURCE_CODE: Record<AddrSource, number> = { bootstrap: 0, addr: 1, inbound: 2, app: 3, lan: 4 };
export const SRC_BOOTSTRAP = 0;

/**
 * AddrMan's entries as struct-of-arrays, indexed densely 0..size-1 (removal
 * moves the last entry into the hole, as the key array of uniform sampling
 * did), found by address through an open-addressing index of entry numbers.
 * Every node of a run holds up to ~1,280 addresses: as one object plus a Map
 * entry each (and a key-array slot) that was ~175 B per address, half the
 * live heap of a 2,500-peer run; here it is ~43 B (failure counts and
 * network groups are int32: an address is below 2^31, a group is an AS
 * index or −1 − address).
 */
export class AddrStore {
  size = 0;
  addr = new Int32Array(0);
  /** PeerNum, NaN when unknown (a peer may claim any number: kept exactly). */
  peer = new Float64Array(0);
  source = new Uint8Array(0);
  lastSeenUs = new Float64Array(0);
  failures = new Int32Array(0);
  nextDialUs = new Float64Array(0);
  /** 0: new table, 1: tried table. */
  table = new Uint8Array(0);
  slot = new Int32Array(0);
  /** Network group of whoever told us (the address's own group when it told us itself). */
  srcGroup = new Int32Array(0);
  /** Its peer id came from a handshake: gossip may not rebind it. */
  verified = new Uint8Array(0);
  /** Hash index: entry number + 1 (0 when free), linear probing over addr[]; 16-bit below 65,535 entries (2 B a slot, not 4). */
  private index: Uint16Array | Int32Array;

  constructor(
    /** Hard bound on entries (the tables' slots: an entry always holds one, or is being moved). */
    readonly maxSize: number,
  ) {
    this.index = this.newIndex(16);
  }

  /** The entry number of `address`, or -1. */
  find(address: Address): number {
    const ix = this.index;
    const mask = ix.length - 1;
    for (let h = int32KeyHash(address) & mask; ; h = (h + 1) & mask) {
      const v = ix[h];
      if (v === 0 || this.addr[v - 1] === address) return v - 1;
    }
  }

  /** Appends an entry (the address must be absent); returns its number. */
  push(address: Address, peer: PeerNum | undefined, source: AddrSource, now: TimeUs, srcGroup: number): number {
    if (this.size >= this.maxSize) throw new RangeError(`AddrStore is full (${this.maxSize} entries)`);
    if ((srcGroup | 0) !== srcGroup) throw new RangeError(`AddrStore: a network group is an int32, got ${srcGroup}`);
    if (this.size === this.addr.length) this.growArrays();
    // Up to 3/4 full: linear probing stays short there, and a full book's index is half the size at 1/2.
    if ((this.size + 1) * 4 > this.index.length * 3) this.rehash(this.index.length * 2);
    const i = this.size++;
    this.addr[i] = address;
    this.peer[i] = peer ?? NaN;
    this.source[i] = SOURCE_CODE[source];
    this.lastSeenUs[i] = now;
    this.failures[i] = 0;
    this.nextDialUs[i] = 0;
    this.table[i] = 0;
    this.slot[i] = -1;
    this.srcGroup[i] = srcGroup;
    this.verified[i] = 0;
    this.indexSet(address, i);
    return i;
  }

  /** Removes entry `i`; the last entry takes its number. */
  remove(i: number): void {
    this.indexDelete(this.addr[i]);
    const last = --this.size;
    if (i === last) return;
    this.indexDelete(this.addr[last]);
    this.addr[i] = this.addr[last];
    this.peer[i] = this.peer[last];
    this.source[i] = this.source[last];
    this.lastSeenUs[i] = this.lastSeenUs[last];
    this.failures[i] = this.failures[last];
    this.nextDialUs[i] = this.nextDialUs[last];
    this.table[i] = this.table[last];
    this.slot[i] = this.slot[last];
    this.srcGroup[i] = this.srcGroup[last];
    this.verified[i] = this.verified[last];
    this.indexSet(this.addr[i], i);
  }

  peerOf(i: number): PeerNum | undefined {
    const p = this.peer[i];
    return p === p ? p : undefined;
  }

  sourceOf(i: number): AddrSource {
    return SOURCES[this.source[i]];
  }

  setSource(i: number, source: AddrSource): void {
    this.source[i] = SOURCE_CODE[source];
  }

  /** A copy of entry `i` as the Book interface hands it out (readers only: later changes are not reflected). */
  entry(i: number): AddrEntry {
    return { address: this.addr[i], peer: this.peerOf(i), source: this.sourceOf(i), lastSeenUs: this.lastSeenUs[i], failures: this.failures[i], nextDialUs: this.nextDialUs[i] };
  }

  private indexSet(address: Address, i: number): void {
    const ix = this.index;
    const mask = ix.length - 1;
    let h = int32KeyHash(address) & mask;
    while (ix[h] !== 0) h = (h + 1) & mask;
    ix[h] = i + 1;
  }

  /** Backward-shift deletion: probe runs stay unbroken, no tombstones. */
  private indexDelete(address: Address): void {
    const ix = this.index;
    const mask = ix.length - 1;
    let h = int32KeyHash(address) & mask;
    while (ix[h] !== 0 && this.addr[ix[h] - 1] !== address) h = (h + 1) & mask;
    if (ix[h] === 0) return;
    let j = h;
    for (;;) {
      j = (j + 1) & mask;
      const e = ix[j];
      if (e === 0) break;
      const home = int32KeyHash(this.addr[e - 1]) & mask;
      if (staysPastHole(home, h, j)) continue;
      ix[h] = e;
      h = j;
    }
    ix[h] = 0;
  }

  private rehash(n: number): void {
    this.index = this.newIndex(n);
    for (let i = 0; i < this.size; i++) this.indexSet(this.addr[i], i);
  }

  private newIndex(n: number): Uint16Array | Int32Array {
    return this.maxSize < 0xffff ? new Uint16Array(n) : new Int32Array(n);
  }

  private growArrays(): void {
    const n = Math.min(this.maxSize, Math.max(16, this.addr.length * 2));
    this.addr = growI32(this.addr, n);
    this.peer = growF64(this.peer, n);
    this.source = growU8(this.source, n);
    this.lastSeenUs = growF64(this.lastSeenUs, n);
    this.failures = growI32(this.failures, n);
    this.nextDialUs = growF64(this.nextDialUs, n);
    this.table = growU8(this.table, n);
    this.slot = growI32(this.slot, n);
    this.srcGroup = growI32(this.srcGroup, n);
    this.verified = growU8(this.verified, n);
  }
}

/**
 * Counts per network group (any number as key; absent = 0), open addressing
 * with backward-shift deletion. Never iterated. Replaces a Map that held one
 * entry per new-table address when every address is its own group (~45 B each).
 */
export class GroupCounts {
  private keys = new Float64Array(16);
  private counts = new Int32Array(16);
  private n = 0;

  get(g: number): number {
    const i = this.slotOf(g);
    return this.counts[i];
  }

  /** Adds `d` (±1) to the count of `g`; a count reaching 0 frees the key. */
  add(g: number, d: number): void {
    if (d > 0 && (this.n + 1) * 4 > this.keys.length * 3) this.grow();
    const i = this.slotOf(g);
    if (this.counts[i] === 0) {
      if (d <= 0) return;
      this.keys[i] = g === g ? g : NAN_KEY;
      this.n++;
    }
    this.counts[i] += d;
    if (this.counts[i] <= 0) this.free(i);
  }

  /** The slot holding `g`, else the empty slot ending its probe run. */
  private slotOf(g: number): number {
    if (g !== g) g = NAN_KEY; // NaN equals itself as a Map key; here it must too
    const mask = this.keys.length - 1;
    let i = groupHash(g) & mask;
    while (this.counts[i] > 0 && this.keys[i] !== g) i = (i + 1) & mask;
    return i;
  }

  private free(i: number): void {
    const mask = this.keys.length - 1;
    this.n--;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (this.counts[j] === 0) break;
      const home = groupHash(this.keys[j]) & mask;
      if (staysPastHole(home, i, j)) continue;
      this.keys[i] = this.keys[j];
      this.counts[i] = this.counts[j];
      i = j;
    }
    this.counts[i] = 0;
  }

  private grow(): void {
    const keys = this.keys;
    const counts = this.counts;
    this.keys = new Float64Array(keys.length * 2);
    this.counts = new Int32Array(keys.length * 2);
    this.n = 0;
    for (let i = 0; i < keys.length; i++) if (counts[i] > 0) this.add(keys[i], counts[i]);
  }
}

/** Stands for NaN (groups are integers; a non-integer never collides). */
const NAN_KEY = -0.5;

function groupHash(g: number): number {
  const lo = g | 0;
  const hi = (g / 4294967296) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  h ^= h >>> 16;
  return h;
}
