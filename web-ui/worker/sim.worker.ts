/// <reference lib="webworker" />
/**
 * The simulation worker: owns the Session and the wall clock. While playing
 * it advances the lanes in slices of at most SLICE_MS of wall time (so
 * commands from the UI get through between slices) towards the simulated
 * time the speed asks for, and posts a frame at most every FRAME_MS (~30/s),
 * never while the UI has not yet taken the previous one.
 */
import * as Comlink from 'comlink';
import { KadInspector } from './kad-view.ts';
import { addActions, checkActions, runTo } from './lane-control.ts';
import { gzipText } from './live-recording.ts';
import { ReplaySession, replayTexts } from './replay-session.ts';
import { Session } from './session.ts';
import { followWave, stopWave, watchWave } from './gossip-wave.ts';
import { type FaultRequest, type FaultResult, type Frame, type LoadInfo, type LoadRequest, type SimWorkerApi, type ViewOptions } from './protocol.ts';

const SLICE_MS = 24;
const FRAME_MS = 33;
/** Events per call to Session.advance, adapted so one call takes about CALL_MS (events cost ~1 µs in small runs, ~60 µs in a 2,500-peer join storm). */
let eventsPerCall = 500;
const CALL_MS = 4;
/** The simulated-time goal never runs more than this much wall time ahead of a lagging simulation. */
const MAX_LAG_S = 0.5;

/** A live simulation, or a replay file played back (the same frames either way). */
let session: Session | ReplaySession | undefined;
/** The live session, when that is what is loaded (faults, stepping, inspecting and export need one). */
const live = () => (session instanceof Session ? session : undefined);
let onFrame: ((f: Frame) => void | Promise<void>) | undefined;
/** Records the inspected Kademlia peer's lookups (one peer at a time). */
const kad = new KadInspector();
let view: ViewOptions = { layout: true, messages: false };
let playing = false;
let speed = 1;
/** Simulated time the wall clock asks for. */
let goalUs = 0;
/** A step-round target: advance to it, then pause. */
let stopAtUs: number | undefined;
let lastWall = 0;
let seq = 0;
let lastFrameWall = -Infinity;
let frameInFlight = false;
let dirty = false;
let scheduled = false;
let rate = { wall: 0, events: 0, perS: 0 };
/** Achieved simulated seconds per wall second while playing, measured over SPEED_WINDOW_MS windows (NaN: not measured yet). */
let achieved = { wall: 0, nowUs: 0, perS: Number.NaN };
const SPEED_WINDOW_MS = 1000;
/** The lane pool's lockstep limit: never advance past it while playing (client/lane-pool.ts raises it). */
let limitUs = Number.POSITIVE_INFINITY;
/** Wall ms spent advancing and the simulated time gained, since `pace.wall` (the lane's own pace, waits left out). */
let busy = { ms: 0, wall: 0, nowUs: 0, perS: Number.NaN };
/** Nothing to run until the wall clock or the limit moves: look again this much later instead of spinning a core another lane could use. */
const IDLE_MS = 4;
let idleTimer: ReturnType<typeof setTimeout> | undefined;

// A zero-delay yield: setTimeout(0) is clamped to 4 ms once nested.
const channel = new MessageChannel();
channel.port1.onmessage = () => tick();

function schedule(): void {
  if (idleTimer !== undefined) {
    clearTimeout(idleTimer);
    idleTimer = undefined;
  }
  if (scheduled) return;
  scheduled = true;
  channel.port2.postMessage(0);
}

