import { renderLoop } from '../render/loop.ts';
import { PARTITION_LOG_MAX } from '../render/partition.ts';
import type { ActionSpec, Frame, LoadInfo, SeriesPoint } from '../worker/protocol.ts';

/** Text panels re-render at most this often; canvases read the latest frame on every animation frame. */
const NOTIFY_MS = 100;

/**
 * The UI thread's copy of what the worker sent: the latest frame (and when
 * it arrived, for interpolation), every lane's series so far, the recorded
 * actions. React components subscribe through useSyncExternalStore and see
 * a version number that moves at most 10 times a second.
 */
export interface PartitionSeen { key: string; seq: number; renderFrame: number; nowUs: number; prevNowUs: number }

export class FrameStore {
  info: LoadInfo | undefined;
  frame: Frame | undefined;
  /** performance.now() when `frame` arrived, and the gap to the one before. */
  frameAt = 0;
  frameGapMs = 33;
  /** Series per lane, accumulated. */
  series: SeriesPoint[][] = [];
  seriesVersion = 0;
  recorded: ActionSpec[] = [];
  framesReceived = 0;
  error: string | undefined;
  /**
   * Per lane, the worker frame that brought the partitions now in force (or
   * their end), the render frame in which it arrived, and the simulated
   * time of the frame before it (tests: a cut is drawn within one frame).
   */
  partitionSeen: PartitionSeen[] = [];
  /** Per lane, the last PARTITION_LOG_MAX changes (a test reads a change after the playhead has moved on). */
  partitionSeenLog: PartitionSeen[][] = [];
  private version = 0;
  private listeners = new Set<() => void>();
  private notifyTimer: ReturnType<typeof setTimeout> | undefined;
  private lastNotify = 0;

  reset(info: LoadInfo | undefined): void {
    this.info = info;
    this.frame = undefined;
    this.series = info ? info.strategies.map(() => []) : [];
    this.seriesVersion++;
    this.recorded = [];
    this.framesReceived = 0;
    this.error = undefined;
    this.partitionSeen = [];
    this.partitionSeenLog = [];
    this.notify(true);
  }

  /**
   * Takes a frame. In a page, the promise resolves once an animation frame
   * has run after it (painted it): the worker, which waits for it before its
   * next frame, then never sends frames faster than the page paints them —
   * at speed max a busy machine painted 15 of 30 frames a second and spent
   * the rest of its time receiving the others.
   */
  push(frame: Frame): Promise<void> | undefined {
    this.take(frame);
    return typeof requestAnimationFrame === 'function' ? new Promise<void>((r) => requestAnimationFrame(() => r())) : undefined;
  }

  private take(frame: Frame): void {
    const now = performance.now();
    if (this.frame) this.frameGapMs = Math.min(250, Math.max(10, now - this.frameAt));
    const prevNowUs = this.frame?.nowUs ?? -1;
    frame.lanes.forEach((lane, i) => {
      const key = lane.partition?.names.join('\n') ?? '';
      if (key === (this.partitionSeen[i]?.key ?? '')) return;
      const seen = { key, seq: frame.seq, renderFrame: renderLoop.frames, nowUs: frame.nowUs, prevNowUs };
      this.partitionSeen[i] = seen;
      const log = (this.partitionSeenLog[i] ??= []);
      log.push(seen);
      if (log.length > PARTITION_LOG_MAX) log.shift();
    });
    this.frame = frame;
    this.frameAt = now;
    this.framesReceived++;
    let grew = false;
    frame.lanes.forEach((lane, i) => {
      if (lane.seriesReset) {
        this.series[i] = [...lane.series];
        grew = true;
        return;
      }
      if (lane.series.length === 0) return;
      // A loop, not push(...series): a batch longer than the engine's argument limit (65,536 in Safari) would throw.
      const into = (this.series[i] ??= []);
      for (const p of lane.series) into.push(p);
      grew = true;
    });
    if (grew) this.seriesVersion++;
    this.recorded = frame.recorded;
    this.notify(!frame.playing);
  }

  setError(e: string | undefined): void {
    this.error = e;
    this.notify(true);
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getVersion = (): number => this.version;

  /** Bumps the version now or within NOTIFY_MS (coalesced). */
  private notify(now: boolean): void {
    const t = performance.now();
    if (now || t - this.lastNotify >= NOTIFY_MS) {
      if (this.notifyTimer !== undefined) clearTimeout(this.notifyTimer);
      this.notifyTimer = undefined;
      this.fire(t);
    } else if (this.notifyTimer === undefined) {
      this.notifyTimer = setTimeout(() => {
        this.notifyTimer = undefined;
        this.fire(performance.now());
      }, NOTIFY_MS - (t - this.lastNotify));
    }
  }

  private fire(t: number): void {
    this.lastNotify = t;
    this.version++;
    for (const fn of this.listeners) fn();
  }
}
