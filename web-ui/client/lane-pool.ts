import { faultActions } from '../worker/fault-actions.ts';
import type { ActionSpec, FaultRequest, FaultResult, Frame, LaneClock, LaneFrame, LoadInfo, LoadRequest, SimWorkerApi, SteppedEvent, ViewOptions } from '../worker/protocol.ts';

/** A worker's API as the UI thread sees it (through comlink: every call answers with a promise). */
export type LaneApi = { [K in keyof SimWorkerApi]: SimWorkerApi[K] extends (...a: infer A) => infer R ? (...a: A) => Promise<Awaited<R>> : never };
export interface LaneWorker {
  api: LaneApi;
  terminate(): void;
}
export interface PoolOptions {
  /** Starts worker number `index` (a module Web Worker; an in-memory lane in tests). */
  spawn(index: number): LaneWorker;
  /** Makes a frame callback callable from the worker (Comlink.proxy); identity in tests. */
  callback?<T extends (f: Frame) => void>(fn: T): T;
  /** Wall clock in ms (performance.now). */
  now?(): number;
  /** Combined frames go to the page at most this often (0: on every lane frame). */
  frameMs?: number;
}

/** While playing, no lane runs further ahead of the slowest than this much wall time at the speed asked (or, at "max", the slowest lane's own pace). */
export const LOCKSTEP_WALL_S = 0.1;
/** At "max" (nobody reads the clock to the ms): half a second of the slowest lane's pace, so a late frame (a loaded UI thread) does not leave the slowest lane waiting at the limit. */
export const MAX_SPEED_WALL_S = 0.5;
/** …and never less than this much simulated time (frames come every ~33 ms: less would stall the lanes between two of them). */
export const MIN_WINDOW_US = 50_000;
/** At "max", before any lane has measured its pace. */
const DEFAULT_PACE = 10;
/** How long the achieved (common) speed is measured over. */
const SPEED_WINDOW_MS = 1000;
/** Candidate instants tried for a fault (each a whole ms, the first with no event pending in any lane wins). */
const MAX_QUIET_TRIES = 1000;

type PerLane = { [K in keyof SimWorkerApi]: SimWorkerApi[K] extends (lane: number, ...rest: infer _R) => unknown ? K : never }[keyof SimWorkerApi];
type Rest<K extends PerLane> = SimWorkerApi[K] extends (lane: number, ...rest: infer R) => unknown ? R : never;

/**
 * The UI thread's side of the simulation: one Web Worker per lane of a live
 * side-by-side view (one worker for a single lane or for replays), kept in
 * lockstep of simulated time, their frames merged into the one Frame the
 * page draws. Lockstep rule: while playing, a lane never passes the limit
 * the pool sets: the time the page shows (the slowest lane's clock) plus a
 * window (LOCKSTEP_WALL_S of wall time at the speed), raised as frames are
 * shown and frozen from the moment a fault is pressed; faults and steps pause
 * every lane, bring them to one instant, act, and resume. Method names are the worker's (SimWorkerApi).
 */
export class LanePool {
  private workers: LaneWorker[] = [];
  /** Lane → worker and lane within it. */
  private route: { w: number; lane: number }[] = [];
  /** Per worker, its latest frame; per lane, the latest lane frame and what came since the last combined frame. */
  private wf: (Frame | undefined)[] = [];
  private latest: (LaneFrame | undefined)[] = [];
  private pending: (LaneFrame | undefined)[] = [];
  private gen = 0;
  private live = false;
  private onFrame: ((f: Frame) => unknown) | undefined;
  /** Resolves once the page has painted the last combined frame: each worker waits for it before its next frame. */
  private painted: Promise<void> | undefined;
  private info: LoadInfo | undefined;
  private playing = false;
  private speed = 1;
  private view: ViewOptions | undefined;
  private seq = 0;
  private lastEmit = Number.NEGATIVE_INFINITY;
  private emitTimer: ReturnType<typeof setTimeout> | undefined;
  private achieved = { wall: 0, nowUs: 0, perS: Number.NaN };
  /** Busy with a fault or a step: the limit stays where it is. */
  private holding = 0;
  private partitions: string[] = [];
  private faultCount = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** The lockstep limit last sent to the workers. */
  limitUs = 0;

