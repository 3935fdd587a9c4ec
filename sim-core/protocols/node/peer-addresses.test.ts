import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PeerAddresses } from './peer-addresses.ts';

/** The reference: an insertion-ordered Map, the oldest-noted peer evicted past the capacity. */
class MapModel {
  readonly m = new Map<number, number>();
  constructor(private readonly capacity: number) {}
  note(peer: number, address: number): void {
    if (!this.m.has(peer) && this.m.size >= this.capacity) this.m.delete(this.m.keys().next().value as number);
    this.m.set(peer, address);
  }
}

describe('PeerAddresses', () => {
  it('holds what an insertion-ordered Map with oldest-first eviction holds, through turnover and clustered keys', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 40 }),
        // Small peer ranges collide in the index and churn the book; a few huge numbers too.
        fc.array(fc.tuple(fc.oneof({ weight: 9, arbitrary: fc.nat(80) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x7fffffff }) }), fc.oneof(fc.nat(1 << 16), fc.integer({ min: 0, max: 0xffffffff }))), {
          minLength: 200,
          maxLength: 800,
        }),
        (capacity, notes) => {
          const a = new PeerAddresses(capacity);
          const model = new MapModel(capacity);
          const among = new Uint8Array(81).fill(1);
          for (let n = 0; n < notes.length; n++) {
            const [peer, address] = notes[n];
            a.note(peer, address);
            model.note(peer, address);
            if (n % 25 === 0) for (const [p, addr] of model.m) expect(a.get(p)).toBe(addr);
          }
          for (let p = 0; p <= 80; p++) expect(a.get(p)).toBe(model.m.get(p));
          for (const [p, addr] of model.m) expect(a.get(p)).toBe(addr);
          let known = 0;
          for (const p of model.m.keys()) if (p <= 80) known++;
          expect(a.countAmong(among, new Map())).toBe(known);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('hearsay never replaces a proven address until a dial to it failed; a proven note always does (model check)', () => {
    type Op = [peer: number, address: number, how: 'hearsay' | 'proven' | 'unprove'];
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 24 }),
        fc.array(fc.tuple(fc.nat(40), fc.nat(6), fc.constantFrom<Op[2]>('hearsay', 'hearsay', 'proven', 'unprove')), { minLength: 100, maxLength: 500 }),
        (capacity, ops) => {
          const a = new PeerAddresses(capacity);
          const model = new Map<number, { address: number; proven: boolean }>();
          for (const [peer, address, how] of ops) {
            const had = model.get(peer);
            if (how === 'unprove') {
              a.unprove(peer, address);
              if (had && had.address === address) had.proven = false;
              continue;
            }
            a.note(peer, address, how === 'proven');
            if (had) {
              if (!had.proven || how === 'proven') model.set(peer, { address, proven: how === 'proven' });
              continue;
            }
            if (model.size >= capacity) model.delete(model.keys().next().value as number);
            model.set(peer, { address, proven: how === 'proven' });
          }
          for (let p = 0; p <= 40; p++) {
            expect(a.get(p)).toBe(model.get(p)?.address);
            expect(a.isProven(p)).toBe(model.get(p)?.proven ?? false);
          }
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });

  it('ignores numbers that name no peer', () => {
    const a = new PeerAddresses(16);
    for (const bad of [-1, 1.5, NaN, 2 ** 31]) a.note(bad, 9);
    expect(a.countAmong(new Uint8Array(4).fill(1), new Map())).toBe(0);
    expect(a.get(-1)).toBeUndefined();
  });

  it('keeps only u32 addresses (the wire\'s): another number leaves the peer\'s last address', () => {
    const a = new PeerAddresses(16);
    a.note(3, 0xffffffff);
    for (const bad of [-1, 2 ** 32, 0.5, NaN]) a.note(3, bad);
    expect(a.get(3)).toBe(0xffffffff);
    a.note(4, -7);
    expect(a.get(4)).toBeUndefined();
  });
});
