import type { PeerNum } from '../../wire/ids.ts';
import type { Address } from '../../sans-io/protocol.ts';
import { staysPastHole } from './int-key-map.ts';
import { RegionArena, type Releasable } from './region-arena.ts';

const EMPTY = -1;
/** 2^32 / φ, odd. */
const FIB = 0x9e3779b1;

/**
 * The address of each peer a node has heard of (handshakes, addr gossip),
 * bounded: past `capacity` the oldest-noted peer is forgotten. Noting a
 * known peer updates its address and keeps its place, so eviction and
 * iteration follow first-noted order, as an insertion-ordered Map would.
 *
 * Typed arrays, not a Map: the book turns over all day (one in, the oldest
 * out), and a Map's deletions make it rehash into a fresh table every few
 * hundred notes — garbage that outlives the young generation, a quarter of
 * what a 2,500-peer run promoted. Here: a ring of peers in noted order and
 * a linear-probing index (backward-shift deletion, no tombstones).
 */
export class PeerAddresses implements Releasable {
  /** Peers in noted order: arena.i32[ringBase + (head + i) % ringLen], i < size (the region may be longer than ringLen). */
  private ringBase: number;
  private ringLen = 16;
  private head = 0;
  private size = 0;
  /**
   * Index: slot i is (peer, address) at arena.i32[slotsBase + 2i, + 2i + 1],
   * linear probing; EMPTY peer: free. Side by side so a lookup reads one
   * cache line, not one in a key array and another in a value array.
   * Addresses are u32 on the wire, kept as their int32 bits (4 B, not 8:
   * 20 MB of a 2,500-peer Kademlia run). A region of a shared arena: no
   * array header of its own to load first.
   */
  private slotsBase: number;
  /** Slots in the index (a power of two). */
  private slotCount = 32;
  /** 32 − log2(slotCount): Fibonacci hashing takes the product's top bits (low bits of peer × odd keep runs of peers apart, never mixing them). */
  private shift = 27;

  constructor(
    private readonly capacity: number,
    /** Where the index and ring live: shared by the nodes of a World (its own by default). */
    private readonly arena: RegionArena = new RegionArena(),
  ) {
    // No regions until the first note (-1): an empty book answers without them.
    this.ringBase = -1;
    this.slotsBase = -1;
  }

  /** Hands the regions back to the arena (the owner's node was replaced); the book is empty and takes new ones if noted again. */
  release(): void {
    if (this.slotsBase < 0) return;
    const a = this.arena;
    a.releaseI32(this.ringBase, regionOf(this.ringLen));
    a.releaseI32(this.slotsBase, 2 * this.slotCount);
    this.head = 0;
    this.size = 0;
    this.ringLen = 16;
    this.slotCount = 32;
    this.shift = 27;
    this.ringBase = -1;
    this.slotsBase = -1;
  }

  get(peer: PeerNum): Address | undefined {
    if (!isKey(peer) || this.size === 0) return undefined;
    const i = this.slotsBase + 2 * this.find(peer);
    const slots = this.arena.i32;
    return slots[i] === peer ? slots[i + 1] >>> 0 : undefined;
  }

  /** Peer numbers are non-negative int32 (others name nobody and are not kept), addresses u32 (others are not kept either). */
  note(peer: PeerNum, address: Address): void {
    if (!isKey(peer) || address >>> 0 !== address) return;
    if (this.slotsBase < 0) {
      this.ringBase = this.arena.takeI32(this.ringLen, 0);
      this.slotsBase = this.arena.takeI32(2 * this.slotCount, EMPTY);
    }
    const at = this.slotsBase + 2 * this.find(peer);
    if (this.arena.i32[at] === peer) {
      this.arena.i32[at + 1] = address | 0;
      return;
    }
    if (this.size >= this.capacity) {
      this.remove(this.arena.i32[this.ringBase + this.head]);
      this.head = (this.head + 1) % this.ringLen;
      this.size--;
    } else if (this.size === this.ringLen) this.growRing();
    // Up to 3/4 full: a full book of 1,024 peers fits 2,048 slots (at 1/2 it took 4,096, 48 KB a node).
    if ((this.size + 1) * 4 > this.slotCount * 3) this.rehash(this.slotCount * 2);
    // Found again: an eviction may have opened a hole earlier on peer's probe run.
    const i = this.slotsBase + 2 * this.find(peer);
    const a = this.arena.i32;
    a[i] = peer;
    a[i + 1] = address | 0;
    a[this.ringBase + ((this.head + this.size) % this.ringLen)] = peer;
    this.size++;
  }