  constructor(private readonly opts: PoolOptions) {}

  /** Workers running now (the page shows it: one per lane side by side). */
  get workerCount(): number {
    return this.workers.length;
  }

  /** How far ahead of the slowest lane another may run while playing (simulated µs). */
  windowUs(): number {
    const paces = this.wf.map((f) => f?.busySimSecondsPerS ?? Number.NaN).filter((x) => Number.isFinite(x) && x > 0);
    const finite = Number.isFinite(this.speed);
    const v = finite ? this.speed : paces.length > 0 ? Math.min(...paces) : DEFAULT_PACE;
    return Math.max(MIN_WINDOW_US, Math.round((finite ? LOCKSTEP_WALL_S : MAX_SPEED_WALL_S) * v * 1e6));
  }

  load(req: LoadRequest, onFrame: (f: Frame) => unknown): Promise<LoadInfo> {
    return this.serial(async () => {
      const strategies = req.strategies && req.strategies.length > 0 ? req.strategies : undefined;
      const reqs = strategies ? strategies.map((s) => ({ ...req, strategies: [s], sideBySide: strategies })) : [req];
      const gen = this.reset(reqs.length, onFrame, true);
      const got = await Promise.allSettled(this.workers.map((w, i) => w.api.load(reqs[i], this.laneCallback(i, gen))));
      if (got[0].status === 'rejected') throw got[0].reason;
      const infos = got.map((g) => (g.status === 'fulfilled' ? g.value : undefined));
      // Not a node protocol (no strategies to swap): one lane, as the single worker always did.
      if (strategies && infos[0]!.strategies[0] !== strategies[0]) this.shrink(1);
      else for (const g of got) if (g.status === 'rejected') throw g.reason;
      this.route = this.workers.map((_, w) => ({ w, lane: 0 }));
      this.info = { ...infos[0]!, strategies: infos.slice(0, this.workers.length).flatMap((i) => i!.strategies) };
      this.raiseLimit(this.windowUs(), true);
      return this.info;
    });
  }

  /** Replays hold no simulation (frames are read from the file): one worker, every lane in it, as before. */
  loadReplay(files: { bytes: ArrayBuffer; source: string }[], onFrame: (f: Frame) => unknown): Promise<LoadInfo> {
    return this.serial(async () => {
      const gen = this.reset(1, onFrame, false);
      const info = await this.workers[0].api.loadReplay(files, this.laneCallback(0, gen));
      this.route = info.strategies.map((_, lane) => ({ w: 0, lane }));
      this.info = info;
      return info;
    });
  }

  play(): Promise<void> {
    return this.serial(async () => {
      this.playing = true;
      this.achieved = { wall: 0, nowUs: 0, perS: this.achieved.perS };
      await this.all((w) => w.play());
    });
  }

  pause(): Promise<void> {
    return this.serial(async () => {
      this.playing = false;
      await this.all((w) => w.pause());
    });
  }

  setSpeed(v: number): Promise<void> {
    this.speed = v > 0 ? v : 1;
    return this.all((w) => w.setSpeed(v)).then(() => undefined);
  }

  setView(v: ViewOptions): Promise<void> {
    this.view = { ...v };
    return this.all((w) => w.setView(v)).then(() => undefined);
  }

  seek(tUs: number): Promise<void> {
    return this.workers[0]?.api.seek(tUs) ?? Promise.resolve();
  }

