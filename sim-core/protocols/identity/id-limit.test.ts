import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../engine/rng.ts';
import { encodeFrame } from '../../wire/codec.ts';
import { FrameDecoder } from '../../wire/framing.ts';
import { checkCase, makeCase } from '../../wire/fuzz.ts';
import { MsgType, type Message } from '../../wire/messages.ts';
import { numericIdCodec } from '../../wire/ids.ts';
import { IdentityRegistry } from './registry.ts';
import { modelSigner } from './signer.ts';

/** An addr frame naming `n` peer ids that no identity owns (numeric ids from `from` on, as 32 raw bytes). */
function addrFrame(from: number, n: number): Uint8Array {
  const msg: Message = {
    type: MsgType.Addr,
    entries: Array.from({ length: n }, (_, i) => ({ peer: from + i + 1, address: { host: i, port: 0 }, lastSeenS: 0 })),
  };
  return encodeFrame(msg, numericIdCodec);
}

describe('interning unknown peer ids is bounded and never throws', () => {
  it('past the bound a frame naming a new id is dropped, the stream goes on, and the table stops growing', () => {
    const registry = new IdentityRegistry(modelSigner, undefined, 100);
    const minted = registry.mint(new RngStreams(1).stream('me'));
    const dec = new FrameDecoder(registry);
    let messages = 0;
    let dropped = 0;
    for (let f = 0; f < 300; f++) {
      const r = dec.push(addrFrame(f * 10, 1));
      expect(r.error).toBeUndefined();
      messages += r.messages.length;
      dropped += r.dropped.length;
    }
    expect(messages).toBe(100);
    expect(dropped).toBe(200);
    expect(registry.foreignIds).toBe(100);
    expect(registry.size).toBe(101); // the minted identity and the bound
    // Known ids still decode once the table is full; minting still works.
    const again = dec.push(addrFrame(0, 1));
    expect(again.messages).toHaveLength(1);
    expect(registry.mint(new RngStreams(2).stream('other')).num).toBe(101);
    expect(registry.identityOf(minted.num)).toBe(minted);
    // A handshake key seen when the table is full: no number, no exception.
    expect(registry.tryNumOfPublicKey(new Uint8Array(32).fill(7))).toBeUndefined();
  });

  it('a frame with several ids, the bound reached in the middle: the whole frame is dropped, later frames decode', () => {
    const registry = new IdentityRegistry(modelSigner, undefined, 5);
    const dec = new FrameDecoder(registry);
    const bytes = new Uint8Array([...addrFrame(0, 3), ...addrFrame(100, 3), ...addrFrame(0, 2)]);
    const r = dec.push(bytes);
    expect(r.error).toBeUndefined();
    expect(r.messages).toHaveLength(2);
    expect(r.dropped).toEqual([addrFrame(0, 3).length]);
    expect(registry.foreignIds).toBe(5); // the dropped frame's first two ids were interned before the third failed
  });

  it('the seeded wire fuzzer with the production codec (bounds 0–64 and the default): 20,000 cases, 0 failures', () => {
    const rand = seedrandom.alea('peermap/id-limit-fuzz');
    const failures: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const c = makeCase(rand);
      const bound = rand() < 0.5 ? Math.floor(rand() * 65) : 1 << 16;
      const f = checkCase(c, () => new IdentityRegistry(modelSigner, undefined, bound));
      if (f !== null && failures.length < 5) failures.push(`case ${i} (${c.mode}, bound ${bound}): ${f}`);
    }
    expect(failures).toEqual([]);
  });
});
