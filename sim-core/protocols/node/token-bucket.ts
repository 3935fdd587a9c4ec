import type { TimeUs } from '../../engine/time.ts';

/** Per-connection rate limit: `ratePerS` tokens a second, at most `burst` stored; a message costs one. */
export class TokenBucket {
  private tokens: number;
  private lastUs: TimeUs;

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
    now: TimeUs,
  ) {
    this.tokens = burst;
    this.lastUs = now;
  }

  /** Takes one token; false when the bucket is empty (the message should be dropped). */
  take(now: TimeUs): boolean {
    const elapsed = now - this.lastUs;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerS) / 1e6);
      this.lastUs = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
