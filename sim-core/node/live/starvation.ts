import { loadavg } from 'node:os';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import { threadCpuSeconds } from '../machine.ts';

/**
 * Whether a live run had the CPU it needed. A live run's time is the wall
 * clock: when the event loop falls behind (the process is CPU-bound, or the
 * machine is shared), timers fire late, handshakes time out and gossip
 * flushes bunch up, and the run measures the machine, not the protocol.
 * This records how far behind it fell, so a difference from the simulation
 * can be told apart from a starved run.
 */

/** Event-loop delay sampling period of node's monitor, ms (its resolution). */
export const LOOP_DELAY_RESOLUTION_MS = 10;
/**
 * p99 event-loop delay above which timing figures are not comparable: the
 * scenarios' one-way delays are 20–150 ms, so a loop that is 50 ms late one
 * time in a hundred shifts message timing by as much as the network does.
 */
export const STARVED_LOOP_P99_MS = 50;
/** Protocol timer lateness (p99) above which periodic work (1 s gossip flushes, pings) no longer runs on time. */
export const STARVED_TIMER_P99_MS = 250;
/** Busy share of the event loop above which it has no slack left (utilisation, 0..1). */
export const STARVED_LOOP_UTILISATION = 0.9;

/** Lateness histogram bucket upper bounds, ms: fine near 0, coarse in the tail (bounded memory). */
const LATE_BUCKETS_MS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000, Infinity];

/** Lateness of fired timers, in fixed buckets: p50/p99 are bucket upper bounds, max exact. */
export class LatenessHistogram {
  private readonly counts = new Array<number>(LATE_BUCKETS_MS.length).fill(0);
  count = 0;
  maxMs = 0;

  add(lateMs: number): void {
    const ms = Math.max(0, lateMs);
    let i = 0;
    while (ms > LATE_BUCKETS_MS[i]) i++;
    this.counts[i]++;
    this.count++;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  /** Smallest bucket bound at or above the q-quantile (the max when it falls in the last bucket); 0 when empty. */
  quantileMs(q: number): number {
    if (this.count === 0) return 0;
    const want = Math.ceil(q * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= want) return Math.min(LATE_BUCKETS_MS[i], this.maxMs);
    }
    return this.maxMs;
  }

  merge(o: LatenessHistogram): void {
    o.counts.forEach((c, i) => (this.counts[i] += c));
    this.count += o.count;
    this.maxMs = Math.max(this.maxMs, o.maxMs);
  }

  toJSON(): LatenessSummary {
    return { count: this.count, p50Ms: this.quantileMs(0.5), p99Ms: this.quantileMs(0.99), maxMs: round(this.maxMs) };
  }

  static from(s: { counts: number[]; count: number; maxMs: number }): LatenessHistogram {
    const h = new LatenessHistogram();
    s.counts.forEach((c, i) => (h.counts[i] = c));
    h.count = s.count;
    h.maxMs = s.maxMs;
    return h;
  }

  raw(): { counts: number[]; count: number; maxMs: number } {
    return { counts: [...this.counts], count: this.count, maxMs: this.maxMs };
  }
}

export interface LatenessSummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The `live.starvation` block of summary.json (one per event loop; merged over workers). */
export interface StarvationBlock {
  /** Event loops measured (1, or one per worker). */
  loops: number;
  loopDelayMs: { p50: number; p99: number; max: number };
  /** Busy share of the event loop over the run (the worst loop with workers). */
  loopUtilisation: number;
  /** Protocol timers (gossip flushes, pings, ticks): how late each fired. */
  timerLateness: LatenessSummary;
  /** Time-series samples: how late each was taken. */
  sampleLateness: LatenessSummary;
  /** CPU seconds (user + system) of the run's threads, and wall seconds. */
  cpuSeconds: number | null;
  wallSeconds: number;
  /** Load average (1 min) of the machine when the run started and ended. */
  loadAvgStart: number;
  loadAvgEnd: number;
}

const round = (x: number) => Math.round(x * 100) / 100;

/** Measures one event loop from start() to stop(). */
export class StarvationMonitor {
  readonly samples = new LatenessHistogram();
  private histogram: IntervalHistogram | undefined;
  private elu = performance.eventLoopUtilization();
  private cpu0: number | null = null;
  private wall0 = performance.now();
  private load0 = 0;

  /** `timers`: the lateness of the protocol's timers, kept by the transport. */
  constructor(readonly timers = new LatenessHistogram()) {}

  start(): void {
    this.histogram = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
    this.histogram.enable();
    this.elu = performance.eventLoopUtilization();
    this.cpu0 = threadCpuSeconds();
    this.wall0 = performance.now();
    this.load0 = loadavg()[0];
  }

