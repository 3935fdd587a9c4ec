import { describe, expect, it } from 'vitest';
import { MsgType, type VersionMsg } from '../../wire/messages.ts';
import { boundTranscript, transcript } from './handshake.ts';

/**
 * The transcripts are what both ends sign and verify, so their bytes are a
 * wire contract: a peer built from another implementation must produce the
 * same ones. The reference below spells out the documented layout with a
 * DataView and BigInts (how the encoder was first written); the encoder must
 * agree with it byte for byte, hostile field values included.
 */
const u64 = (x: number): bigint => (Number.isSafeInteger(x) && x >= 0 ? BigInt(x) : 0n);

function refVersion(v: VersionMsg): Uint8Array {
  const ua = new TextEncoder().encode(v.userAgent);
  const out = new Uint8Array(34 + v.publicKey.length + 2 + ua.length + 9);
  const d = new DataView(out.buffer);
  d.setUint16(0, v.protocolVersion & 0xffff);
  d.setUint32(2, v.services >>> 0);
  d.setBigUint64(6, u64(v.timestampUs));
  d.setBigUint64(14, u64(v.nonce));
  d.setUint32(22, v.startHeight >>> 0);
  d.setUint32(26, v.listen.host >>> 0);
  d.setUint16(30, v.listen.port & 0xffff);
  d.setUint16(32, v.publicKey.length & 0xffff);
  out.set(v.publicKey, 34);
  let p = 34 + v.publicKey.length;
  d.setUint16(p, ua.length);
  out.set(ua, (p += 2));
  p += ua.length;
  out[p] = v.powNonce === undefined ? 0 : 1;
  if (v.powNonce !== undefined) d.setBigUint64(p + 1, u64(v.powNonce));
  return out;
}

function refBound(verifier: VersionMsg, signer: VersionMsg, verifierAddress: number, signerAddress: number): Uint8Array {
  const tag = new TextEncoder().encode('peermap/handshake/bound/v2');
  const a = refVersion(verifier);
  const b = refVersion(signer);
  const out = new Uint8Array(tag.length + 8 + a.length + b.length + 8);
  const d = new DataView(out.buffer);
  out.set(tag, 0);
  let p = tag.length;
  d.setUint32(p, a.length);
  out.set(a, (p += 4));
  d.setUint32((p += a.length), b.length);
  out.set(b, (p += 4));
  d.setUint32((p += b.length), verifierAddress >>> 0);
  d.setUint32(p + 4, signerAddress >>> 0);
  return out;
}

function version(over: Partial<VersionMsg> = {}): VersionMsg {
  return {
    type: MsgType.Version,
    protocolVersion: 3,
    services: 5,
    timestampUs: 1_234_567_890_123,
    nonce: 2 ** 52 + 12_345,
    startHeight: 77,
    listen: { host: 0x0a000001, port: 8333 },
    publicKey: Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff),
    userAgent: '/peermap:1.0/',
    ...over,
  };
}

describe('handshake transcripts: the documented byte layout', () => {
  const cases: [string, VersionMsg][] = [
    ['plain', version()],
    ['with a proof-of-work nonce', version({ powNonce: 2 ** 53 - 1 })],
    ['largest u53 and u32 values', version({ timestampUs: 2 ** 53 - 1, nonce: 0, services: 0xffffffff, startHeight: 0xffffffff })],
    ['a non-ASCII user agent', version({ userAgent: '/pëermap:ü/🚀' })],
    ['hostile numbers (negative, fractional, past u53, NaN)', version({ timestampUs: -5, nonce: 2 ** 60, startHeight: -1, services: 1.5, powNonce: NaN })],
    ['out-of-range u16 fields and a short key', version({ protocolVersion: 70_000, listen: { host: 0xffffffff, port: 65_536 + 9 }, publicKey: new Uint8Array(3) })],
  ];

  for (const [name, v] of cases) {
    it(`bound transcript, ${name}`, () => {
      const other = version({ nonce: 99, userAgent: '/other/' });
      expect(boundTranscript(v, other, 0x7f000001, 0xc0a80001)).toEqual(refBound(v, other, 0x7f000001, 0xc0a80001));
      expect(boundTranscript(other, v, -1, 2 ** 32 + 3)).toEqual(refBound(other, v, -1, 2 ** 32 + 3));
    });
  }

  it('seed transcript: tag and both nonces as u64, out-of-range nonces as 0', () => {
    for (const [a, b] of [
      [1, 2],
      [2 ** 53 - 1, 2 ** 32],
      [-1, 0.5],
    ]) {
      const tag = new TextEncoder().encode('peermap/handshake/v1');
      const want = new Uint8Array(tag.length + 16);
      want.set(tag);
      new DataView(want.buffer).setBigUint64(tag.length, u64(a));
      new DataView(want.buffer).setBigUint64(tag.length + 8, u64(b));
      expect(transcript(a, b)).toEqual(want);
    }
  });
});
