import type { Rng } from '../../engine/rng.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { KAD_ID_BITS, KAD_ID_WORDS } from './constants.ts';

/**
 * 160-bit Kademlia ids as 5 uint32 words, most significant first, so that
 * numeric order of the words is numeric order of the id. Hot-path functions
 * take (array, offset) pairs and never allocate: ids of peers live packed in
 * one shared `KadIdTable` (20 bytes per peer, 200 kB for 10,000 peers);
 * standalone ids (lookup targets) are `KadId`s of length 5.
 */
export type KadId = Uint32Array;

/** bucketIndex of two equal ids: they share every bit, so no bucket holds them. */
export const SAME_ID = -1;

export function newKadId(): KadId {
  return new Uint32Array(KAD_ID_WORDS);
}

/**
 * Sign of dist(a, target) − dist(b, target) under XOR: -1 if a is closer,
 * 1 if b is, 0 if a = b. XOR with a fixed target is a bijection, so two
 * different ids never tie.
 */
export function compareDistanceAt(
  a: Uint32Array,
  aOff: number,
  b: Uint32Array,
  bOff: number,
  t: Uint32Array,
  tOff: number,
): number {
  for (let i = 0; i < KAD_ID_WORDS; i++) {
    const ti = t[tOff + i];
    const da = (a[aOff + i] ^ ti) >>> 0;
    const db = (b[bOff + i] ^ ti) >>> 0;
    if (da !== db) return da < db ? -1 : 1;
  }
  return 0;
}

/** compareDistanceAt for standalone ids. */
export function compareDistance(a: KadId, b: KadId, target: KadId): number {
  return compareDistanceAt(a, 0, b, 0, target, 0);
}

/** floor(log2(a XOR b)) in 0..159, or SAME_ID when a = b. */
export function bucketIndexAt(a: Uint32Array, aOff: number, b: Uint32Array, bOff: number): number {
  for (let i = 0; i < KAD_ID_WORDS; i++) {
    const x = a[aOff + i] ^ b[bOff + i];
    if (x !== 0) return KAD_ID_BITS - 1 - (i * 32 + Math.clz32(x));
  }
  return SAME_ID;
}

export function bucketIndex(self: KadId, other: KadId): number {
  return bucketIndexAt(self, 0, other, 0);
}

/**
 * Writes into `out` a uniformly random id whose distance to `self` lies in
 * bucket `bucket` (bits above it equal self's, the bucket bit flipped, the
 * rest random). Used by bucket refresh. Draws one uint32 per word from the
 * bucket bit's word on, so the draw count depends only on `bucket`.
 */
export function randomIdInBucketAt(
  self: Uint32Array,
  selfOff: number,
  bucket: number,
  rng: Rng,
  out: Uint32Array,
  outOff = 0,
): void {
  if (!Number.isInteger(bucket) || bucket < 0 || bucket >= KAD_ID_BITS) {
    throw new RangeError(`bucket: got ${bucket}; must be an integer in [0, ${KAD_ID_BITS - 1}]`);
  }
  const p = KAD_ID_BITS - 1 - bucket; // bit position counted from the most significant bit
  const w = p >>> 5;
  const q = p & 31;
  const bit = (1 << (31 - q)) >>> 0;
  const low = q === 31 ? 0 : 0xffffffff >>> (q + 1);
  const high = ~(low | bit) >>> 0;
  for (let i = 0; i < KAD_ID_WORDS; i++) {
    const s = self[selfOff + i];
    if (i < w) out[outOff + i] = s;
    else if (i === w) out[outOff + i] = ((s & high) | (~s & bit) | (rng.uint32() & low)) >>> 0;
    else out[outOff + i] = rng.uint32();
  }
}

/** Kademlia id from a 32-byte peer id: its first 20 bytes, big-endian. */
export function kadIdFromPeerId(bytes: Uint8Array, offset = 0, out: KadId = newKadId()): KadId {
  if (bytes.length - offset < KAD_ID_WORDS * 4) throw new RangeError('peer id: fewer than 20 bytes');
  for (let i = 0; i < KAD_ID_WORDS; i++) {
    const o = offset + i * 4;
    out[i] = ((bytes[o] << 24) | (bytes[o + 1] << 16) | (bytes[o + 2] << 8) | bytes[o + 3]) >>> 0;
  }
  return out;
}

/** A random id from a seeded stream (tests, simulated peers without keys). */
export function randomKadId(rng: Rng, out: KadId = newKadId()): KadId {
  for (let i = 0; i < KAD_ID_WORDS; i++) out[i] = rng.uint32();
  return out;
}

/** The 20 wire bytes of an id (KadFindNode.target). */
export function writeKadIdBytes(id: Uint32Array, idOff: number, out: Uint8Array, offset: number): void {
  for (let i = 0; i < KAD_ID_WORDS; i++) {
    const v = id[idOff + i];
    const o = offset + i * 4;
    out[o] = v >>> 24;
    out[o + 1] = (v >>> 16) & 0xff;
    out[o + 2] = (v >>> 8) & 0xff;
    out[o + 3] = v & 0xff;
  }
}