  /** The block so far; stops the loop monitor when `stop`. */
  block(stop = false): StarvationBlock {
    const h = this.histogram;
    // The monitor reports delays beyond its own sampling period, in ns.
    const ms = (ns: number) => (h && h.count > 0 ? round(Math.max(0, ns / 1e6 - LOOP_DELAY_RESOLUTION_MS)) : 0);
    const block: StarvationBlock = {
      loops: 1,
      loopDelayMs: { p50: ms(h?.percentile(50) ?? 0), p99: ms(h?.percentile(99) ?? 0), max: ms(h?.max ?? 0) },
      loopUtilisation: round(performance.eventLoopUtilization(this.elu).utilization),
      timerLateness: this.timers.toJSON(),
      sampleLateness: this.samples.toJSON(),
      cpuSeconds: this.cpu0 === null ? null : round((threadCpuSeconds() ?? this.cpu0) - this.cpu0),
      wallSeconds: round((performance.now() - this.wall0) / 1000),
      loadAvgStart: round(this.load0),
      loadAvgEnd: round(loadavg()[0]),
    };
    if (stop) h?.disable();
    return block;
  }
}

/**
 * Blocks of several event loops (workers) as one: the worst loop's delays
 * and utilisation (one starved worker delays every link it holds), timer
 * lateness over all timers, CPU summed.
 */
export function mergeStarvation(blocks: readonly StarvationBlock[], timers: LatenessHistogram, samples: LatenessHistogram): StarvationBlock {
  const worst = (f: (b: StarvationBlock) => number) => Math.max(0, ...blocks.map(f));
  const cpu = blocks.every((b) => b.cpuSeconds !== null) ? round(blocks.reduce((s, b) => s + (b.cpuSeconds ?? 0), 0)) : null;
  return {
    loops: blocks.reduce((n, b) => n + b.loops, 0),
    loopDelayMs: { p50: worst((b) => b.loopDelayMs.p50), p99: worst((b) => b.loopDelayMs.p99), max: worst((b) => b.loopDelayMs.max) },
    loopUtilisation: worst((b) => b.loopUtilisation),
    timerLateness: timers.toJSON(),
    sampleLateness: samples.toJSON(),
    cpuSeconds: cpu,
    wallSeconds: worst((b) => b.wallSeconds),
    loadAvgStart: blocks[0]?.loadAvgStart ?? 0,
    loadAvgEnd: blocks[0]?.loadAvgEnd ?? 0,
  };
}

export interface StarvationVerdict {
  starved: boolean;
  /** Each threshold crossed, as "what X > Y". */
  reasons: string[];
  line: string;
}

/**
 * A loop can be late because its own work needs more than a core, or
 * because the machine gives it less than one (other processes): its thread
 * CPU per wall second tells which. Busy share counts callbacks in wall time,
 * so on a machine shared 10 ways a loop that used a fifth of a core still
 * looks 97% busy.
 */
export const OVERSUBSCRIBED_CPU_SHARE = 0.5;

function starvationCause(b: StarvationBlock): string {
  if (b.cpuSeconds === null || b.wallSeconds <= 0) return '';
  const share = b.cpuSeconds / (b.wallSeconds * Math.max(1, b.loops));
  const pct = Math.round(share * 100);
  return share < OVERSUBSCRIBED_CPU_SHARE && b.loopUtilisation > 2 * share
    ? ` (each loop had ${pct}% of a core while ${Math.round(b.loopUtilisation * 100)}% busy, load ${b.loadAvgStart}→${b.loadAvgEnd}: the machine is oversubscribed; rerun it quieter or with fewer peers)`
    : ` (each loop used ${pct}% of a core: the run is CPU-bound; spread it with --workers)`;
}

/** Whether timing differences of a live run mean anything, and the line compare-live prints. */
export function starvationVerdict(b: StarvationBlock): StarvationVerdict {
  const reasons: string[] = [];
  if (b.loopDelayMs.p99 > STARVED_LOOP_P99_MS) reasons.push(`p99 loop delay ${b.loopDelayMs.p99} ms > ${STARVED_LOOP_P99_MS} ms`);
  if (b.timerLateness.p99Ms > STARVED_TIMER_P99_MS) reasons.push(`p99 timer lateness ${b.timerLateness.p99Ms} ms > ${STARVED_TIMER_P99_MS} ms`);
  if (b.loopUtilisation > STARVED_LOOP_UTILISATION) reasons.push(`event loop busy ${Math.round(b.loopUtilisation * 100)}% > ${STARVED_LOOP_UTILISATION * 100}%`);
  const starved = reasons.length > 0;
  const cause = starved ? starvationCause(b) : '';
  const facts = `p99 loop delay ${b.loopDelayMs.p99} ms, p99 timer lateness ${b.timerLateness.p99Ms} ms, loop busy ${Math.round(b.loopUtilisation * 100)}%, load ${b.loadAvgStart}→${b.loadAvgEnd}`;
  const line = starved
    ? `live run CPU-starved: ${reasons.join('; ')}: differences in timing metrics are not meaningful${cause}`
    : `live run not starved (${facts}): differences are the protocol's or the simulator's`;
  return { starved, reasons, line };
}
