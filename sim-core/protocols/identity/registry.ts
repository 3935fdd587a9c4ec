import { sha256 } from '@noble/hashes/sha2.js';
import type { Rng } from '../../engine/rng.ts';
import { KAD_ID_BYTES, PEER_ID_BYTES } from '../../wire/constants.ts';
import { WireError } from '../../wire/errors.ts';
import type { IdCodec, PeerNum } from '../../wire/ids.ts';
import type { PowProof, PowScheme } from './pow.ts';
import type { Signer } from './signer.ts';

/** A peer's key pair and the ids derived from it. */
export interface Identity {
  readonly num: PeerNum;
  readonly secretKey: Uint8Array; // 32 bytes
  readonly publicKey: Uint8Array; // 32 bytes
  /** SHA-256 of the public key: the fingerprint that names the peer. */
  readonly peerId: Uint8Array; // 32 bytes
  /** Proof of work for the peer id, when the run requires one (crypto.pow). */
  readonly pow?: PowProof;
}

/** Identity proof-of-work of a run: the scheme and the difficulty identities are minted with. */
export interface RegistryPow {
  scheme: PowScheme;
  difficulty: number;
}

/** Bound on identities (Sybil scenarios mint many per host). */
export const MAX_IDENTITIES = 1 << 22;

/**
 * Default bound on foreign ids: ids read off the wire (or public keys seen
 * in handshakes) that no identity of the run owns. Each costs ~370 bytes,
 * so hostile peers inventing ids can take at most ~24 MiB; past it, a frame
 * naming one more is dropped (WireError 'id-limit'), never a crash.
 */
export const DEFAULT_MAX_FOREIGN_IDS = 1 << 16;

/**
 * All identities of a simulation, interned as small integers (PeerNum).
 * It is also the IdCodec: 32-byte ids (and 20-byte Kademlia ids, the first
 * 20 bytes of the peer id) map to and from peer numbers; an id never seen
 * before is interned as a new, keyless entry, so decoding stays total.
 */
export class IdentityRegistry implements IdCodec {
  private readonly ids: Uint8Array[] = [];
  private readonly keys: (Identity | undefined)[] = [];
  private readonly byId = new Map<string, PeerNum>();
  private readonly byKadId = new Map<string, PeerNum>();
  private readonly byKeyObject = new WeakMap<Uint8Array, PeerNum>();
  /** Numbers of the foreign ids (an id minted after being seen leaves the set). */
  private readonly foreignOf = new Set<PeerNum>();
  /** Interned ids no minted identity owns. */
  private foreign = 0;

  constructor(
    readonly signer: Signer,
    /** Absent or difficulty 0: identities carry no proof of work. */
    readonly pow?: RegistryPow,
    /** Bound on foreign ids (see DEFAULT_MAX_FOREIGN_IDS). */
    readonly maxForeignIds = DEFAULT_MAX_FOREIGN_IDS,
  ) {}

  /** Interned ids that no minted identity owns (bounded by maxForeignIds). */
  get foreignIds(): number {
    return this.foreign;
  }

  get size(): number {
    return this.ids.length;
  }

  /**
   * Mints a key pair from 32 bytes of `rng`; with a proof-of-work
   * requirement and a `powRng` (its own stream, so the keys do not depend on
   * it), also grinds the proof. Without `powRng` the identity has no proof
   * (an attacker that does not pay).
   */
  mint(rng: Rng, powRng?: Rng): Identity {
    const secretKey = new Uint8Array(32);
    const view = new DataView(secretKey.buffer);
    for (let i = 0; i < 8; i++) view.setUint32(i * 4, rng.uint32());
    const publicKey = this.signer.publicKeyOf(secretKey);
    const peerId = sha256(publicKey);
    const num = this.intern(peerId, true);
    if (this.keys[num] === undefined && this.foreignOf.has(num)) {
      this.foreignOf.delete(num); // seen on the wire before it was minted: no longer foreign
      this.foreign--;
    }
    const pow = this.pow && this.pow.difficulty > 0 && powRng ? this.pow.scheme.solve(peerId, this.pow.difficulty, powRng) : undefined;
    const identity: Identity = pow ? { num, secretKey, publicKey, peerId, pow } : { num, secretKey, publicKey, peerId };
    this.keys[num] = identity;
    return identity;
  }