  /** One event of lane 0, and what it was; the other lanes run every event up to its clock. */
  stepEvent(): Promise<SteppedEvent | undefined> {
    return this.serial(() => {
      this.playing = false;
      return this.held(async () => {
        if (!this.live) return undefined;
        const stepped = await this.workers[0].api.stepEvent();
        const c0 = await this.workers[0].api.runTo(-1);
        await this.all((w, i) => (i === 0 ? Promise.resolve(c0) : w.runTo(c0.nowUs)));
        return stepped;
      });
    });
  }

  /** One gossip round from the slowest lane's clock: every lane steps to the same time, then pauses. */
  stepRound(): Promise<void> {
    return this.serial(async () => {
      if (!this.live || !this.info) return;
      this.playing = false;
      await this.all((w) => w.pause());
      const clocks = await this.all((w) => w.runTo(-1));
      if (clocks.every((c) => c.done)) return;
      const target = Math.min(clocks[0].endUs, Math.min(...clocks.map((c) => c.nowUs)) + Math.round(this.info.roundS * 1e6));
      this.raiseLimit(target, false);
      await this.all((w) => w.stepTo(target));
    });
  }

  /**
   * A fault button, applied at the same simulated instant in every lane: the
   * lanes pause; the instant is the first whole ms after both the time shown
   * when it was pressed (`shownUs`) and every lane's clock (no lane is ever
   * past it) at which no lane has an event pending; each lane runs up to just
   * before it, every lane checks the actions, then each schedules them.
   */
  fault(req: FaultRequest, shownUs = 0): Promise<FaultResult> {
    // The limit stops rising from the press on (not from when the queue gets to it).
    this.holding++;
    const done = () => void (this.holding = Math.max(0, this.holding - 1));
    return this.serial(() =>
      this.held(async (): Promise<FaultResult> => {
        if (!this.live) return { ok: false, error: this.workers.length > 0 ? 'a replay cannot take faults: load a scenario' : 'nothing loaded' };
        const clocks = await this.all((w) => w.runTo(-1));
        if (clocks.every((c) => c.done)) return { ok: false, error: 'the run is over' };
        const timeless = faultActions(req, ++this.faultCount, this.partitions);
        if (typeof timeless === 'string') return { ok: false, error: timeless };
        const endUs = clocks[0].endUs;
        let t = Math.floor(Math.max(shownUs, ...clocks.map((c) => c.maxNowUs)) / 1000) * 1000 + 1000;
        for (let tries = 0; ; tries++, t += 1000) {
          if (t >= endUs) return { ok: false, error: 'too close to the end of the run' };
          if (tries >= MAX_QUIET_TRIES) return { ok: false, error: 'found no quiet instant for the action' };
          const at = await this.all((w) => w.runTo(t - 1));
          if (at.every((c) => c.done || c.nextUs !== t)) break;
        }
        const raws = timeless.map((x) => ({ atS: t / 1e6, ...x }) as Record<string, unknown>);
        for (const e of await this.all((w) => w.checkActions(raws))) if (e !== undefined) return { ok: false, error: e };
        const added = await this.all((w) => w.addActions(raws));
        const bad = added.find((a): a is string => typeof a === 'string');
        if (bad !== undefined) return { ok: false, error: bad };
        const actions = added[0] as ActionSpec[];
        for (const a of actions) {
          if (a.do === 'partition') this.partitions.push(a.name);
          if (a.do === 'heal') this.partitions = this.partitions.filter((p) => p !== a.name);
        }
        return { ok: true, action: actions[actions.length - 1], actions };
      }),
    ).finally(done);
  }

  /** Calls a per-lane method of the worker that runs `lane` (with the lane index within that worker). */
  private perLane<K extends PerLane>(name: K) {
    return (lane: number, ...rest: Rest<K>): Promise<Awaited<ReturnType<SimWorkerApi[K]>>> => {
      const r = this.route[lane];
      if (!r) return Promise.resolve(undefined as Awaited<ReturnType<SimWorkerApi[K]>>);
      const fn = this.workers[r.w].api[name] as unknown as (lane: number, ...rest: Rest<K>) => Promise<Awaited<ReturnType<SimWorkerApi[K]>>>;
      return fn(r.lane, ...rest);
    };
  }

