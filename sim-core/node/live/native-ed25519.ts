import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519Signer, type Signer } from '../../protocols/identity/signer.ts';

/**
 * Ed25519 through node:crypto (OpenSSL) for live runs. The protocols sign
 * with @noble/curves, pure JavaScript so it also runs in the browser: on
 * this machine ~670 µs a signature and ~1,350 µs a verification of CPU,
 * 10× the scenarios' modelled signUs/verifyUs (70/200), where OpenSSL takes
 * ~36/85 µs. A live run paying pure-JS prices measures the library, not what
 * a deployed peer pays. Ed25519 signatures are deterministic (RFC 8032), so
 * both produce the same bytes; verification differs only on crafted
 * non-canonical encodings (noble accepts ZIP-215 forms OpenSSL rejects),
 * which no honest peer sends.
 */

/** DER prefixes that wrap a raw 32-byte Ed25519 seed (PKCS#8) and public key (SPKI). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** Public keys kept imported (importing costs more than a verification); a hostile peer's fresh keys evict the oldest. */
export const MAX_CACHED_PUBLIC_KEYS = 4_096;

const privateKeys = new WeakMap<Uint8Array, KeyObject>();
const publicKeys = new Map<string, KeyObject>();

function privateKeyOf(sk: Uint8Array): KeyObject {
  let k = privateKeys.get(sk);
  if (!k) privateKeys.set(sk, (k = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, sk]), format: 'der', type: 'pkcs8' })));
  return k;
}

function publicKeyOf(pk: Uint8Array): KeyObject {
  const id = Buffer.from(pk).toString('hex');
  let k = publicKeys.get(id);
  if (!k) {
    k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pk]), format: 'der', type: 'spki' });
    if (publicKeys.size >= MAX_CACHED_PUBLIC_KEYS) publicKeys.delete(publicKeys.keys().next().value!);
    publicKeys.set(id, k);
  }
  return k;
}

/** Sign and verify as the protocols' Ed25519 signer does, in OpenSSL. Total: malformed input verifies false. */
export const nativeEd25519: Pick<Signer, 'sign' | 'verify'> = {
  sign: (sk, msg) => new Uint8Array(sign(null, msg, privateKeyOf(sk))),
  verify: (sig, msg, pk) => {
    if (sig.length !== 64 || pk.length !== 32) return false;
    try {
      return verify(null, msg, publicKeyOf(pk), sig);
    } catch {
      return false; // not a point on the curve: a failed verification, never a crash
    }
  },
};

/**
 * Routes the protocols' Ed25519 signer through OpenSSL until the returned
 * function is called (the driver holds that signer object, so its methods
 * are swapped, not the object). Key derivation stays in noble (once per peer).
 */
export function useNativeEd25519(): () => void {
  const target = ed25519Signer as { sign: Signer['sign']; verify: Signer['verify'] };
  const before = { sign: target.sign, verify: target.verify };
  target.sign = nativeEd25519.sign;
  target.verify = nativeEd25519.verify;
  return () => {
    target.sign = before.sign;
    target.verify = before.verify;
  };
}

/** CPU µs per operation (process CPU, so a busy machine inflates it less than wall time). */
export interface Ed25519Cost {
  opensslSignUs: number;
  opensslVerifyUs: number;
  nobleSignUs: number;
  nobleVerifyUs: number;
}

/** Measures both implementations on this machine: `n` signatures and verifications each (~0.2 s at n = 100). */
export function measureEd25519(n = 100): Ed25519Cost {
  const cpuUs = () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  const sk = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
  const pk = ed25519.getPublicKey(sk);
  const msg = Uint8Array.from({ length: 120 }, (_, i) => i);
  const per = (f: () => unknown) => {
    f(); // warm: key import, JIT
    const t = cpuUs();
    for (let i = 0; i < n; i++) f();
    return Math.round((cpuUs() - t) / n);
  };
  const sig = ed25519.sign(msg, sk);
  return {
    opensslSignUs: per(() => nativeEd25519.sign(sk, msg)),
    opensslVerifyUs: per(() => nativeEd25519.verify(sig, msg, pk)),
    nobleSignUs: per(() => ed25519.sign(msg, sk)),
    nobleVerifyUs: per(() => ed25519.verify(sig, msg, pk)),
  };
}
