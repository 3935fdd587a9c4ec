import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ed25519Signer, modelSigner } from './signer.ts';

describe('signers', () => {
  for (const signer of [modelSigner, ed25519Signer]) {
    it(`${signer.kind}: a signature verifies under its key only, and over its message only`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 64 }), (sk1, sk2, msg) => {
          fc.pre(sk1.some((b, i) => b !== sk2[i]));
          const sig = signer.sign(sk1, msg);
          expect(sig).toHaveLength(64);
          expect(signer.verify(sig, msg, signer.publicKeyOf(sk1))).toBe(true);
          expect(signer.verify(sig, msg, signer.publicKeyOf(sk2))).toBe(false);
          const other = new Uint8Array([...msg, 1]);
          expect(signer.verify(sig, other, signer.publicKeyOf(sk1))).toBe(false);
          const bent = sig.slice();
          bent[0] ^= 1;
          expect(signer.verify(bent, msg, signer.publicKeyOf(sk1))).toBe(false);
        }),
        { numRuns: signer.kind === 'model' ? 300 : 15 },
      );
    });
  }
});