  /** Peers p with `among[p] === 1` known here or in `connected` (counted once), walking what is known rather than every p. */
  countAmong(among: Uint8Array, connected: ReadonlyMap<PeerNum, unknown>): number {
    let n = 0;
    const a = this.arena.i32;
    for (let k = 0; k < this.size; k++) if (among[a[this.ringBase + ((this.head + k) % this.ringLen)]] === 1) n++;
    for (const p of connected.keys()) if (among[p] === 1 && this.get(p) === undefined) n++;
    return n;
  }

  /** The slot holding `peer`, else the empty slot ending its probe run. */
  private find(peer: number): number {
    const a = this.arena.i32;
    const b = this.slotsBase;
    const mask = this.slotCount - 1;
    for (let i = Math.imul(peer, FIB) >>> this.shift; ; i = (i + 1) & mask) if (a[b + 2 * i] === peer || a[b + 2 * i] === EMPTY) return i;
  }

  /** Deletes `peer` from the index, shifting later members of its probe run back (no tombstones). */
  private remove(peer: number): void {
    const slots = this.arena.i32;
    const b = this.slotsBase;
    const mask = this.slotCount - 1;
    let i = this.find(peer);
    if (slots[b + 2 * i] !== peer) return;
    for (let j = (i + 1) & mask; slots[b + 2 * j] !== EMPTY; j = (j + 1) & mask) {
      const home = Math.imul(slots[b + 2 * j], FIB) >>> this.shift;
      if (staysPastHole(home, i, j)) continue;
      slots[b + 2 * i] = slots[b + 2 * j];
      slots[b + 2 * i + 1] = slots[b + 2 * j + 1];
      i = j;
    }
    slots[b + 2 * i] = EMPTY;
  }

  private rehash(n: number): void {
    const a = this.arena;
    const oldBase = this.slotsBase;
    const oldCount = this.slotCount;
    this.slotsBase = a.takeI32(2 * n, EMPTY);
    this.slotCount = n;
    this.shift = 32 - Math.log2(n);
    // After the take: it may have grown the array.
    const slots = a.i32;
    for (let i = 0; i < oldCount; i++) {
      const peer = slots[oldBase + 2 * i];
      if (peer === EMPTY) continue;
      const j = this.slotsBase + 2 * this.find(peer);
      slots[j] = peer;
      slots[j + 1] = slots[oldBase + 2 * i + 1];
    }
    a.releaseI32(oldBase, 2 * oldCount);
  }

  /** More room in the ring, up to the capacity (only before the first eviction, while head is 0). */
  private growRing(): void {
    const a = this.arena;
    const len = Math.min(this.capacity, this.ringLen * 2);
    const base = a.takeI32(regionOf(len), 0);
    const ring = a.i32;
    for (let k = 0; k < this.size; k++) ring[base + k] = ring[this.ringBase + ((this.head + k) % this.ringLen)];
    a.releaseI32(this.ringBase, regionOf(this.ringLen));
    this.ringBase = base;
    this.ringLen = len;
    this.head = 0;
  }
}

/** The arena region that holds `n` ints: the next power of two, at least a line. */
function regionOf(n: number): number {
  let r = 16;
  while (r < n) r *= 2;
  return r;
}

function isKey(peer: number): boolean {
  return peer >= 0 && peer <= 0x7fffffff && peer === Math.floor(peer);
}
