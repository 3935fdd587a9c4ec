import type { PeerNum } from '../../wire/ids.ts';
import type { Address } from '../../sans-io/protocol.ts';
import { staysPastHole } from './int-key-map.ts';

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
export class PeerAddresses {
  /** Peers in noted order: ring[(head + i) % ring.length], i < size. */
  private ring = new Int32Array(16);
  private head = 0;
  private size = 0;
  /**
   * Index: slot i is (peer, address) at [2i, 2i + 1], linear probing; EMPTY
   * peer: free. Side by side so a lookup reads one cache line, not one in a
   * key array and another in a value array. Addresses are u32 on the wire,
   * kept as their int32 bits (4 B, not 8: 20 MB of a 2,500-peer Kademlia run).
   */
  private slots = new Int32Array(64).fill(EMPTY);
  /**
   * Per index slot, 1 if its address is proven: we dialled it and a handshake
   * that binds identities showed this peer there. Hearsay (addr gossip, a
   * Kademlia answer, a map offer) does not replace a proven address: a liar
   * could otherwise send our next dial to this peer anywhere. A failed dial
   * to it (unprove) lets hearsay in again. Read only on notes and moves.
   */
  private proven = new Uint8Array(32);
  /** Slots in the index (a power of two). */
  private slotCount = 32;
  /** 32 − log2(slotCount): Fibonacci hashing takes the product's top bits (low bits of peer × odd keep runs of peers apart, never mixing them). */
  private shift = 27;

  constructor(private readonly capacity: number) {}

  get(peer: PeerNum): Address | undefined {
    if (!isKey(peer)) return undefined;
    const i = this.find(peer);
    return this.slots[2 * i] === peer ? this.slots[2 * i + 1] >>> 0 : undefined;
  }

  /**
   * Peer numbers are non-negative int32 (others name nobody and are not kept), addresses u32 (others are not kept either).
   * `proven`: we reached `peer` at `address` ourselves (see `proven`); else hearsay, which never replaces a proven address.
   */
  note(peer: PeerNum, address: Address, proven = false): void {
    if (!isKey(peer) || address >>> 0 !== address) return;
    const at = this.find(peer);
    if (this.slots[2 * at] === peer) {
      if (this.proven[at] === 1 && !proven) return;
      this.slots[2 * at + 1] = address | 0;
      this.proven[at] = proven ? 1 : 0;
      return;
    }
    if (this.size >= this.capacity) {
      this.remove(this.ring[this.head]);
      this.head = (this.head + 1) % this.ring.length;
      this.size--;
    } else if (this.size === this.ring.length) this.growRing();
    // Up to 3/4 full: a full book of 1,024 peers fits 2,048 slots (at 1/2 it took 4,096, 48 KB a node).
    if ((this.size + 1) * 4 > this.slotCount * 3) this.rehash(this.slotCount * 2);
    // Found again: an eviction may have opened a hole earlier on peer's probe run.
    const i = this.find(peer);
    this.slots[2 * i] = peer;
    this.slots[2 * i + 1] = address | 0;
    this.proven[i] = proven ? 1 : 0;
    this.ring[(this.head + this.size) % this.ring.length] = peer;
    this.size++;
  }

  /** A dial to `address` failed: if it is `peer`'s proven address, hearsay may replace it again (the peer may have moved). */
  unprove(peer: PeerNum, address: Address): void {
    if (!isKey(peer)) return;
    const i = this.find(peer);
    if (this.slots[2 * i] === peer && this.slots[2 * i + 1] >>> 0 === address) this.proven[i] = 0;
  }

  /** Whether `peer`'s address here is proven (see `proven`). */
  isProven(peer: PeerNum): boolean {
    if (!isKey(peer)) return false;
    const i = this.find(peer);
    return this.slots[2 * i] === peer && this.proven[i] === 1;
  }

  /** Peers p with `among[p] === 1` known here or in `connected` (counted once), walking what is known rather than every p. */
  countAmong(among: Uint8Array, connected: ReadonlyMap<PeerNum, unknown>): number {
    let n = 0;
    for (let k = 0; k < this.size; k++) if (among[this.ring[(this.head + k) % this.ring.length]] === 1) n++;
    for (const p of connected.keys()) if (among[p] === 1 && this.get(p) === undefined) n++;
    return n;
  }

  /** The slot holding `peer`, else the empty slot ending its probe run. */
  private find(peer: number): number {
    const slots = this.slots;
    const mask = this.slotCount - 1;
    for (let i = Math.imul(peer, FIB) >>> this.shift; ; i = (i + 1) & mask) if (slots[2 * i] === peer || slots[2 * i] === EMPTY) return i;
  }

  /** Deletes `peer` from the index, shifting later members of its probe run back (no tombstones). */
  private remove(peer: number): void {
    const slots = this.slots;
    const mask = this.slotCount - 1;
    let i = this.find(peer);
    if (slots[2 * i] !== peer) return;
    for (let j = (i + 1) & mask; slots[2 * j] !== EMPTY; j = (j + 1) & mask) {
      const home = Math.imul(slots[2 * j], FIB) >>> this.shift;
      if (staysPastHole(home, i, j)) continue;
      slots[2 * i] = slots[2 * j];
      slots[2 * i + 1] = slots[2 * j + 1];
      this.proven[i] = this.proven[j];
      i = j;
    }
    slots[2 * i] = EMPTY;
    this.proven[i] = 0;
  }

  private rehash(n: number): void {
    const old = this.slots;
    const oldProven = this.proven;
    const oldCount = this.slotCount;
    this.slots = new Int32Array(2 * n).fill(EMPTY);
    this.proven = new Uint8Array(n);
    this.slotCount = n;
    this.shift = Math.clz32(n) + 1; // 32 − log2(n), n a power of two
    for (let i = 0; i < oldCount; i++) {
      if (old[2 * i] === EMPTY) continue;
      const j = this.find(old[2 * i]);
      this.slots[2 * j] = old[2 * i];
      this.slots[2 * j + 1] = old[2 * i + 1];
      this.proven[j] = oldProven[i];
    }
  }

  /** More room in the ring, up to the capacity (only before the first eviction, while head is 0). */
  private growRing(): void {
    const ring = new Int32Array(Math.min(this.capacity, this.ring.length * 2));
    for (let k = 0; k < this.size; k++) ring[k] = this.ring[(this.head + k) % this.ring.length];
    this.ring = ring;
    this.head = 0;
  }
}

function isKey(peer: number): boolean {
  return peer >= 0 && peer <= 0x7fffffff && peer === Math.floor(peer);
}