/** For tests and reports only (allocates). */
export function kadIdToBigInt(id: Uint32Array, off = 0): bigint {
  let v = 0n;
  for (let i = 0; i < KAD_ID_WORDS; i++) v = (v << 32n) | BigInt(id[off + i]);
  return v;
}

export function kadIdToHex(id: Uint32Array, off = 0): string {
  let s = '';
  for (let i = 0; i < KAD_ID_WORDS; i++) s += id[off + i].toString(16).padStart(8, '0');
  return s;
}

/**
 * The ids of all peers, packed in one Uint32Array indexed by PeerNum (peer
 * numbers are small dense integers). Grows by doubling up to `maxPeers`.
 * Callers must register a peer's id before handing its PeerNum to a routing
 * table or a lookup (the integrator's IdCodec does it when it interns).
 */
export class KadIdTable {
  private w: Uint32Array;
  private known: Uint8Array;

  constructor(
    initialCapacity = 1024,
    readonly maxPeers = 1 << 22,
  ) {
    const cap = Math.max(1, Math.min(initialCapacity, maxPeers));
    this.w = new Uint32Array(cap * KAD_ID_WORDS);
    this.known = new Uint8Array(cap);
  }

  /** The packed words; re-read after any `set*` (growth replaces the array). */
  get words(): Uint32Array {
    return this.w;
  }

  get capacity(): number {
    return this.known.length;
  }

  has(peer: PeerNum): boolean {
    return peer >= 0 && peer < this.known.length && this.known[peer] === 1;
  }

  /** Offset of `peer`'s id in `words`; throws for an unregistered peer. */
  offsetOf(peer: PeerNum): number {
    if (!this.has(peer)) throw new RangeError(`kademlia: peer ${peer} has no registered id`);
    return peer * KAD_ID_WORDS;
  }

  set(peer: PeerNum, id: ArrayLike<number>, idOff = 0): void {
    this.ensure(peer);
    const o = peer * KAD_ID_WORDS;
    for (let i = 0; i < KAD_ID_WORDS; i++) this.w[o + i] = id[idOff + i] >>> 0;
    this.known[peer] = 1;
  }

  setFromPeerId(peer: PeerNum, bytes: Uint8Array, offset = 0): void {
    this.set(peer, kadIdFromPeerId(bytes, offset));
  }

  setRandom(peer: PeerNum, rng: Rng): void {
    this.set(peer, randomKadId(rng));
  }

  /** Copies `peer`'s id into `out` (a standalone KadId). */
  copy(peer: PeerNum, out: KadId = newKadId()): KadId {
    const o = this.offsetOf(peer);
    for (let i = 0; i < KAD_ID_WORDS; i++) out[i] = this.w[o + i];
    return out;
  }

  /** The top 32 bits of id(p) XOR target, as a uint32: what orders most distances without reading the rest. */
  topDistance(p: PeerNum, target: KadId): number {
    return (this.w[p * KAD_ID_WORDS] ^ target[0]) >>> 0;
  }

  /** Allocation-free: sign of dist(a, target) − dist(b, target). */
  compareDistance(a: PeerNum, b: PeerNum, target: KadId): number {
    return compareDistanceAt(this.w, a * KAD_ID_WORDS, this.w, b * KAD_ID_WORDS, target, 0);
  }

  /**
   * compareDistance for peers whose topDistance the caller keeps (ka for a,
   * kb for b): the whole ids are read only when the top words tie.
   */
  compareKeyed(ka: number, a: PeerNum, kb: number, b: PeerNum, target: KadId): number {
    if (ka !== kb) return ka < kb ? -1 : 1;
    return this.compareDistance(a, b, target);
  }

  /** Allocation-free: floor(log2(id(a) XOR id(b))), SAME_ID if equal. */
  bucketIndex(a: PeerNum, b: PeerNum): number {
    return bucketIndexAt(this.w, a * KAD_ID_WORDS, this.w, b * KAD_ID_WORDS);
  }

  /** Allocation-free: floor(log2(id(a) XOR target)). */
  bucketIndexOf(a: PeerNum, target: KadId): number {
    return bucketIndexAt(this.w, a * KAD_ID_WORDS, target, 0);
  }

  private ensure(peer: PeerNum): void {
    if (!Number.isInteger(peer) || peer < 0 || peer >= this.maxPeers) {
      throw new RangeError(`kademlia: peer number ${peer} outside [0, ${this.maxPeers})`);
    }
    if (peer < this.known.length) return;
    let cap = this.known.length;
    while (cap <= peer) cap = Math.min(cap * 2, this.maxPeers);
    const w = new Uint32Array(cap * KAD_ID_WORDS);
    w.set(this.w);
    const known = new Uint8Array(cap);
    known.set(this.known);
    this.w = w;
    this.known = known;
  }
}
