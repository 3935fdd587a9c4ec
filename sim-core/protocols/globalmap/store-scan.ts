import type { RecordPool } from './record-pool.ts';

/** Index of peer p among version v's entries (sorted by peer), or -1. */
export function entryIndex(pool: RecordPool, v: number, p: number): number {
  const peers = pool.ePeer;
  const off = pool.offOf(v);
  let lo = off;
  let hi = off + pool.lenOf(v) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = peers[mid];
    if (x === p) return mid - off;
    if (x < p) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** A deadline in µs as a map's settled mark stores it (ms, rounded down so never late). */
export function msBefore(until: number): number {
  // 0 means "check next time"; past the Uint32 range, check then rather than never. One ms
  // of margin: a full check computes now - t > ttl, this t + ttl, and with fractional
  // times the two may round differently.
  const ms = Math.floor(until / 1000) - 1;
  return ms < 1 ? 0 : Math.min(0xffffffff, ms);
}
