/**
 * Paired comparison of two builds run side by side: each round runs both at
 * once, so both see the same state of a shared, drifting host, and the
 * figure that means something is each round's ratio, not either side's
 * absolute time.
 */

/** One side of one round. */
export interface Side {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  traceHash: string;
}

export interface Round {
  base: Side;
  head: Side;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface PairedSummary {
  rounds: number;
  /** head / base per round: below 1, head is faster. */
  wallRatio: Spread;
  cpuRatio: Spread;
  /** Every round ran the same trace on both sides. */
  sameTraces: boolean;
}

/** Median, min and max of a non-empty list. */
export function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) throw new RangeError('spread: no values');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
}

export function summarize(rounds: readonly Round[]): PairedSummary {
  return {
    rounds: rounds.length,
    wallRatio: spread(rounds.map((r) => r.head.wallSeconds / r.base.wallSeconds)),
    cpuRatio: spread(rounds.map((r) => r.head.cpuSeconds / r.base.cpuSeconds)),
    sameTraces: rounds.every((r) => r.head.traceHash === r.base.traceHash),
  };
}

/** One line per round, for the console. */
export function formatRound(i: number, r: Round): string {
  const f = (s: Side) => `${s.wallSeconds.toFixed(2)} s wall, ${s.cpuSeconds.toFixed(2)} CPU-s, ${(s.peakRssBytes / 2 ** 20).toFixed(0)} MiB`;
  const traces = r.base.traceHash === r.head.traceHash ? `trace ${r.head.traceHash}` : `traces DIFFER: base ${r.base.traceHash}, head ${r.head.traceHash}`;
  return `round ${i + 1}: base ${f(r.base)} | head ${f(r.head)} | head/base wall ${(r.head.wallSeconds / r.base.wallSeconds).toFixed(3)}, CPU ${(r.head.cpuSeconds / r.base.cpuSeconds).toFixed(3)} | ${traces}`;
}

export function formatSummary(s: PairedSummary): string {
  const f = (x: Spread) => `${x.median.toFixed(3)} (${x.min.toFixed(3)}–${x.max.toFixed(3)})`;
  return [
    `head/base over ${s.rounds} round${s.rounds === 1 ? '' : 's'}, median (min–max): wall ${f(s.wallRatio)}, CPU ${f(s.cpuRatio)}`,
    s.sameTraces ? 'traces: the same on both sides in every round' : 'traces: DIFFER — the builds do not run the same simulation',
  ].join('\n');
}
