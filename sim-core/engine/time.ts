/** Simulated time: an integer number of microseconds since the start of the run. */
export type TimeUs = number;

export const US_PER_MS = 1_000;
export const US_PER_S = 1_000_000;

/** Seconds (possibly fractional) to integer microseconds, rounded to the nearest µs. */
export function secondsToUs(s: number): TimeUs {
  return Math.round(s * US_PER_S);
}

export function msToUs(ms: number): TimeUs {
  return Math.round(ms * US_PER_MS);
}

export function usToSeconds(t: TimeUs): number {
  return t / US_PER_S;
}
