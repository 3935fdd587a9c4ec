/**
 * CPU time per (lookahead window, partition) of one run, and what it bounds:
 * the speed-up of splitting the run's hosts over `partitions` threads that
 * each process their hosts' events of a window, then meet. Within a window no
 * event of one partition can cause an event of another (a window is at most
 * the smallest latency between hosts), so the window takes as long as its
 * busiest partition; events of no host (scenario actions) and time outside
 * the event loop stay serial. The bound leaves out what a real split costs
 * on top: the meeting per window, moving messages between threads, and the
 * shared state (event table, record pool) made per partition.
 */
export class WindowTally {
  private readonly sums: Float64Array;
  private serialMs = 0;
  private lastWindow = -1;
  private allEventsMs = 0;

  constructor(
    readonly windowUs: number,
    readonly partitions: number,
    /** Windows tallied at most (a run longer than windowUs × maxWindows is an error, not a silent wrap). */
    readonly maxWindows: number,
  ) {
    if (!(Number.isInteger(windowUs) && windowUs >= 1)) throw new RangeError(`windowUs: a positive integer, got ${windowUs}`);
    if (!(Number.isInteger(partitions) && partitions >= 1 && partitions <= 64)) throw new RangeError(`partitions: an integer in [1, 64], got ${partitions}`);
    if (!(Number.isInteger(maxWindows) && maxWindows >= 1 && maxWindows * partitions <= 1 << 26)) throw new RangeError(`maxWindows: at most ${(1 << 26) / partitions} windows of ${partitions} partitions`);
    this.sums = new Float64Array(maxWindows * partitions);
  }

  /** An event of `host` (its partition: host mod partitions) at `timeUs` took `ms`; host < 0: an event of no host (serial). */
  add(timeUs: number, host: number, ms: number): void {
    this.allEventsMs += ms;
    if (host < 0) {
      this.serialMs += ms;
      return;
    }
    const w = Math.floor(timeUs / this.windowUs);
    if (w >= this.maxWindows) throw new RangeError(`time ${timeUs} µs is past the ${this.maxWindows} windows of ${this.windowUs} µs tallied`);
    if (w > this.lastWindow) this.lastWindow = w;
    this.sums[w * this.partitions + (host % this.partitions)] += ms;
  }

  /** Time of all events so far, of a host or not (the run's time outside them is its wall time minus this). */
  get eventsMs(): number {
    return this.allEventsMs;
  }

  /** Totals and the bound; `outsideMs`: time of the run outside its events (start-up, metrics), serial. */
  summary(outsideMs = 0): TallySummary {
    const k = this.partitions;
    let inEventsMs = 0;
    let criticalMs = 0;
    const byPartitionMs = new Array<number>(k).fill(0);
    for (let w = 0; w <= this.lastWindow; w++) {
      let max = 0;
      for (let p = 0; p < k; p++) {
        const t = this.sums[w * k + p];
        inEventsMs += t;
        byPartitionMs[p] += t;
        if (t > max) max = t;
      }
      criticalMs += max;
    }
    const serialMs = this.serialMs + outsideMs;
    const totalMs = inEventsMs + serialMs;
    return {
      windowUs: this.windowUs,
      partitions: k,
      windows: this.lastWindow + 1,
      totalMs,
      serialMs,
      byPartitionMs,
      criticalPathMs: criticalMs + serialMs,
      speedupBound: totalMs === 0 ? 1 : totalMs / (criticalMs + serialMs),
    };
  }
}

export interface TallySummary {
  windowUs: number;
  partitions: number;
  windows: number;
  totalMs: number;
  serialMs: number;
  byPartitionMs: number[];
  /** Serial time plus, per window, the busiest partition's time. */
  criticalPathMs: number;
  /** totalMs / criticalPathMs: the most `partitions` threads could gain. */
  speedupBound: number;
}