function tick(): void {
  scheduled = false;
  const s = session;
  if (!s) return;
  const start = performance.now();
  const running = playing || stopAtUs !== undefined;
  let idle = false;
  if (running && !s.done) {
    const dt = Math.min(250, start - lastWall) / 1000;
    lastWall = start;
    let goal: number;
    if (stopAtUs !== undefined) goal = stopAtUs;
    else if (!Number.isFinite(speed)) goal = s.endUs;
    else {
      const v = speed * 1e6;
      goalUs = Math.min(s.endUs, Math.max(goalUs, s.nowUs) + dt * v, s.nowUs + MAX_LAG_S * v);
      goal = goalUs;
    }
    goal = Math.min(goal, limitUs);
    let reached = false;
    while (!reached && performance.now() - start < SLICE_MS) {
      const t0 = performance.now();
      reached = s.advance(goal, eventsPerCall);
      const dt = performance.now() - t0;
      busy.ms += dt;
      if (!reached) eventsPerCall = dt < CALL_MS / 2 ? Math.min(1 << 16, eventsPerCall * 2) : dt > CALL_MS * 2 ? Math.max(16, eventsPerCall >> 1) : eventsPerCall;
    }
    idle = reached && performance.now() - start < CALL_MS;
    if (reached && stopAtUs !== undefined && s.nowUs >= stopAtUs) {
      stopAtUs = undefined;
      playing = false;
    }
    dirty = true;
  }
  if (s.done) {
    playing = false;
    stopAtUs = undefined;
  }
  const now = performance.now();
  if (dirty && !frameInFlight && now - lastFrameWall >= FRAME_MS) postFrame(now);
  const work = (playing || stopAtUs !== undefined) && !s.done && !idle;
  if (work) schedule();
  else if (idle || (dirty && !frameInFlight)) {
    // At the goal (the wall clock's or the lockstep limit), or a frame not due yet: look again a
    // little later rather than spin a core another lane could use (a frame in flight reschedules when taken).
    if (idleTimer === undefined && !scheduled) idleTimer = setTimeout(() => ((idleTimer = undefined), schedule()), IDLE_MS);
  }
}

function postFrame(now: number): void {
  const s = session;
  if (!s || !onFrame) return;
  const events = s.events;
  if (now - rate.wall >= 500) {
    rate = { wall: now, events, perS: rate.wall > 0 ? ((events - rate.events) * 1000) / (now - rate.wall) : 0 };
  }
  const running = playing || stopAtUs !== undefined;
  if (!running) achieved = { wall: 0, nowUs: s.nowUs, perS: achieved.perS }; // the last measurement stays; a new window starts with play
  else if (achieved.wall === 0) achieved = { wall: now, nowUs: s.nowUs, perS: achieved.perS };
  else if (now - achieved.wall >= SPEED_WINDOW_MS || s.done) {
    achieved = { wall: now, nowUs: s.nowUs, perS: (s.nowUs - achieved.nowUs) / 1e6 / ((now - achieved.wall) / 1000) };
  }
  if (!running) busy = { ms: 0, wall: 0, nowUs: s.nowUs, perS: busy.perS };
  else if (busy.wall === 0) busy = { ms: 0, wall: now, nowUs: s.nowUs, perS: busy.perS };
  else if ((now - busy.wall >= SPEED_WINDOW_MS || s.done) && busy.ms > 0) {
    busy = { ms: 0, wall: now, nowUs: s.nowUs, perS: (s.nowUs - busy.nowUs) / 1e6 / (busy.ms / 1000) };
  }
  const { frame, transfer } = s.frame(view, seq++, running, rate.perS);
  frame.simSecondsPerS = achieved.perS;
  frame.busySimSecondsPerS = busy.perS;
  dirty = false;
  lastFrameWall = now;
  frameInFlight = true;
  Promise.resolve(onFrame(Comlink.transfer(frame, transfer as Transferable[])))
    .catch(() => undefined) // the page went away or threw: keep simulating, try the next frame
    .finally(() => {
      frameInFlight = false;
      if (dirty) schedule();
    });
}

/** Something changed while paused: send a frame soon. */
function refresh(): void {
  dirty = true;
  schedule();
}

/** Forgets what was loaded and takes the new frame callback. */
function unload(cb: (f: Frame) => void): void {
  playing = false;
  stopAtUs = undefined;
  session = undefined;
  // The previous load's callback proxy holds a MessagePort: release it.
  (onFrame as Partial<Comlink.Remote<unknown>> | undefined)?.[Comlink.releaseProxy]?.();
  onFrame = cb;
  frameInFlight = false;
}

function start(s: Session | ReplaySession): LoadInfo {
  session = s;
  goalUs = s.nowUs;
  seq = 0;
  rate = { wall: 0, events: 0, perS: 0 };
  achieved = { wall: 0, nowUs: s.nowUs, perS: Number.NaN };
  busy = { ms: 0, wall: 0, nowUs: s.nowUs, perS: Number.NaN };
  limitUs = Number.POSITIVE_INFINITY;
  refresh();
  return s.info();
}

