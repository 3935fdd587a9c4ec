import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../engine/rng.ts';
import { Handshake, type HandshakeStep } from '../handshake/handshake.ts';
import { MsgType, RejectCode, type Message } from '../../wire/messages.ts';
import { geometricTrials, leadingZeroBits, modelPow, realPow } from './pow.ts';
import { IdentityRegistry, type Identity } from './registry.ts';
import { ed25519Signer } from './signer.ts';

describe('proof-of-work identities', () => {
  it('leadingZeroBits counts bits across bytes', () => {
    expect(leadingZeroBits(Uint8Array.of(0x80))).toBe(0);
    expect(leadingZeroBits(Uint8Array.of(0x01))).toBe(7);
    expect(leadingZeroBits(Uint8Array.of(0, 0, 0x10, 0xff))).toBe(19);
    expect(leadingZeroBits(new Uint8Array(4))).toBe(32);
  });

  it('real SHA-256 grinding finds a proof that verifies at the difficulty, and the cost grows with it', () => {
    const streams = new RngStreams(5);
    const reg = new IdentityRegistry(ed25519Signer, { scheme: realPow, difficulty: 10 });
    let hashes = 0;
    for (let i = 0; i < 8; i++) {
      const id = reg.mint(streams.stream(`key/${i}`), streams.stream(`pow/${i}`));
      expect(id.pow).toBeDefined();
      expect(realPow.work(id.peerId, id.pow!.nonce)).toBeGreaterThanOrEqual(10);
      expect(reg.powWork(id.publicKey, id.pow!.nonce)).toBeGreaterThanOrEqual(10);
      hashes += id.pow!.hashes;
    }
    // Expected 2^10 hashes per identity; 8 identities: well above 2^6 each on average.
    expect(hashes / 8).toBeGreaterThan(64);
    // Another peer id does not inherit the proof (with overwhelming probability).
    const other = reg.mint(streams.stream('other'));
    expect(other.pow).toBeUndefined();
  });

  it('the model scheme accepts its own claim and nothing forged or reused', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1e6 }), (peerId, d, seed) => {
        const proof = modelPow.solve(peerId, d, new RngStreams(seed).stream('pow'));
        expect(modelPow.work(peerId, proof.nonce)).toBe(d);
        const other = peerId.slice();
        other[0] ^= 1;
        expect(modelPow.work(other, proof.nonce)).toBeLessThan(d); // bound to the peer id
        expect(modelPow.work(peerId, proof.nonce + 1)).toBe(0);
      }),
    );
  });

  it('modelled grinding takes 2^difficulty hashes on average (geometric)', () => {
    const rng = new RngStreams(3).stream('g');
    const n = 20_000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += geometricTrials(8, rng);
    expect(sum / n).toBeGreaterThan(256 * 0.95);
    expect(sum / n).toBeLessThan(256 * 1.05);
    expect(geometricTrials(0, rng)).toBe(1);
  });
});

describe('handshake with a proof-of-work requirement (real Ed25519 + SHA-256)', () => {
  const streams = new RngStreams(11);
  const reg = new IdentityRegistry(ed25519Signer, { scheme: realPow, difficulty: 8 });
  const paid = reg.mint(streams.stream('paid/key'), streams.stream('paid/pow'));
  const paid2 = reg.mint(streams.stream('paid2/key'), streams.stream('paid2/pow'));
  const unpaid = reg.mint(streams.stream('unpaid/key'));

  const side = (identity: Identity, nonce: number, required: number) =>
    new Handshake(
      {
        identity,
        signer: ed25519Signer,
        signUs: 70,
        verifyUs: 200,
        listen: { host: identity.num, port: 0 },
        startHeight: 0,
        isOwnNonce: () => false,
        peerOf: (pk) => reg.numOfPublicKey(pk),
        powRequired: required,
        powWork: (pk, n) => reg.powWork(pk, n),
        powVerifyUs: 1,
      },
      { protocolVersion: 1, minProtocolVersion: 1, services: 0, userAgent: '/t/' },
      nonce,
    );

  function run(a: Handshake, b: Handshake): { a?: HandshakeStep['done']; b?: HandshakeStep['done']; rejects: Message[] } {
    const out: { a?: HandshakeStep['done']; b?: HandshakeStep['done']; rejects: Message[] } = { rejects: [] };
    let toA: Message[] = [b.start(0)];
    let toB: Message[] = [a.start(0)];
    for (let round = 0; round < 6 && (toA.length || toB.length); round++) {
      const nextA: Message[] = [];
      const nextB: Message[] = [];
      for (const m of toB) if (!out.b) { const s = b.onMessage(m); nextA.push(...s.send); out.b ??= s.done; }
      for (const m of toA) if (!out.a) { const s = a.onMessage(m); nextB.push(...s.send); out.a ??= s.done; }
      out.rejects.push(...nextA, ...nextB);
      toA = nextA;
      toB = nextB;
    }
    out.rejects = out.rejects.filter((m) => m.type === MsgType.Reject);
    return out;
  }

  it('two identities that paid establish; the version carries the nonce', () => {
    const a = side(paid, 1, 8);
    expect(a.start(0).powNonce).toBe(paid.pow!.nonce);
    const r = run(a, side(paid2, 2, 8));
    expect(r.a).toMatchObject({ ok: true });
    expect(r.b).toMatchObject({ ok: true });
  });

  it('an identity without work is refused with InsufficientWork before any signature', () => {
    const honest = side(paid, 3, 8);
    const r = run(honest, side(unpaid, 4, 8));
    expect(r.a).toEqual({ ok: false, failure: 'insufficient-work' });
    expect(r.rejects.some((m) => m.type === MsgType.Reject && m.code === RejectCode.InsufficientWork)).toBe(true);
  });

  it('a proof below the required difficulty is refused; no requirement accepts it', () => {
    const weak = reg.mint(streams.stream('weak/key'));
    const low = { ...weak, pow: { nonce: 0, hashes: 1 } };
    // Nonce 0 proves whatever bits it happens to give; require more than that.
    const bits = realPow.work(weak.peerId, 0);
    expect(run(side(paid, 5, bits + 1), side(low, 6, 0)).a).toEqual({ ok: false, failure: 'insufficient-work' });
    expect(run(side(paid, 7, 0), side(low, 8, 0)).a).toMatchObject({ ok: true });
  });
});
