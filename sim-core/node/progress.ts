import cliProgress from 'cli-progress';

/**
 * The one progress-bar mechanism of the CLI: on stderr, only on a TTY, never
 * with --quiet, and only once the work has taken about a second of wall time.
 * `payload(wallS)` supplies the format's fields at each update.
 */
export class DelayedBar<P extends object> {
  private bar: cliProgress.SingleBar | undefined;
  private readonly startMs = performance.now();
  readonly enabled: boolean;

  constructor(
    quiet: boolean,
    private readonly total: number,
    private readonly format: string,
    private readonly etaBuffer: number,
  ) {
    this.enabled = !quiet && process.stderr.isTTY === true && total > 0;
  }

  update(value: number, payload: (wallS: number) => P): void {
    if (!this.enabled) return;
    const wallS = (performance.now() - this.startMs) / 1000;
    if (!this.bar) {
      if (wallS < 1) return;
      this.bar = new cliProgress.SingleBar(
        { stream: process.stderr, format: this.format, hideCursor: true, etaBuffer: this.etaBuffer },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(this.total, 0, payload(wallS));
    }
    this.bar.update(Math.min(this.total, value), payload(wallS));
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

/** Batch mode (no terminal): one progress line per this many wall seconds. */
export const BATCH_LINE_EVERY_S = 10;
/** Wall seconds of running before the total is estimated (and the first batch line printed). */
export const WARMUP_S = 2;
/** Runs estimated longer than this many wall seconds get a note at the start. */
export const LONG_RUN_S = 3600;

export interface RunProgressOptions {
  /** Where batch lines and notes go (default: stderr). */
  write?: (line: string) => void;
  /** Wall clock in ms (tests). */
  nowMs?: () => number;
}

/**
 * A single run's progress: on a terminal a bar with ETA; otherwise (CI,
 * logs) a line after the warm-up and every BATCH_LINE_EVERY_S of wall time.
 * After the warm-up, a run estimated to take over an hour says so, also
 * with --quiet, since nobody should wait six hours unwarned.
 */
export class RunProgress {
  private readonly bar: DelayedBar<object>;
  private readonly write: (line: string) => void;
  private readonly nowMs: () => number;
  private readonly startMs: number;
  private nextLineS = WARMUP_S;
  private estimated = false;
  private stopped = false;

  constructor(
    private readonly quiet: boolean,
    private readonly totalS: number,
    opts: RunProgressOptions = {},
  ) {
    this.bar = new DelayedBar(quiet, totalS, ' {bar} {percentage}% | sim {sim}/{total} s | {events} events | {eps} ev/s | wall {wall} s | eta {left}', 20);
    this.write = opts.write ?? ((line) => process.stderr.write(line + '\n'));
    this.nowMs = opts.nowMs ?? (() => performance.now());
    this.startMs = this.nowMs();
  }

  update(simS: number, events: number): void {
    if (this.stopped) return;
    const wallS = (this.nowMs() - this.startMs) / 1000;
    const eta = etaSeconds(wallS, simS, this.totalS);
    if (!this.estimated && wallS >= WARMUP_S && simS > 0) {
      this.estimated = true;
      const note = longRunNote(wallS + (eta ?? 0), this.totalS);
      // On a terminal the bar owns the line: clear it, so the note stands alone and the bar redraws below.
      if (note) this.write((this.bar.enabled ? '\r\x1b[2K' : '') + note);
    }
    // The run's own clock (started with the bar), so the bar, the batch lines and the ETA agree.
    this.bar.update(simS, () => ({
      sim: simS.toFixed(1),
      total: this.totalS.toFixed(0),
      events: events.toLocaleString('en-US'),
      eps: formatRate(wallS > 0 ? events / wallS : 0),
      wall: wallS.toFixed(1),
      left: formatDuration(eta),
    }));
    if (!this.quiet && !this.bar.enabled && wallS >= this.nextLineS) {
      this.nextLineS = wallS + BATCH_LINE_EVERY_S;
      this.write(batchLine(simS, this.totalS, events, wallS));
    }
  }

  stop(): void {
    this.stopped = true;
    this.bar.stop();
  }
}

/** Wall seconds left at the average pace so far; undefined before any simulated time has passed. */
export function etaSeconds(wallS: number, simS: number, totalS: number): number | undefined {
  if (!(simS > 0) || !(wallS >= 0)) return undefined;
  return Math.max(0, (wallS * (totalS - simS)) / simS);
}

export function batchLine(simS: number, totalS: number, events: number, wallS: number): string {
  const pctDone = totalS > 0 ? ((100 * simS) / totalS).toFixed(1) : '?';
  const eps = wallS > 0 ? events / wallS : 0;
  return `  progress: sim ${simS.toFixed(1)}/${totalS} s (${pctDone}%) | ${events} events | ${formatRate(eps)} ev/s | wall ${wallS.toFixed(0)} s | eta ${formatDuration(etaSeconds(wallS, simS, totalS))}`;
}

/** The note for a run estimated over LONG_RUN_S of wall time, else undefined. */
export function longRunNote(estimatedWallS: number, totalS: number): string | undefined {
  if (!(estimatedWallS > LONG_RUN_S)) return undefined;
  return `note: this run will take about ${formatDuration(estimatedWallS)} of wall time (${totalS} simulated s); shorten it with --duration or --peers`;
}

/** 42 s, 3 min 20 s, 6.2 h, 3.1 days; "?" when unknown. */
export function formatDuration(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(0)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  if (s < 86400 * 2) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

export function formatRate(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
}
