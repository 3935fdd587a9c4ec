import type { Rng } from '../../engine/rng.ts';

/**
 * Reconnection delay after `failures` consecutive failures: base · 2^(n−1),
 * capped, then scaled by a uniform factor in [1 − jitter, 1 + jitter] so that
 * peers that lost the same node do not come back in lockstep.
 */
export function backoffUs(failures: number, baseUs: number, capUs: number, jitter: number, rng: Rng): number {
  const n = Math.max(1, Math.min(failures, 52));
  const raw = Math.min(capUs, baseUs * 2 ** (n - 1)); // det: integer exponent
  return Math.max(1, Math.round(raw * (1 - jitter + 2 * jitter * rng.next())));
}
