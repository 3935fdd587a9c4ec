import { DelayedBar } from '../progress.ts';

/**
 * One progress bar for a sweep: jobs done out of the total, counting the
 * fraction of each job under way (several run at once on a pool).
 */
export class SweepProgress {
  private readonly bar: DelayedBar<object>;
  private done = 0;
  private readonly running = new Map<number, number>();

  constructor(
    quiet: boolean,
    private readonly total: number,
    private readonly workers: number,
  ) {
    this.bar = new DelayedBar(quiet, total, ' {bar} {percentage}% | jobs {done}/{jobs} | running {running} on {workers} workers | wall {wall} s | eta {eta_formatted}', 50);
  }

  get enabled(): boolean {
    return this.bar.enabled;
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
    this.bar.stop();
  }

  private render(): void {
    let partial = 0;
    for (const f of this.running.values()) partial += f;
    this.bar.update(this.done + partial, (wallS) => ({ done: this.done, jobs: this.total, running: this.running.size, workers: this.workers, wall: wallS.toFixed(1) }));
  }
}
