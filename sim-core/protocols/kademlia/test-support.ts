import { KAD_ID_WORDS } from './constants.ts';
import { newKadId, type KadId } from './ids.ts';

/** Test helpers shared by the kademlia tests: BigInt ↔ id conversions (allocating, off the hot path). */
export const ID_MASK = (1n << 160n) - 1n;

export function kadIdFromBigInt(v: bigint, out: KadId = newKadId()): KadId {
  let x = v & ID_MASK;
  for (let i = KAD_ID_WORDS - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffffffffn);
    x >>= 32n;
  }
  return out;
}

/** Reference bucket index: floor(log2(a XOR b)), -1 when equal. */
export function refBucket(a: bigint, b: bigint): number {
  const d = a ^ b;
  return d === 0n ? -1 : d.toString(2).length - 1;
}
