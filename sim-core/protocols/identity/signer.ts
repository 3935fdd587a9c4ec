import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
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

/**
 * Not secure (anyone knowing the public key can sign): it only stands in for
 * Ed25519 when a scenario switches real signatures off. Honest and dishonest
 * behaviour is scripted in the simulator, so what matters is that a wrong
 * signature fails verification and that sizes match.
 */
export const modelSigner: Signer = {
  kind: 'model',
  publicKeyOf: (sk) => sha256(concatBytes(MODEL_PK_TAG, sk)),
  sign: (sk, msg) => sha512(concatBytes(modelSigner.publicKeyOf(sk), msg)),
  verify: (sig, msg, pk) => {
    if (sig.length !== 64 || pk.length !== 32) return false;
    const want = sha512(concatBytes(pk, msg));
    let diff = 0;
    for (let i = 0; i < 64; i++) diff |= want[i] ^ sig[i];
    return diff === 0;
  },
};

/** Modelled CPU cost of one operation, charged to the host's simulated CPU. */
export interface CryptoCosts {
  signUs: number;
  verifyUs: number;
}
