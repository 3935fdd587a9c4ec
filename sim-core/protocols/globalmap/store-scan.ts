import type { TimeUs } from '../../engine/time.ts';
import { F_CONNECT } from './record.ts';
import type { RecordPool } from './record-pool.ts';

/** Index of peer p among version v's entries (sorted by peer), or -1. */
export function entryIndex(pool: RecordPool, v: number, p: number): number {
  const peers = pool.ePeer;
  const off = pool.vOff[v];
  let lo = off;
  let hi = off + pool.vLen[v] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = peers[mid];
    if (x === p) return mid - off;
    if (x < p) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Until when (ms, rounded down so never late) version v just checked at `now`
 * keeps passing GC unchanged: the first moment an entry outlives the TTL, a
 * tombstone the confirmation timeout, or a young claim becomes old enough to
 * need its confirmation checked. Confirmation of old claims changes only when
 * the other side's record changes, which unsettles this one.
 */
export function settledUntilMs(pool: RecordPool, v: number, now: TimeUs, ttlUs: number, confirmTimeoutUs: number): number {
  let until = pool.vNewest[v] + ttlUs;
  const ts = pool.eTs;
  const flags = pool.eFlags;
  const off = pool.vOff[v];
  for (let k = off; k < off + pool.vLen[v]; k++) {
    const t = ts[k];
    if ((flags[k] & F_CONNECT) === 0) until = Math.min(until, t + confirmTimeoutUs, t + ttlUs);
    else {
      until = Math.min(until, t + ttlUs);
      if (t + confirmTimeoutUs >= now) until = Math.min(until, t + confirmTimeoutUs);
    }
  }
  return msBefore(until);
}

/** A deadline in µs as settledUntilMs stores it. */
export function msBefore(until: number): number {
  // 0 means "check next time"; past the Uint32 range, check then rather than never. One ms
  // of margin: a full check computes now - t > ttl, this t + ttl, and with fractional
  // times the two may round differently.
  const ms = Math.floor(until / 1000) - 1;
  return ms < 1 ? 0 : Math.min(0xffffffff, ms);
}
