/** The middle of the timed repetitions of a bench (the upper one of the two middles for an even count): what a bench reports. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
