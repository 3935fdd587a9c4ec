import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';

/**
 * Signatures for the handshake. Two implementations with the same shapes
 * (32-byte keys, 64-byte signatures): real Ed25519 (@noble/curves, works in
 * Node and browsers), and a cheap model for large runs where the CPU cost is
 * charged as simulated time instead of spent as wall time.
 */
export interface Signer {
  readonly kind: 'ed25519' | 'model';
  publicKeyOf(secretKey: Uint8Array): Uint8Array;
  sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array;
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

export const ed25519Signer: Signer = {
  kind: 'ed25519',
  publicKeyOf: (sk) => ed25519.getPublicKey(sk),
  sign: (sk, msg) => ed25519.sign(msg, sk),
  verify: (sig, msg, pk) => {
    try {
      return ed25519.verify(sig, msg, pk);
    } catch {
      return false; // malformed key or signature bytes: a failed verification, never a crash
    }
  },
};

const MODEL_PK_TAG = new TextEncoder().encode('peermap/model-pk/');
/** Public key per secret key (the model derives it with one SHA-256, then remembers it). */
const modelPublicKeys = new WeakMap<Uint8Array, Uint8Array>();

function modelPublicKey(sk: Uint8Array): Uint8Array {
  let pk = modelPublicKeys.get(sk);
  if (!pk) modelPublicKeys.set(sk, (pk = sha256(concatBytes(MODEL_PK_TAG, sk))));
  return pk;
}

/**
 * A 64-byte tag over (public key ‖ message) from sixteen 32-bit multiply-xor
 * lanes fed a 32-bit word at a time: a non-cryptographic stand-in that costs
 * a fraction of a microsecond where SHA-512 costs tens, since large runs
 * perform hundreds of thousands of handshakes.
 */
function modelTag(pk: Uint8Array, msg: Uint8Array, h: Int32Array): void {
  for (let i = 0; i < 16; i++) h[i] = Math.imul(i + 1, 0x9e3779b1);
  feed(h, pk);
  feed(h, msg);
  for (let r = 0; r < 2; r++) for (let i = 0; i < 16; i++) h[i] = Math.imul(h[i] ^ (h[(i + 5) & 15] >>> 13), 0x85ebca6b) ^ msg.length;
}

/** Little-endian words into lanes 0, 1, …, 15, 0, …; the last 1–3 bytes one per lane. */
function feed(h: Int32Array, b: Uint8Array): void {
  const words = b.length & ~3;
  let lane = 0;
  for (let i = 0; i < words; i += 4) {
    const w = b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
    h[lane] = Math.imul(h[lane] ^ w, 0x01000193) ^ (h[(lane + 1) & 15] >>> 7);
    lane = (lane + 1) & 15;
  }
  for (let i = words; i < b.length; i++) {
    h[lane] = Math.imul(h[lane] ^ b[i], 0x01000193) ^ (h[(lane + 1) & 15] >>> 7);
    lane = (lane + 1) & 15;
  }
}

/** The tag of the sign or verify in progress (both are synchronous), as lanes and as bytes. */
const tagLanes = new Int32Array(16);
const tagBytes = new Uint8Array(tagLanes.buffer);

/**
 * Not secure (anyone knowing the public key can sign): it only stands in for
 * Ed25519 when a scenario switches real signatures off. Honest and dishonest
 * behaviour is scripted in the simulator, so what matters is that a wrong
 * signature fails verification, that sizes match, and that the CPU cost is
 * charged as simulated time (the scenario's signUs / verifyUs).
 */
export const modelSigner: Signer = {
  kind: 'model',
  publicKeyOf: (sk) => modelPublicKey(sk),
  sign: (sk, msg) => {
    modelTag(modelPublicKey(sk), msg, tagLanes);
    // A copy of the scratch bytes: a fresh Int32Array's .buffer would move it out of V8's heap at each signature.
    return tagBytes.slice();
  },
  verify: (sig, msg, pk) => {
    if (sig.length !== 64 || pk.length !== 32) return false;
    modelTag(pk, msg, tagLanes);
    let diff = 0;
    for (let i = 0; i < 64; i++) diff |= tagBytes[i] ^ sig[i];
    return diff === 0;
  },
};

/** Modelled CPU cost of one operation, charged to the host's simulated CPU. */
export interface CryptoCosts {
  signUs: number;
  verifyUs: number;
}
