import cliProgress from 'cli-progress';

/**
 * One progress bar for a sweep: jobs done out of the total, counting the
 * fraction of each job under way (several run at once on a pool). On stderr,
 * after about a second, only on a TTY, never with --quiet.
 */
export class SweepProgress {
  private bar: cliProgress.SingleBar | undefined;
  private readonly startMs = performance.now();
  readonly enabled: boolean;
  private done = 0;
  private readonly running = new Map<number, number>();

  constructor(
    quiet: boolean,
    private readonly total: number,
    private readonly workers: number,
  ) {
    this.enabled = !quiet && process.stderr.isTTY === true && total > 0;
  }

  /** Job `index` is under way, `fraction` (0..1) done. */
  progress(index: number, fraction: number): void {
    this.running.set(index, Math.min(1, Math.max(0, fraction)));
    this.render();
  }

  jobDone(index: number): void {
    this.running.delete(index);
    this.done++;
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
          format: ' {bar} {percentage}% | jobs {done}/{jobs} | running {running} on {workers} workers | wall {wall} s | eta {eta_formatted}',
          hideCursor: true,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(this.total, 0, this.payload(wallS));
    }
    let partial = 0;
    for (const f of this.running.values()) partial += f;
    this.bar.update(Math.min(this.total, this.done + partial), this.payload(wallS));
  }

  private payload(wallS: number) {
    return { done: this.done, jobs: this.total, running: this.running.size, workers: this.workers, wall: wallS.toFixed(1) };
  }
}