  readonly inspect = this.perLane('inspect');
  readonly mapTruth = this.perLane('mapTruth');
  readonly kadView = this.perLane('kadView');

  /**
   * Follows a gossip wave: the lane's worker watches the next event `peer`
   * originates, then the `announce` action goes to every lane at one instant
   * like a fault (so the exported session replays every lane).
   */
  async followWave(lane: number, peer: number, shownUs = 0): Promise<FaultResult> {
    const r = this.route[lane];
    if (!r || !this.live) return { ok: false, error: 'follow a wave in a live run (not a replay)' };
    await this.stopWave();
    const watched = await this.workers[r.w].api.watchWave(r.lane, peer);
    if (!watched.ok) return watched;
    const f = await this.fault({ kind: 'announce', peer }, shownUs);
    if (!f.ok) await this.workers[r.w].api.stopWave();
    return f;
  }

  async stopWave(): Promise<void> {
    await this.all((w) => w.stopWave());
  }

  /** Every lane's replay file (each worker names its own, as `peermap compare --record` does). */
  async saveReplay(): Promise<{ name: string; bytes: Uint8Array }[]> {
    return (await this.all((w) => w.saveReplay())).flat();
  }

  /** The scenario with the faults pressed (every lane holds the same actions). */
  exportSession(): Promise<string> {
    if (!this.workers[0]) return Promise.reject(new Error('nothing loaded'));
    return this.workers[0].api.exportSession();
  }

  terminate(): void {
    this.shrink(0);
  }

  /** Starts over with `n` workers (spawned or ended as needed); frames of earlier loads are dropped from now on. */
  private reset(n: number, onFrame: (f: Frame) => unknown, live: boolean): number {
    this.shrink(n);
    while (this.workers.length < n) this.workers.push(this.opts.spawn(this.workers.length));
    // Settings given before these workers existed (calls to one worker arrive in order: before the load).
    for (const w of this.workers) {
      void w.api.setSpeed(this.speed);
      if (this.view) void w.api.setView(this.view);
    }
    this.onFrame = onFrame;
    this.painted = undefined;
    this.live = live;
    this.info = undefined;
    this.wf = [];
    this.latest = [];
    this.pending = [];
    this.route = [];
    this.playing = false;
    this.seq = 0;
    this.limitUs = 0;
    this.holding = 0;
    this.partitions = [];
    this.faultCount = 0;
    this.achieved = { wall: 0, nowUs: 0, perS: Number.NaN };
    return ++this.gen;
  }

  private shrink(n: number): void {
    for (const w of this.workers.splice(n)) w.terminate();
  }

  private laneCallback(w: number, gen: number): (f: Frame) => void {
    // The worker waits for the answer before its next frame: the page's paint of the last combined frame.
    const fn = (f: Frame): Promise<void> | undefined => {
      if (gen === this.gen) this.take(w, f);
      return this.painted;
    };
    return this.opts.callback ? this.opts.callback(fn) : fn;
  }

  private take(w: number, f: Frame): void {
    this.wf[w] = f;
    const first = this.live ? w : 0;
    f.lanes.forEach((lane, j) => {
      const i = first + j;
      if (this.live) {
        lane.simSecondsPerS = f.simSecondsPerS;
        lane.busySimSecondsPerS = f.busySimSecondsPerS;
      }
      const p = this.pending[i];
      // Two frames of one lane before the page took either: keep the newer, with both frames' series.
      if (p && !lane.seriesReset) lane.series = [...p.series, ...lane.series];
      if (p?.seriesReset) lane.seriesReset = true;
      this.pending[i] = lane;
      this.latest[i] = lane;
    });
    this.emitSoon();
  }

