import cliProgress from 'cli-progress';

/**
 * One progress bar for a whole comparison: jobs done out of the total, plus
 * the job under way. Like the run bar it is on stderr, appears only after
 * about a second, only on a TTY, and never with --quiet.
 */
export class CompareProgress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly startMs = performance.now();
  readonly enabled: boolean;
  private done = 0;
  private current = '';
  private fraction = 0;

  constructor(
    quiet: boolean,
    private readonly total: number,
  ) {
    this.enabled = !quiet && process.stderr.isTTY === true && total > 0;
  }

  /** The job under way and how far it is (0..1). */
  running(label: string, fraction: number): void {
    this.current = label;
    this.fraction = Math.min(1, Math.max(0, fraction));
    this.render();
  }

  jobDone(): void {
    this.done++;
    this.fraction = 0;
    this.render();
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }

  private render(): void {
    if (!this.enabled) return;
    const wallS = (performance.now() - this.startMs) / 1000;
    if (!this.bar) {
      if (wallS < 1) return;
      this.bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: ' {bar} {percentage}% | jobs {done}/{jobs} | {current} | wall {wall} s | eta {eta_formatted}',
          hideCursor: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(this.total, 0, this.payload(wallS));
    }
    this.bar.update(Math.min(this.total, this.done + this.fraction), this.payload(wallS));
  }

  private payload(wallS: number) {
    const current = this.done >= this.total ? 'done' : this.current ? `${this.current} ${(this.fraction * 100).toFixed(0)}%` : 'starting';
    return { done: this.done, jobs: this.total, current, wall: wallS.toFixed(1) };
  }
}
