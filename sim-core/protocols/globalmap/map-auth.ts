import { PEER_ID_BYTES, SIGNATURE_BYTES } from '../../wire/constants.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { GmEvent } from '../../wire/messages.ts';
import type { Identity } from '../identity/registry.ts';
import type { CryptoCosts, Signer } from '../identity/signer.ts';
import { F_CONNECT, F_OUT } from './record.ts';
import { BOOK_ENTRIES_MAX } from './security-constants.ts';

/** What map signatures need of the run's identities (the IdentityRegistry). */
export interface MapKeys {
  peerIdOf(num: PeerNum): Uint8Array;
  identityOf(num: PeerNum): Identity | undefined;
}

const TAG = new TextEncoder().encode('peermap/gm-event/1');
/** Bytes an origin signs per link event. */
export const MAP_EVENT_SIGNED_BYTES = TAG.length + PEER_ID_BYTES + PEER_ID_BYTES + 1 + 8;

/**
 * The bytes an origin signs for one of its link events: tag ‖ origin id ‖
 * peer id ‖ flags ‖ u64 timestamp. The TTL is left out: relays lower it.
 */
export function mapEventBytes(keys: MapKeys, origin: PeerNum, peer: PeerNum, flags: number, timestampUs: number, out?: Uint8Array): Uint8Array {
  const b = out ?? new Uint8Array(MAP_EVENT_SIGNED_BYTES);
  b.set(TAG, 0);
  b.set(keys.peerIdOf(origin), TAG.length);
  b.set(keys.peerIdOf(peer), TAG.length + PEER_ID_BYTES);
  let p = TAG.length + 2 * PEER_ID_BYTES;
  b[p++] = flags;
  const hi = Math.floor(timestampUs / 4294967296);
  const lo = timestampUs >>> 0;
  for (let i = 3; i >= 0; i--) b[p + 3 - i] = (hi >>> (i * 8)) & 0xff;
  for (let i = 3; i >= 0; i--) b[p + 7 - i] = (lo >>> (i * 8)) & 0xff;
  return b;
}

/** Register flags of a wire event. */
export function eventFlags(e: Pick<GmEvent, 'kind' | 'direction'>): number {
  return (e.kind === 1 ? F_CONNECT : 0) | (e.direction === 2 ? F_OUT : 0);
}

/**
 * Signs a wire event with `own` key, whatever origin it claims: what an
 * honest origin does for its own events, and what a forger can do for
 * someone else's (its event then fails verification at the first honest
 * relay, and that relay charges the forger).
 */
export function signMapEvent(signer: Signer, keys: MapKeys, own: Identity, e: GmEvent): GmEvent {
  const bytes = mapEventBytes(keys, e.origin, e.peer, eventFlags(e), e.timestampUs);
  return { ...e, publicKey: own.publicKey, signature: signer.sign(own.secretKey, bytes) };
}

interface BookEntry {
  flags: number;
  ts: number;
  sig: Uint8Array;
  verified: boolean;
}

/**
 * The map signatures of one simulation (security: signed). Honest origins
 * sign through it; it remembers each (origin, peer) pair's latest signature,
 * so a sync re-serves the very signature object a store verified (a store
 * keeps the signatures of the registers it holds; the simulation keeps one
 * copy for all stores), and a signature verified once is not verified again
 * for the same content: the result is a pure function of the bytes.
 */
export class MapAuth {
  private readonly buf = new Uint8Array(MAP_EVENT_SIGNED_BYTES);
  private readonly book = new Map<number, BookEntry>();
  /** Cryptographic verifications really performed (the rest were known results). */
  verifications = 0;

  constructor(
    readonly signer: Signer,
    readonly keys: MapKeys,
    readonly costs: CryptoCosts,
  ) {}

  publicKeyOf(origin: PeerNum): Uint8Array | undefined {
    return this.keys.identityOf(origin)?.publicKey;
  }

  /** `publicKey` is the key that names `origin` (the id is its SHA-256; the registry knows the pair). */
  keyMatches(origin: PeerNum, publicKey: Uint8Array | undefined): boolean {
    const pk = this.publicKeyOf(origin);
    if (pk === undefined || publicKey === undefined || publicKey.length !== pk.length) return false;
    if (pk === publicKey) return true;
    for (let i = 0; i < pk.length; i++) if (pk[i] !== publicKey[i]) return false;
    return true;
  }

  /** An origin signs one of its own events. */
  sign(own: Identity, peer: PeerNum, flags: number, ts: number): Uint8Array {
    const key = bookKey(own.num, peer);
    const e = this.book.get(key);
    if (e !== undefined && e.flags === flags && e.ts === ts) return e.sig;
    const sig = this.signer.sign(own.secretKey, mapEventBytes(this.keys, own.num, peer, flags, ts, this.buf));
    this.remember(key, { flags, ts, sig, verified: false });
    return sig;
  }

  /**
   * The origin's signature of a register a store holds. In signed mode a
   * store holds only verified registers, so such a signature exists; when
   * the book has moved on to a newer one, it is made again from the
   * origin's key (deterministic: the same bytes the store kept).
   */
  signatureFor(origin: PeerNum, peer: PeerNum, flags: number, ts: number): Uint8Array {
    const e = this.book.get(bookKey(origin, peer));
    if (e !== undefined && e.flags === flags && e.ts === ts) return e.sig;
    const id = this.keys.identityOf(origin);
    if (id === undefined) return new Uint8Array(SIGNATURE_BYTES); // a keyless id signs nothing: fails verification
    return this.signer.sign(id.secretKey, mapEventBytes(this.keys, origin, peer, flags, ts, this.buf));
  }

  /** Whether `sig` is the origin's signature of this event. */
  verify(sig: Uint8Array, origin: PeerNum, peer: PeerNum, flags: number, ts: number): boolean {
    const key = bookKey(origin, peer);
    const e = this.book.get(key);
    const same = e !== undefined && e.sig === sig && e.flags === flags && e.ts === ts;
    if (same && e.verified) return true;
    const pk = this.publicKeyOf(origin);
    if (pk === undefined || sig.length !== SIGNATURE_BYTES) return false;
    this.verifications++;
    const ok = this.signer.verify(sig, mapEventBytes(this.keys, origin, peer, flags, ts, this.buf), pk);
    if (ok && same) e.verified = true;
    return ok;
  }

  private remember(key: number, e: BookEntry): void {
    // A cache: forgetting costs a re-sign or a re-verify, never a wrong answer.
    if (this.book.size >= BOOK_ENTRIES_MAX && !this.book.has(key)) this.book.clear();
    this.book.set(key, e);
  }
}

/** (origin, peer) as one number: peer numbers are below 2^22 (MAX_IDENTITIES). */
function bookKey(origin: PeerNum, peer: PeerNum): number {
  return origin * 4_194_304 + peer;
}
