import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../engine/rng.ts';
import type { Message, VersionMsg } from '../../wire/messages.ts';
import { IdentityRegistry, type Identity } from '../identity/registry.ts';
import { ed25519Signer } from '../identity/signer.ts';
import { Handshake, type HandshakeConfig, type HandshakeStep, type HandshakeTranscript } from './handshake.ts';

/**
 * The relay attack on the handshake, driven on the sans-IO objects: V
 * (address 1) dials the attacker A (address 3), who dials the honest H
 * (address 2) and forwards every message both ways unchanged. Each side's
 * handshake knows the connection it sits on: V's is (V, A), H's is (H, A).
 */
const rng = new RngStreams(7);
const registry = new IdentityRegistry(ed25519Signer); // real Ed25519
const victim = registry.mint(rng.stream('victim'));
const honest = registry.mint(rng.stream('honest'));
const V = 1;
const H = 2;
const A = 3;

function side(identity: Identity, nonce: number, local: number, remote: number, transcript: HandshakeTranscript): Handshake {
  const cfg: HandshakeConfig = { protocolVersion: 1, minProtocolVersion: 1, services: 0, userAgent: '/t/', transcript };
  return new Handshake(
    {
      identity,
      signer: registry.signer,
      signUs: 0,
      verifyUs: 0,
      listen: { host: local, port: 0 },
      startHeight: 0,
      isOwnNonce: () => false,
      peerOf: (pk) => registry.numOfPublicKey(pk),
      local,
      remote,
    },
    cfg,
    nonce,
  );
}

/** Two handshakes exchanging messages through a pipe that may forward them unchanged (a relay) until both finish. */
function run(a: Handshake, b: Handshake): { a?: HandshakeStep['done']; b?: HandshakeStep['done'] } {
  const out: { a?: HandshakeStep['done']; b?: HandshakeStep['done'] } = {};
  let toA: Message[] = [b.start(0)];
  let toB: Message[] = [a.start(0)];
  for (let round = 0; round < 6 && (toA.length > 0 || toB.length > 0); round++) {
    const nextA: Message[] = [];
    const nextB: Message[] = [];
    for (const m of toB) {
      if (out.b) break;
      const s = b.onMessage(m);
      nextA.push(...s.send);
      if (s.done) out.b = s.done;
    }
    for (const m of toA) {
      if (out.a) break;
      const s = a.onMessage(m);
      nextB.push(...s.send);
      if (s.done) out.a = s.done;
    }
    toA = nextA;
    toB = nextB;
  }
  return out;
}

describe('handshake relayed by a man in the middle (real Ed25519)', () => {
  it('seed transcript: the victim accepts the relay as the honest peer', () => {
    // V's end is on (V ↔ A), H's end on (H ↔ A): A just forwards.
    const r = run(side(victim, 11, V, A, 'seed'), side(honest, 22, H, A, 'seed'));
    expect(r.a).toMatchObject({ ok: true, remote: honest.num });
  });

  it('bound transcript: the relayed verack fails at the victim, and at the honest end too', () => {
    const r = run(side(victim, 11, V, A, 'bound'), side(honest, 22, H, A, 'bound'));
    expect(r.a).toEqual({ ok: false, failure: 'bad-signature' });
    expect(r.b).toEqual({ ok: false, failure: 'bad-signature' });
  });

  it('bound transcript: a direct connection succeeds both ways', () => {
    const r = run(side(victim, 11, V, H, 'bound'), side(honest, 22, H, V, 'bound'));
    expect(r.a).toMatchObject({ ok: true, remote: honest.num });
    expect(r.b).toMatchObject({ ok: true, remote: victim.num });
  });

  it('bound transcript: a version field rewritten in flight (listen address) breaks the signature', () => {
    const v = side(victim, 11, V, H, 'bound');
    const h = side(honest, 22, H, V, 'bound');
    const hv = h.start(0);
    const vv = v.start(0);
    const verackFromH = h.onMessage(vv).send[0];
    const tampered: VersionMsg = { ...hv, listen: { host: A, port: 0 } };
    v.onMessage(tampered);
    expect(v.onMessage(verackFromH).done).toEqual({ ok: false, failure: 'bad-signature' });
  });

  it('bound transcript: a hostile version with out-of-range numbers fails verification instead of throwing', () => {
    const v = side(victim, 11, V, H, 'bound');
    const h = side(honest, 22, H, V, 'bound');
    v.start(0);
    const hostile = { ...h.start(0), nonce: 2 ** 60, timestampUs: -1.5, powNonce: Number.NaN } as VersionMsg;
    const step = v.onMessage(hostile);
    expect(step.done).toBeUndefined();
    expect(step.send).toHaveLength(1);
  });
});
