import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';

/** Flags of one half-link entry: what the origin said about its link to `peer`. */
export const F_CONNECT = 1; // else disconnect (a tombstone kept so an older connect cannot resurrect the link)
export const F_OUT = 2; // the origin dialled ("I propose"); else it accepted ("I accept")

/**
 * What one origin has said about its links: entries sorted by peer, one per
 * peer, each the latest (timestamp, kind) the origin announced — a set of
 * last-writer-wins registers, so any order of the same events gives the same
 * record. Immutable: peers share identical records by reference (RecordPool).
 */
export interface LinkRecord {
  readonly origin: PeerNum;
  readonly peers: Int32Array;
  readonly ts: Float64Array;
  readonly flags: Uint8Array;
  /** Newest and oldest entry timestamps (GC). */
  readonly newestUs: TimeUs;
  readonly oldestUs: TimeUs;
  /** Entries with F_CONNECT. */
  readonly connects: number;
  /** Content hash (interning). */
  readonly hash: number;
  /** Stores holding this record (the pool frees it at zero). */
  refs: number;
  /**
   * The last one-entry transition out of this record (peer, flags, ts → next):
   * most peers apply an origin's events in the same order, so the first one
   * builds the new record and the others reuse it.
   */
  memoPeer: number;
  memoFlags: number;
  memoTs: number;
  memoNext: LinkRecord | undefined;
}

/** Approximate heap bytes of a record (object + typed arrays), for the memory metric. */
export function recordBytes(r: LinkRecord): number {
  return 120 + 3 * 64 + r.peers.length * (4 + 8 + 1);
}

/**
 * A total order on writes to one register, so any delivery order converges:
 * the later timestamp wins; at equal time a disconnect beats a connect, then
 * "in" beats "out".
 */
export function newer(tsA: number, flagsA: number, tsB: number, flagsB: number): boolean {
  if (tsA !== tsB) return tsA > tsB;
  return rank(flagsA) > rank(flagsB);
}

function rank(f: number): number {
  return ((f & F_CONNECT) !== 0 ? 0 : 2) + ((f & F_OUT) !== 0 ? 0 : 1);
}

export function hashRecord(origin: number, peers: Int32Array, ts: Float64Array, flags: Uint8Array): number {
  let h = Math.imul(origin ^ 0x9e3779b9, 0x85ebca6b);
  for (let i = 0; i < peers.length; i++) {
    h = Math.imul(h ^ peers[i], 0xc2b2ae35);
    h = Math.imul(h ^ (ts[i] | 0), 0x27d4eb2f);
    h = Math.imul(h ^ ((ts[i] / 4294967296) | 0) ^ (flags[i] << 24), 0x165667b1);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

export function sameContent(a: LinkRecord, origin: number, peers: Int32Array, ts: Float64Array, flags: Uint8Array): boolean {
  if (a.origin !== origin || a.peers.length !== peers.length) return false;
  for (let i = 0; i < peers.length; i++) {
    if (a.peers[i] !== peers[i] || a.ts[i] !== ts[i] || a.flags[i] !== flags[i]) return false;
  }
  return true;
}
