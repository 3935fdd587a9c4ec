import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed25519Signer } from '../../protocols/identity/signer.ts';
import { nativeEd25519, useNativeEd25519 } from './native-ed25519.ts';

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 17 + 7) & 255);

describe('live: Ed25519 through node:crypto', () => {
  it('signs the same bytes as the protocols\' noble signer, and each verifies the other', () => {
    for (let k = 0; k < 8; k++) {
      const sk = bytes(32, k);
      const pk = ed25519.getPublicKey(sk);
      const msg = bytes(10 + k * 40, k + 100);
      const sig = nativeEd25519.sign(sk, msg);
      expect(Buffer.from(sig).toString('hex')).toBe(Buffer.from(ed25519.sign(msg, sk)).toString('hex'));
      expect(nativeEd25519.verify(ed25519.sign(msg, sk), msg, pk)).toBe(true);
      expect(ed25519.verify(sig, msg, pk)).toBe(true);
    }
  });

  it('is total: a wrong message, key or signature, or malformed bytes verify false, never throw', () => {
    const sk = bytes(32, 1);
    const pk = ed25519.getPublicKey(sk);
    const msg = bytes(64, 2);
    const sig = nativeEd25519.sign(sk, msg);
    const flipped = Uint8Array.from(sig, (x, i) => (i === 5 ? x ^ 1 : x));
    expect(nativeEd25519.verify(flipped, msg, pk)).toBe(false);
    expect(nativeEd25519.verify(sig, bytes(64, 3), pk)).toBe(false);
    expect(nativeEd25519.verify(sig, msg, ed25519.getPublicKey(bytes(32, 9)))).toBe(false);
    expect(nativeEd25519.verify(sig.slice(1), msg, pk)).toBe(false);
    expect(nativeEd25519.verify(sig, msg, pk.slice(2))).toBe(false);
    expect(nativeEd25519.verify(new Uint8Array(64).fill(255), msg, new Uint8Array(32).fill(255))).toBe(false);
  });

  it('is installed into the protocols\' signer only until restored', () => {
    const before = ed25519Signer.verify;
    const restore = useNativeEd25519();
    expect(ed25519Signer.verify).toBe(nativeEd25519.verify);
    restore();
    expect(ed25519Signer.verify).toBe(before);
  });
});
