import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/rng.ts';
import {
  SAME_ID,
  KadIdTable,
  bucketIndex,
  compareDistance,
  kadIdFromPeerId,
  kadIdToBigInt,
  kadIdToHex,
  newKadId,
  randomIdInBucketAt,
  randomKadId,
  writeKadIdBytes,
} from './ids.ts';
import { ID_MASK, kadIdFromBigInt, refBucket } from './test-support.ts';

const id160 = fc.bigInt({ min: 0n, max: ID_MASK });
/** Pairs sharing a random-length prefix, so every bucket depth (and equality) gets exercised. */
const idPair = fc
  .tuple(id160, id160, fc.integer({ min: 0, max: 160 }))
  .map(([a, m, shift]) => [a, a ^ (m >> BigInt(shift))] as const);

describe('kademlia ids', () => {
  it('bucketIndex = floor(log2(a XOR b)) against a BigInt reference', () => {
    fc.assert(
      fc.property(idPair, ([a, b]) => {
        expect(bucketIndex(kadIdFromBigInt(a), kadIdFromBigInt(b))).toBe(refBucket(a, b));
      }),
      { numRuns: 2000 },
    );
    const x = kadIdFromBigInt(123n);
    expect(bucketIndex(x, x)).toBe(SAME_ID);
    expect(bucketIndex(kadIdFromBigInt(0n), kadIdFromBigInt(1n))).toBe(0);
    expect(bucketIndex(kadIdFromBigInt(0n), kadIdFromBigInt(1n << 159n))).toBe(159);
  });

  it('compareDistance matches BigInt XOR ordering', () => {
    fc.assert(
      fc.property(idPair, id160, ([a, b], t) => {
        const expected = (a ^ t) < (b ^ t) ? -1 : (a ^ t) > (b ^ t) ? 1 : 0;
        expect(compareDistance(kadIdFromBigInt(a), kadIdFromBigInt(b), kadIdFromBigInt(t))).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('randomIdInBucket lands in the requested bucket', () => {
    fc.assert(
      fc.property(id160, fc.integer({ min: 0, max: 159 }), fc.integer(), (s, bucket, seed) => {
        const self = kadIdFromBigInt(s);
        const out = newKadId();
        randomIdInBucketAt(self, 0, bucket, new Rng(`t/${seed}`), out);
        expect(refBucket(s, kadIdToBigInt(out))).toBe(bucket);
      }),
      { numRuns: 2000 },
    );
    expect(() => randomIdInBucketAt(newKadId(), 0, 160, new Rng('x'), newKadId())).toThrow(RangeError);
  });

  it('derives ids from the first 20 bytes of a peer id and writes them back', () => {
    const bytes = new Uint8Array(32).map((_, i) => i * 7 + 1);
    const id = kadIdFromPeerId(bytes);
    expect(kadIdToHex(id)).toBe(Buffer.from(bytes.subarray(0, 20)).toString('hex'));
    const back = new Uint8Array(20);
    writeKadIdBytes(id, 0, back, 0);
    expect([...back]).toEqual([...bytes.subarray(0, 20)]);
    expect(() => kadIdFromPeerId(new Uint8Array(19))).toThrow(RangeError);
  });

  it('random ids are deterministic per stream', () => {
    expect(kadIdToHex(randomKadId(new Rng('s')))).toBe(kadIdToHex(randomKadId(new Rng('s'))));
    expect(kadIdToHex(randomKadId(new Rng('s')))).not.toBe(kadIdToHex(randomKadId(new Rng('u'))));
  });

  it('KadIdTable packs ids by PeerNum, grows, and rejects unknown peers', () => {
    const t = new KadIdTable(2, 64);
    const rng = new Rng('table');
    const ids = Array.from({ length: 40 }, () => randomKadId(rng));
    ids.forEach((id, p) => t.set(p, id));
    expect(t.capacity).toBeGreaterThanOrEqual(40);
    ids.forEach((id, p) => expect(kadIdToHex(t.copy(p))).toBe(kadIdToHex(id)));
    expect(t.compareDistance(3, 5, ids[3])).toBe(-1);
    expect(t.bucketIndex(3, 5)).toBe(bucketIndex(ids[3], ids[5]));
    expect(t.has(40)).toBe(false);
    expect(() => t.offsetOf(40)).toThrow(/no registered id/);
    expect(() => t.set(64, ids[0])).toThrow(RangeError);
    expect(() => t.set(-1, ids[0])).toThrow(RangeError);
  });
});
