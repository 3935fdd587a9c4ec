import { sha256 } from '@noble/hashes/sha2.js';
import type { Rng } from '../../engine/rng.ts';
import { PEER_ID_BYTES } from '../../wire/constants.ts';
import { detLog, detLog1p } from '../../engine/det-math.ts';

/**
 * Proof-of-work identities (G5, anti-Sybil): an identity counts only with a
 * nonce such that SHA-256(peer id ‖ u64 nonce) starts with `difficulty` zero
 * bits, so each identity costs about 2^difficulty hashes to make and one to
 * check. The proof travels as the version message's optional `powNonce`.
 *
 * Two schemes with the same interface, like the signers: `realPow` grinds
 * real SHA-256 (tests, small difficulties); `modelPow` draws the number of
 * hashes an honest grind would take (geometric, p = 2^-difficulty) and
 * encodes the difficulty reached with a cheap tag, so large runs pay the
 * cost in simulated time, not wall time. Either way the peer's start is
 * delayed by hashes × hashUs (the identity exists before the node joins).
 */
export interface PowScheme {
  readonly kind: 'real' | 'model';
  /** Finds a proof of at least `difficulty` bits; `hashes` is the work it took. */
  solve(peerId: Uint8Array, difficulty: number, rng: Rng): PowProof;
  /** Leading zero bits the nonce proves for this peer id (0 if it proves nothing). */
  work(peerId: Uint8Array, nonce: number): number;
}

export interface PowProof {
  nonce: number;
  hashes: number;
}

/** The identity settings of a run: required difficulty and modelled cost of one hash. */
export interface PowConfig {
  difficulty: number;
  hashUs: number;
}

/** Bound on a real grind (2^26 hashes, ~1 min): real mode is for tests and small difficulties. */
export const MAX_REAL_POW_HASHES = 2 ** 26;
/** Highest difficulty the schema accepts in real mode (expected 2^20 hashes per identity). */
export const MAX_REAL_POW_DIFFICULTY = 20;
/** Highest difficulty in model mode (the encoding keeps it below 2^21 × 2^32). */
export const MAX_MODEL_POW_DIFFICULTY = 64;

const U32 = 0x1_0000_0000;

/** Leading zero bits of a byte string. */
export function leadingZeroBits(b: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(b[i]) - 24;
  }
  return n;
}

function powInput(peerId: Uint8Array, nonce: number): Uint8Array {
  const buf = new Uint8Array(PEER_ID_BYTES + 8);
  buf.set(peerId.subarray(0, PEER_ID_BYTES));
  const v = new DataView(buf.buffer);
  v.setUint32(PEER_ID_BYTES, Math.floor(nonce / U32));
  v.setUint32(PEER_ID_BYTES + 4, nonce >>> 0);
  return buf;
}

export const realPow: PowScheme = {
  kind: 'real',
  solve(peerId, difficulty, rng) {
    // A random 32-bit start, so identities do not all grind the same nonces.
    const start = rng.uint32();
    for (let i = 0; i < MAX_REAL_POW_HASHES; i++) {
      const nonce = start + i;
      if (leadingZeroBits(sha256(powInput(peerId, nonce))) >= difficulty) return { nonce, hashes: i + 1 };
    }
    throw new RangeError(`no proof of ${difficulty} bits within ${MAX_REAL_POW_HASHES} hashes`);
  },
  work: (peerId, nonce) => (Number.isSafeInteger(nonce) && nonce >= 0 ? leadingZeroBits(sha256(powInput(peerId, nonce))) : 0),
};

/** A 32-bit tag of (peer id, difficulty): the model's stand-in for a hash below the target. */
function modelTag(peerId: Uint8Array, difficulty: number): number {
  let h = Math.imul(difficulty + 1, 0x9e3779b1);
  for (let i = 0; i < PEER_ID_BYTES; i++) h = Math.imul(h ^ (peerId[i] ?? 0), 0x01000193);
  h ^= h >>> 15;
  return Math.imul(h, 0x85ebca6b) >>> 0;
}

/**
 * Not secure (anyone can compute the tag): honest and dishonest behaviour is
 * scripted in the simulator; what matters is that a proof claims a
 * difficulty, that a claim below the requirement fails, and that the grind
 * costs the simulated time an honest one would.
 */
export const modelPow: PowScheme = {
  kind: 'model',
  solve(peerId, difficulty, rng) {
    return { nonce: difficulty * U32 + modelTag(peerId, difficulty), hashes: geometricTrials(difficulty, rng) };
  },
  work(peerId, nonce) {
    if (!Number.isSafeInteger(nonce) || nonce < 0) return 0;
    const claimed = Math.floor(nonce / U32);
    return claimed <= MAX_MODEL_POW_DIFFICULTY && nonce % U32 === modelTag(peerId, claimed) ? claimed : 0;
  },
};

/** Hashes until the first success with p = 2^-difficulty (≥ 1): the length of an honest grind. */
export function geometricTrials(difficulty: number, rng: Rng): number {
  if (difficulty <= 0) return 1;
  const p = 2 ** -difficulty;
  const u = rng.next();
  // log1p(-p) keeps precision for tiny p; 1 - u is in (0, 1].
  return Math.max(1, Math.ceil(detLog(1 - u) / detLog1p(-p)));
}
