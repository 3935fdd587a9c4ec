/**
 * Paired comparison of two builds run side by side: each round runs both at
 * once, so both see the same state of a shared, drifting host, and the
 * figure that means something is each round's ratio, not either side's
 * absolute time.
 */
import { meanCi } from '../../sim-core/metrics/aggregate.ts';

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

/** The geometric mean of per-round ratios and its 95% confidence interval (Student's t over the log ratios). */
export interface Interval {
  geomean: number;
  low: number;
  high: number;
}

export interface PairedSummary {
  rounds: number;
  /** head / base per round: below 1, head is faster. */
  wallRatio: Spread;
  cpuRatio: Spread;
  /** From two rounds on. */
  wallInterval?: Interval;
  cpuInterval?: Interval;
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

/**
 * 95% interval of the mean ratio: the compare command's mean ± Student's t
 * interval, over the logs so that 0.9 and 1/0.9 weigh the same; undefined
 * below two ratios. Rounds run side by side share the host's drift, so their
 * ratios are treated as independent samples.
 */
export function interval95(ratios: readonly number[]): Interval | undefined {
  const { mean, ci95 } = meanCi(ratios.map(Math.log));
  if (ci95 === null) return undefined;
  return { geomean: Math.exp(mean), low: Math.exp(mean - ci95), high: Math.exp(mean + ci95) };
}

export function summarize(rounds: readonly Round[]): PairedSummary {
  const wall = rounds.map((r) => r.head.wallSeconds / r.base.wallSeconds);
  const cpu = rounds.map((r) => r.head.cpuSeconds / r.base.cpuSeconds);
  const wallInterval = interval95(wall);
  const cpuInterval = interval95(cpu);
  return {
    rounds: rounds.length,
    wallRatio: spread(wall),
    cpuRatio: spread(cpu),
    ...(wallInterval && cpuInterval ? { wallInterval, cpuInterval } : {}),
    sameTraces: sameTraces(rounds),
  };
}

/** What an interval shows: head faster or slower (the whole interval on one side of 1), or no difference it can tell. */
export function verdict(i: Interval): string {
  if (i.high < 1) return 'head faster';
  if (i.low > 1) return 'head slower';
  return `no difference shown (the interval holds 1; it spans ${(100 * (i.high - i.low)).toFixed(1)}% — more rounds narrow it)`;
}

/** The end of a round's line: its trace, or both when they differ (either kind of round). */
export function roundTraces(r: { base: { traceHash: string }; head: { traceHash: string } }): string {
  return r.base.traceHash === r.head.traceHash ? `trace ${r.head.traceHash}` : `traces DIFFER: base ${r.base.traceHash}, head ${r.head.traceHash}`;
}

/** Whether both sides ran the same trace in every round. */
export function sameTraces(rounds: readonly { base: { traceHash: string }; head: { traceHash: string } }[]): boolean {
  return rounds.every((r) => r.head.traceHash === r.base.traceHash);
}

/** The summary's last line. */
export function tracesLine(same: boolean): string {
  return same ? 'traces: the same on both sides in every round' : 'traces: DIFFER — the builds do not run the same simulation';
}

/** One line per round, for the console. */
export function formatRound(i: number, r: Round): string {
  const f = (s: Side) => `${s.wallSeconds.toFixed(2)} s wall, ${s.cpuSeconds.toFixed(2)} CPU-s, ${(s.peakRssBytes / 2 ** 20).toFixed(0)} MiB`;
  return `round ${i + 1}: base ${f(r.base)} | head ${f(r.head)} | head/base wall ${(r.head.wallSeconds / r.base.wallSeconds).toFixed(3)}, CPU ${(r.head.cpuSeconds / r.base.cpuSeconds).toFixed(3)} | ${roundTraces(r)}`;
}

export function formatSummary(s: PairedSummary): string {
  const f = (x: Spread) => `${x.median.toFixed(3)} (${x.min.toFixed(3)}–${x.max.toFixed(3)})`;
  const g = (i: Interval) => `${i.geomean.toFixed(3)} [${i.low.toFixed(3)}–${i.high.toFixed(3)}]: ${verdict(i)}`;
  return [
    `head/base over ${s.rounds} round${s.rounds === 1 ? '' : 's'}, median (min–max): wall ${f(s.wallRatio)}, CPU ${f(s.cpuRatio)}`,
    ...(s.wallInterval && s.cpuInterval ? [`mean ratio [95% interval]: wall ${g(s.wallInterval)}; CPU ${g(s.cpuInterval)}`] : []),
    tracesLine(s.sameTraces),
  ].join('\n');
}
