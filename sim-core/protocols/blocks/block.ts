import { sha256 } from '@noble/hashes/sha2.js';
import type { TimeUs } from '../../engine/time.ts';
import { HASH_BYTES, PEER_ID_BYTES } from '../../wire/constants.ts';
import type { IdCodec, PeerNum } from '../../wire/ids.ts';
import { MsgType, type BlockMsg } from '../../wire/messages.ts';

/** The parent of height-1 blocks: 32 zero bytes. */
export const GENESIS_HASH = new Uint8Array(HASH_BYTES);

/** Bytes hashed into a block id: height u32, origin id (32 B), minedAtUs u64, parent (32 B), bodyBytes u32 — 80 bytes, like a Bitcoin header. */
const HEADER_BYTES = 4 + PEER_ID_BYTES + 8 + HASH_BYTES + 4;

/**
 * The block hash: SHA-256 of the header above. The origin enters as its
 * 32-byte wire id (through `ids`), so every node computes the same hash
 * whatever its local peer numbering. The body is modelled by its size only.
 */
export function blockHash(
  f: { height: number; origin: PeerNum; minedAtUs: TimeUs; parent: Uint8Array; bodyBytes: number },
  ids: IdCodec,
): Uint8Array {
  const h = new Uint8Array(HEADER_BYTES);
  const v = new DataView(h.buffer);
  v.setUint32(0, f.height >>> 0);
  ids.writePeerId(f.origin, h, 4);
  v.setUint32(4 + PEER_ID_BYTES, Math.floor(f.minedAtUs / 2 ** 32));
  v.setUint32(8 + PEER_ID_BYTES, f.minedAtUs >>> 0);
  h.set(f.parent, 12 + PEER_ID_BYTES);
  v.setUint32(12 + PEER_ID_BYTES + HASH_BYTES, f.bodyBytes >>> 0);
  return sha256(h);
}

/** Builds a block with its hash. */
export function makeBlock(
  f: { height: number; origin: PeerNum; minedAtUs: TimeUs; parent: Uint8Array; bodyBytes: number },
  ids: IdCodec,
): BlockMsg {
  return { type: MsgType.Block, hash: blockHash(f, ids), parent: f.parent, height: f.height, origin: f.origin, minedAtUs: f.minedAtUs, bodyBytes: f.bodyBytes };
}

/** True if `b.hash` is the hash of its header fields. */
export function hashMatches(b: BlockMsg, ids: IdCodec): boolean {
  if (b.hash.length !== HASH_BYTES || b.parent.length !== HASH_BYTES) return false;
  const h = blockHash(b, ids);
  for (let i = 0; i < HASH_BYTES; i++) if (h[i] !== b.hash[i]) return false;
  return true;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A hash as a map key (lower-case hex). */
export function hashKey(hash: Uint8Array): string {
  let s = '';
  for (let i = 0; i < hash.length; i++) s += HEX[hash[i]];
  return s;
}
