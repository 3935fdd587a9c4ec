import cliProgress from 'cli-progress';

/**
 * A progress bar on stderr that appears only once a run has taken about a
 * second of wall time, only on a TTY, and never with --quiet.
 */
export class RunProgress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly startMs = performance.now();
  private readonly enabled: boolean;

  constructor(
    quiet: boolean,
    private readonly totalS: number,
  ) {
    this.enabled = !quiet && process.stderr.isTTY === true;
  }

  update(simS: number, events: number): void {
    if (!this.enabled) return;
    const wallS = (performance.now() - this.startMs) / 1000;
    if (!this.bar) {
      if (wallS < 1) return;
      this.bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: ' {bar} {percentage}% | sim {sim}/{total} s | {events} events | {eps} ev/s | wall {wall} s',
          hideCursor: true,
          etaBuffer: 20,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(this.totalS, 0, this.payload(simS, events, wallS));
    }
    this.bar.update(simS, this.payload(simS, events, wallS));
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private payload(simS: number, events: number, wallS: number) {
    return {
      sim: simS.toFixed(1),
      total: this.totalS.toFixed(0),
      events: events.toLocaleString('en-US'),
      eps: formatRate(wallS > 0 ? events / wallS : 0),
      wall: wallS.toFixed(1),
    };
  }
}

export function formatRate(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(0);
}