  /** The 32-byte id of a peer number. */
  peerIdOf(num: PeerNum): Uint8Array {
    return this.ids[num];
  }

  identityOf(num: PeerNum): Identity | undefined {
    return this.keys[num];
  }

  /** Peer number of a public key's fingerprint (interning it if new); throws WireError 'id-limit' when the foreign table is full. */
  numOfPublicKey(publicKey: Uint8Array): PeerNum {
    // In object mode the key arriving in a version message is the very array the
    // identity holds, so the fingerprint is computed once per identity, not per handshake.
    const known = this.byKeyObject.get(publicKey);
    if (known !== undefined) return known;
    const num = this.intern(sha256(publicKey));
    this.byKeyObject.set(publicKey, num);
    return num;
  }

  /** numOfPublicKey, or undefined when the key is new and the foreign table is full. */
  tryNumOfPublicKey(publicKey: Uint8Array): PeerNum | undefined {
    try {
      return this.numOfPublicKey(publicKey);
    } catch (e) {
      if (e instanceof WireError && e.kind === 'id-limit') return undefined;
      throw e;
    }
  }

  /** Difficulty a public key's proof-of-work nonce reaches (0 without a scheme). */
  powWork(publicKey: Uint8Array, nonce: number | undefined): number {
    if (!this.pow || nonce === undefined) return 0;
    // Checked before the key is proven: hash it without interning, so unproven keys take no table space.
    const known = this.byKeyObject.get(publicKey);
    return this.pow.scheme.work(known !== undefined ? this.ids[known] : sha256(publicKey), nonce);
  }

  /** Byte order of two peers' ids: the deterministic tie-break between them. */
  compare(a: PeerNum, b: PeerNum): number {
    const x = this.ids[a];
    const y = this.ids[b];
    for (let i = 0; i < PEER_ID_BYTES; i++) if (x[i] !== y[i]) return x[i] - y[i];
    return 0;
  }

  hasPeer(peer: PeerNum): boolean {
    return Number.isInteger(peer) && peer >= 0 && peer < this.ids.length;
  }

  writePeerId(peer: PeerNum, out: Uint8Array, offset: number): void {
    out.set(this.ids[peer], offset);
  }

  readPeerId(bytes: Uint8Array, offset: number): PeerNum {
    return this.intern(bytes.slice(offset, offset + PEER_ID_BYTES));
  }

  writeKadId(peer: PeerNum, out: Uint8Array, offset: number): void {
    out.set(this.ids[peer].subarray(0, KAD_ID_BYTES), offset);
  }

  readKadId(bytes: Uint8Array, offset: number): PeerNum {
    const key = hex(bytes, offset, KAD_ID_BYTES);
    const known = this.byKadId.get(key);
    if (known !== undefined) return known;
    // Unknown Kademlia id: intern a peer id that starts with it (zero-padded).
    const id = new Uint8Array(PEER_ID_BYTES);
    id.set(bytes.subarray(offset, offset + KAD_ID_BYTES));
    return this.intern(id);
  }

  /** The number of an id, interned if new; `minting`: for an identity of the run (else a foreign id, bounded). */
  private intern(peerId: Uint8Array, minting = false): PeerNum {
    const key = hex(peerId, 0, PEER_ID_BYTES);
    const known = this.byId.get(key);
    if (known !== undefined) return known;
    if (!minting && this.foreign >= this.maxForeignIds) throw new WireError('id-limit', `more than ${this.maxForeignIds} unknown peer ids`, 0);
    if (this.ids.length >= MAX_IDENTITIES) {
      if (!minting) throw new WireError('id-limit', `more than ${MAX_IDENTITIES} identities`, 0);
      throw new RangeError(`more than ${MAX_IDENTITIES} identities`); // a scenario too large: a configuration error
    }
    if (!minting) {
      this.foreign++;
      this.foreignOf.add(this.ids.length);
    }
    const num = this.ids.length;
    this.ids.push(peerId);
    this.keys.push(undefined);
    this.byId.set(key, num);
    const kadKey = key.slice(0, KAD_ID_BYTES * 2);
    if (!this.byKadId.has(kadKey)) this.byKadId.set(kadKey, num);
    return num;
  }
}

function hex(bytes: Uint8Array, offset: number, length: number): string {
  let s = '';
  for (let i = offset; i < offset + length; i++) s += (bytes[i] ?? 0).toString(16).padStart(2, '0');
  return s;
}
