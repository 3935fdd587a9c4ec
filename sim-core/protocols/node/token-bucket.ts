import type { TimeUs } from '../../engine/time.ts';
import { R_TOKENS, R_TOKENS_AT } from './conn-hot.ts';

/**
 * Per-connection rate limit: `ratePerS` tokens a second, at most `burst`
 * stored; a message costs one. The bucket lives in the connection's ConnHot
 * record at offset `o` (tokens, time counted), not in an object per connection.
 */
export function fillBucket(rec: Float64Array, o: number, burst: number, now: TimeUs): void {
  rec[o + R_TOKENS] = burst;
  rec[o + R_TOKENS_AT] = now;
}

/** Takes one token; false when the bucket is empty (the message should be dropped). */
export function takeToken(rec: Float64Array, o: number, ratePerS: number, burst: number, now: TimeUs): boolean {
  const elapsed = now - rec[o + R_TOKENS_AT];
  let tokens = rec[o + R_TOKENS];
  if (elapsed > 0) {
    tokens = Math.min(burst, tokens + (elapsed * ratePerS) / 1e6);
    rec[o + R_TOKENS_AT] = now;
  }
  if (tokens < 1) {
    rec[o + R_TOKENS] = tokens;
    return false;
  }
  rec[o + R_TOKENS] = tokens - 1;
  return true;
}
