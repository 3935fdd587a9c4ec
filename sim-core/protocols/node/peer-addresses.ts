import type { PeerNum } from '../../wire/ids.ts';
import type { Address } from '../../sans-io/protocol.ts';

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
  /** Index: peer (EMPTY: free) → its address, linear probing. */
  private keys = new Int32Array(32).fill(EMPTY);
  /** Addresses are u32 on the wire (4 B here, not 8: 20 MB of a 2,500-peer Kademlia run). */
  private values = new Uint32Array(32);
  /** 32 − log2(keys.length): Fibonacci hashing takes the product's top bits (low bits of peer × odd keep runs of peers apart, never mixing them). */
  private shift = 27;

  constructor(private readonly capacity: number) {}

  get(peer: PeerNum): Address | undefined {
    if (!isKey(peer)) return undefined;
    const i = this.find(peer);
    return this.keys[i] === peer ? this.values[i] : undefined;
  }

  /** Peer numbers are non-negative int32 (others name nobody and are not kept), addresses u32 (others are not kept either). */
  note(peer: PeerNum, address: Address): void {
    if (!isKey(peer) || address >>> 0 !== address) return;
    const at = this.find(peer);
    if (this.keys[at] === peer) {
      this.values[at] = address;
      return;
    }
    if (this.size >= this.capacity) {
      this.remove(this.ring[this.head]);
      this.head = (this.head + 1) % this.ring.length;
      this.size--;
    } else if (this.size === this.ring.length) this.growRing();
    // Up to 3/4 full: a full book of 1,024 peers fits 2,048 slots (at 1/2 it took 4,096, 48 KB a node).
    if ((this.size + 1) * 4 > this.keys.length * 3) this.rehash(this.keys.length * 2);
    // Found again: an eviction may have opened a hole earlier on peer's probe run.
    const i = this.find(peer);
    this.keys[i] = peer;
    this.values[i] = address;
    this.ring[(this.head + this.size) % this.ring.length] = peer;
    this.size++;
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
    const keys = this.keys;
    const mask = keys.length - 1;
    for (let i = Math.imul(peer, FIB) >>> this.shift; ; i = (i + 1) & mask) if (keys[i] === peer || keys[i] === EMPTY) return i;
  }

  /** Deletes `peer` from the index, shifting later members of its probe run back (no tombstones). */
  private remove(peer: number): void {
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = this.find(peer);
    if (keys[i] !== peer) return;
    for (let j = (i + 1) & mask; keys[j] !== EMPTY; j = (j + 1) & mask) {
      const home = Math.imul(keys[j], FIB) >>> this.shift;
      // keys[j] may fill the hole at i unless its home lies cyclically in (i, j].
      if (i <= j ? home > i && home <= j : home > i || home <= j) continue;
      keys[i] = keys[j];
      this.values[i] = this.values[j];
      i = j;
    }
    keys[i] = EMPTY;
  }

  private rehash(n: number): void {
    const keys = this.keys;
    const values = this.values;
    this.keys = new Int32Array(n).fill(EMPTY);
    this.values = new Uint32Array(n);
    this.shift = 32 - Math.log2(n);
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === EMPTY) continue;
      const j = this.find(keys[i]);
      this.keys[j] = keys[i];
      this.values[j] = values[i];
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
