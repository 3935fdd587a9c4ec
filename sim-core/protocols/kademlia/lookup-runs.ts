import type { TimeUs } from '../../engine/time.ts';
import { KAD_ID_BYTES } from '../../wire/constants.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { AppContext } from './app-context.ts';
import { LookupKind } from './app-metrics.ts';
import { TAG_WORKLOAD } from './constants.ts';
import { randomKadId, writeKadIdBytes } from './ids.ts';
import type { FindNodeSend, Lookup, LookupReport } from './lookup.ts';
import { LookupPathRecorder, type LookupPath } from './lookup-path.ts';
import { createJoinLookup, createLookup, createRefreshLookup } from './maintenance.ts';
import type { Requests } from './requests.ts';
import type { LookupRun } from './lookup-run.ts';

interface QueuedLookup {
  kind: LookupKind;
  bucket: number;
  /** Join lookups: extra candidates (bootstrap peers, learnt addresses). */
  seeds: readonly PeerNum[];
}

const NO_SEEDS: readonly PeerNum[] = Object.freeze([]);

/**
 * The lookups of a `KademliaApp` (join, refresh, workload): at most
 * `maxConcurrentLookups` run at once, each an α-parallel `Lookup` whose
 * FIND_NODEs go through the app's requests; more wait in a bounded queue.
 * How a finished lookup counts is the app's business (`onDone`).
 */
export class LookupRuns {
  private readonly active: LookupRun[] = [];
  private readonly queue: QueuedLookup[] = [];
  private joinRun: LookupRun | undefined;
  /** Opt-in (the dashboard's inspected peer): record the path of workload lookups; reading it never changes the run. */
  recordPaths = false;
  /** The last workload lookup recorded: finished, or the one started last while none has finished. */
  private lastPathFinished: LookupPath | undefined;
  private lastPathStarted: LookupPath | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly requests: Requests,
    /** A lookup ended (its requests are freed; the queue is served after this returns). */
    private readonly onDone: (run: LookupRun, report: LookupReport, now: TimeUs) => void,
  ) {}

  get running(): number {
    return this.active.length;
  }

  /** A join lookup is running, or first in line. */
  get joining(): boolean {
    return this.joinRun !== undefined || (this.queue.length > 0 && this.queue[0].kind === LookupKind.Join);
  }

  /** The path of the last workload lookup recorded (finished if any has since recording began). */
  get lastPath(): LookupPath | undefined {
    return this.lastPathFinished ?? this.lastPathStarted;
  }

  /** Stops recording and forgets the paths kept. */
  stopRecording(): void {
    this.recordPaths = false;
    this.lastPathFinished = this.lastPathStarted = undefined;
  }

  /** A (re)start: lookups in flight died with the process. */
  reset(): void {
    for (const r of this.active) r.finished = true;
    this.active.length = 0;
    this.queue.length = 0;
    this.joinRun = undefined;
  }

  /** Starts a lookup, or queues it (dropped, and counted, when the queue is full). */
  request(kind: LookupKind, bucket: number, now: TimeUs, seeds: readonly PeerNum[] = NO_SEEDS): void {
    if (this.active.length < this.ctx.cfg.maxConcurrentLookups) this.start(kind, bucket, now, seeds);
    else if (this.queue.length < this.ctx.cfg.maxQueuedLookups) this.queue.push({ kind, bucket, seeds });
    else this.ctx.stats.dropped[kind]++;
  }

  /** Starts the join lookup, or puts it first in line (never dropped). */
  startJoin(now: TimeUs, seeds: readonly PeerNum[]): void {
    if (this.active.length < this.ctx.cfg.maxConcurrentLookups) this.start(LookupKind.Join, -1, now, seeds);
    else this.queue.unshift({ kind: LookupKind.Join, bucket: -1, seeds });
  }

  /** Sends a lookup's requests; one that cannot even be attempted is reported failed at once (bounded by the query budget). */
  dispatch(run: LookupRun, sends: FindNodeSend[], now: TimeUs): void {
    for (let i = 0; i < sends.length && !run.finished; i++) {
      const to = sends[i].to;
      if (this.requests.find(run, to, now)) continue;
      this.ctx.stats.rpcSoftFailures++;
      if (run.lookup.done) break;
      const more = run.lookup.onFailure(now, to, true);
      for (let j = 0; j < more.length; j++) sends.push(more[j]);
    }
    if (run.lookup.done && !run.finished) this.finish(run, now);
  }

  /** Refresh lookups for the stale buckets not being refreshed already, farthest first. */
  refreshStale(now: TimeUs): void {
    const stale = this.ctx.table.bucketsNeedingRefresh(now);
    for (let i = stale.length - 1; i >= 0; i--) {
      const b = stale[i];
      if (this.queue.some((q) => q.kind === LookupKind.Refresh && q.bucket === b)) continue;
      if (this.active.some((r) => r.kind === LookupKind.Refresh && r.bucket === b)) continue;
      this.request(LookupKind.Refresh, b, now);
    }
  }

  /** Arms the next workload lookup (exponential interval; none if the workload is off). */
  scheduleWorkload(): void {
    const mean = this.ctx.cfg.lookupIntervalUs;
    if (mean <= 0) return;
    const api = this.ctx.api;
    api.setTimer(Math.max(1, Math.round(api.rng.exponential(mean))), TAG_WORKLOAD);
  }

  private start(kind: LookupKind, bucket: number, now: TimeUs, seeds: readonly PeerNum[]): void {
    const table = this.ctx.table;
    let lookup: Lookup;
    if (kind === LookupKind.Join) lookup = createJoinLookup(table, seeds, now);
    else if (kind === LookupKind.Refresh) lookup = createRefreshLookup(table, bucket, this.ctx.api.rng, now);
    else lookup = createLookup(table, now, randomKadId(this.ctx.api.rng));
    const targetBytes = new Uint8Array(KAD_ID_BYTES);
    writeKadIdBytes(lookup.target, 0, targetBytes, 0);
    const recorder = this.recordPaths && kind === LookupKind.Workload ? new LookupPathRecorder(lookup.initiator, lookup.target) : undefined;
    if (recorder) {
      lookup.observeWith(recorder);
      this.lastPathStarted = recorder.path;
    }
    const run: LookupRun = { kind, lookup, targetBytes, bucket, sent: 0, timeouts: 0, finished: false, recorder };
    if (kind === LookupKind.Join) this.joinRun = run;
    this.active.push(run);
    this.ctx.stats.lookupStarted(kind);
    this.dispatch(run, lookup.start(now), now);
  }

  private finish(run: LookupRun, now: TimeUs): void {
    run.finished = true;
    const at = this.active.indexOf(run);
    if (at >= 0) this.active.splice(at, 1);
    this.requests.completeRun(run);
    const report = run.lookup.report();
    if (run.kind === LookupKind.Join) this.joinRun = undefined;
    this.onDone(run, report, now);
    if (run.recorder && this.recordPaths) this.lastPathFinished = run.recorder.path;
    while (this.active.length < this.ctx.cfg.maxConcurrentLookups && this.queue.length > 0) {
      const q = this.queue.shift()!;
      this.start(q.kind, q.bucket, now, q.seeds);
    }
  }
}
