import { DelayedBar } from '../progress.ts';

/** One progress bar for a whole comparison: jobs done out of the total, plus the job under way. */
export class CompareProgress {
  private readonly bar: DelayedBar<object>;
  private done = 0;
  private current = '';
  private fraction = 0;

  constructor(
    quiet: boolean,
    private readonly total: number,
  ) {
    this.bar = new DelayedBar(quiet, total, ' {bar} {percentage}% | jobs {done}/{jobs} | {current} | wall {wall} s | eta {eta_formatted}', 50);
  }

  get enabled(): boolean {
    return this.bar.enabled;
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
    this.bar.stop();
  }

  private render(): void {
    this.bar.update(this.done + this.fraction, (wallS) => {
      const current = this.done >= this.total ? 'done' : this.current ? `${this.current} ${(this.fraction * 100).toFixed(0)}%` : 'starting';
      return { done: this.done, jobs: this.total, current, wall: wallS.toFixed(1) };
    });
  }
}
