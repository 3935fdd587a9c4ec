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

/** A single run's bar: simulated seconds, events, events/s. */
export class RunProgress {
  private readonly bar: DelayedBar<object>;

  constructor(
    quiet: boolean,
    private readonly totalS: number,
  ) {
    this.bar = new DelayedBar(quiet, totalS, ' {bar} {percentage}% | sim {sim}/{total} s | {events} events | {eps} ev/s | wall {wall} s', 20);
  }

  update(simS: number, events: number): void {
    this.bar.update(simS, (wallS) => ({
      sim: simS.toFixed(1),
      total: this.totalS.toFixed(0),
      events: events.toLocaleString('en-US'),
      eps: formatRate(wallS > 0 ? events / wallS : 0),
      wall: wallS.toFixed(1),
    }));
  }

  stop(): void {
    this.bar.stop();
  }
}

export function formatRate(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
}