  /** Moves the lockstep limit up (never down: a lane may already stand at it). */
  private raiseLimit(tUs: number, force: boolean): void {
    if (!force && tUs <= this.limitUs) return;
    this.limitUs = Math.max(this.limitUs, tUs);
    for (const w of this.workers) void w.api.setLimit(this.limitUs);
  }

  private emitSoon(): void {
    const frameMs = this.opts.frameMs ?? 33;
    const now = this.now();
    if (frameMs <= 0 || now - this.lastEmit >= frameMs) this.emit();
    else this.emitTimer ??= setTimeout(() => this.emit(), frameMs - (now - this.lastEmit));
  }

  private emit(): void {
    if (this.emitTimer !== undefined) clearTimeout(this.emitTimer);
    this.emitTimer = undefined;
    const lanesN = this.route.length || (this.live ? this.workers.length : 1);
    const frames = this.wf.slice(0, this.workers.length);
    // `includes`, not `some`: these arrays are sparse when a later worker's first frame comes first, and `some` skips holes.
    if (!this.onFrame || frames.length < this.workers.length || frames.includes(undefined) || this.latest.length < lanesN || this.latest.slice(0, lanesN).includes(undefined)) return;
    const wf = frames as Frame[];
    const lanes = this.latest.slice(0, lanesN).map((l, i) => this.pending[i] ?? { ...l!, series: [], seriesReset: false });
    this.pending = [];
    const now = this.now();
    this.lastEmit = now;
    const nowUs = Math.min(...wf.map((f) => f.nowUs));
    const done = wf.every((f) => f.done);
    const playing = this.live ? (this.playing || wf.some((f) => f.playing)) && !done : wf[0].playing;
    if (this.live && this.workers.length > 1) this.measure(now, nowUs, playing, done);
    // From the time the page shows (not a lane's newer clock): no lane gets further than one window past what is on screen.
    if (this.live && this.holding === 0 && playing) this.raiseLimit(nowUs + this.windowUs(), false);
    const shown = this.onFrame({
      seq: this.seq++,
      nowUs,
      endUs: wf[0].endUs,
      playing,
      done,
      lanes,
      recorded: wf[0].recorded,
      eventsPerS: wf.reduce((s, f) => s + f.eventsPerS, 0),
      simSecondsPerS: this.live && this.workers.length > 1 ? this.achieved.perS : wf[0].simSecondsPerS,
      busySimSecondsPerS: Math.min(...wf.map((f) => f.busySimSecondsPerS ?? Number.NaN)),
      workers: this.workers.length,
    });
    this.painted = shown instanceof Promise ? shown.then(() => undefined) : undefined;
  }

  /** The common time's speed (what the page achieves: the slowest lane's), over SPEED_WINDOW_MS windows while playing. */
  private measure(now: number, nowUs: number, playing: boolean, done: boolean): void {
    const a = this.achieved;
    if (!playing && !done) this.achieved = { wall: 0, nowUs, perS: a.perS };
    else if (a.wall === 0) this.achieved = { wall: now, nowUs, perS: a.perS };
    else if (now - a.wall >= SPEED_WINDOW_MS || done) this.achieved = { wall: now, nowUs, perS: (nowUs - a.nowUs) / 1e6 / ((now - a.wall) / 1000) };
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : performance.now();
  }

  /** Pauses every lane and keeps the limit still while `op` runs, then plays again if the page was playing. */
  private async held<T>(op: () => Promise<T>): Promise<T> {
    this.holding++;
    try {
      await this.all((w) => w.pause());
      return await op();
    } finally {
      this.holding--;
      if (this.playing) await this.all((w) => w.play());
    }
  }

  private all<T>(fn: (w: LaneApi, i: number) => Promise<T>): Promise<T[]> {
    return Promise.all(this.workers.map((w, i) => fn(w.api, i)));
  }

  /** One operation at a time (a fault is several round trips to every worker). */
  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

export type { LaneClock };