const api: SimWorkerApi = {
  async load(req: LoadRequest, cb: (f: Frame) => void): Promise<LoadInfo> {
    unload(cb);
    return start(new Session(req));
  },
  async loadReplay(files: { bytes: ArrayBuffer; source: string }[], cb: (f: Frame) => void): Promise<LoadInfo> {
    unload(cb);
    const texts = await replayTexts(files);
    return start(new ReplaySession(texts));
  },
  seek(tUs: number) {
    if (!(session instanceof ReplaySession)) return;
    session.seek(tUs);
    goalUs = session.nowUs;
    lastWall = performance.now();
    refresh();
  },
  play() {
    if (!session || session.done) return;
    playing = true;
    lastWall = performance.now();
    goalUs = session.nowUs;
    schedule();
  },
  pause() {
    playing = false;
    stopAtUs = undefined;
    refresh();
  },
  setSpeed(v: number) {
    speed = v > 0 ? v : 1;
    if (session) goalUs = session.nowUs;
  },
  async stepEvent() {
    playing = false;
    stopAtUs = undefined;
    const stepped = live()?.stepEvent();
    refresh();
    return stepped;
  },
  async stepRound() {
    const s = live();
    if (!s || s.done) return;
    playing = false;
    stopAtUs = Math.min(s.endUs, s.nowUs + s.roundUs);
    lastWall = performance.now();
    schedule();
  },
  setView(v: ViewOptions) {
    view = { ...v };
    refresh();
  },
  async fault(f: FaultRequest): Promise<FaultResult> {
    const s = live();
    if (!s) return { ok: false, error: session ? 'a replay cannot take faults: load a scenario' : 'nothing loaded' };
    const r = s.fault(f);
    refresh();
    return r;
  },
  async followWave(lane: number, peer: number): Promise<FaultResult> {
    const s = live();
    const r: FaultResult = s ? followWave(s, lane, peer) : { ok: false, error: 'follow a wave in a live run (not a replay)' };
    refresh();
    return r;
  },
  stopWave() {
    const s = live();
    if (s) stopWave(s);
    refresh();
  },
  async watchWave(lane: number, peer: number) {
    const s = live();
    const r = s ? watchWave(s, lane, peer) : ({ ok: false, error: 'follow a wave in a live run (not a replay)' } as const);
    refresh();
    return r;
  },
  setLimit(tUs: number) {
    limitUs = tUs;
    if (playing || stopAtUs !== undefined) schedule();
  },
  async runTo(tUs: number) {
    const s = live();
    if (!s) throw new Error('nothing live loaded');
    const before = s.events;
    const c = runTo(s, tUs);
    if (s.events !== before) refresh();
    return c;
  },
  stepTo(tUs: number) {
    const s = live();
    if (!s || s.done) return;
    playing = false;
    stopAtUs = Math.min(s.endUs, tUs);
    lastWall = performance.now();
    schedule();
  },
  async checkActions(raws: Record<string, unknown>[]) {
    const s = live();
    if (!s) return 'nothing live loaded';
    const r = checkActions(s, raws);
    return typeof r === 'string' ? r : undefined;
  },
  async addActions(raws: Record<string, unknown>[]) {
    const s = live();
    if (!s) return 'nothing live loaded';
    const r = addActions(s, raws);
    refresh();
    return r;
  },
  async inspect(lane: number, peer: number) {
    return live()?.inspect(lane, peer);
  },
  async mapTruth(lane: number, peer: number) {
    const m = live()?.mapTruth(lane, peer);
    return m && Comlink.transfer(m, [m.held.buffer, m.missing.buffer, m.stale.buffer, m.deadKnown.buffer]);
  },
  async kadView(lane: number, peer: number) {
    const v = kad.view(live()?.lanes[lane]?.sim, peer);
    return v?.path ? Comlink.transfer(v, [v.path.edges.buffer]) : v;
  },
  async saveReplay() {
    const s = live();
    if (!s) throw new Error(session ? 'a replay is already a replay file' : 'nothing loaded');
    const files = await Promise.all(s.replayFiles().map(async (f) => ({ name: f.name, bytes: await gzipText(f.text) })));
    return Comlink.transfer(files, files.map((f) => f.bytes.buffer as ArrayBuffer));
  },
  async exportSession() {
    const s = live();
    if (!s) throw new Error(session ? 'a replay has no session to export' : 'nothing loaded');
    return s.exportYaml();
  },
};

Comlink.expose(api);
