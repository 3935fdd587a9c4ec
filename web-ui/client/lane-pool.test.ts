import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim-core/scenario/load.ts';
import { Simulation } from '../../sim-core/scenario/simulation.ts';
import { addActions, checkActions, runTo } from '../worker/lane-control.ts';
import type { Frame, LoadRequest } from '../worker/protocol.ts';
import { Session } from '../worker/session.ts';
import { LanePool, type LaneApi } from './lane-pool.ts';

const CLASSROOM = readFileSync('scenarios/classroom.yaml', 'utf8');
const SIDE = ['globalmap', 'kademlia', 'random'];

/** `peermap run FILE --seed N --strategy S` (the CLI runs exactly this). */
function cliHash(text: string, seed: number, strategy: string): string {
  return new Simulation(parseScenario(text.replace(/strategy: \w+/, `strategy: ${strategy}`), 'cli', { seed })).runToEnd().traceHash;
}

/**
 * A worker in memory: the worker's session and its lockstep limit, but it
 * only runs when the test ticks it, `eventsPerTick` events at a time — its
 * speed. Frames go to the pool after every tick, as the worker posts them.
 */
class MemLane {
  session: Session | undefined;
  private cb: ((f: Frame) => void) | undefined;
  limit = Number.POSITIVE_INFINITY;
  playing = false;
  stopAt: number | undefined;
  private seq = 0;
  constructor(readonly eventsPerTick: number) {}

  readonly api = {
    load: async (req: LoadRequest, cb: (f: Frame) => void) => {
      this.session = new Session(req);
      this.cb = cb;
      this.limit = Number.POSITIVE_INFINITY;
      this.post();
      return this.session.info();
    },
    play: async () => void (this.playing = true),
    pause: async () => {
      this.playing = false;
      this.stopAt = undefined;
    },
    setSpeed: async () => undefined,
    setView: async () => undefined,
    setLimit: async (t: number) => void (this.limit = t),
    runTo: async (t: number) => runTo(this.s, t),
    stepTo: async (t: number) => void (this.stopAt = t),
    stepEvent: async () => this.s.stepEvent(),
    checkActions: async (raws: Record<string, unknown>[]) => {
      const r = checkActions(this.s, raws);
      return typeof r === 'string' ? r : undefined;
    },
    addActions: async (raws: Record<string, unknown>[]) => addActions(this.s, raws),
    inspect: async (lane: number, peer: number) => this.s.inspect(lane, peer),
    exportSession: async () => this.s.exportYaml(),
  } as unknown as LaneApi;

  get s(): Session {
    return this.session!;
  }

  /** One slice of the worker's loop: towards the limit (or the step's end) while playing. */
  tick(): void {
    if (!this.playing && this.stopAt === undefined) return;
    const goal = Math.min(this.limit, this.stopAt ?? this.s.endUs);
    if (this.s.advance(goal, this.eventsPerTick) && this.stopAt !== undefined) this.stopAt = undefined;
    this.post();
  }

  private post(): void {
    const { frame } = this.s.frame({ layout: false, messages: false }, this.seq++, this.playing || this.stopAt !== undefined, 0);
    this.cb?.(frame);
  }
}

/** A pool over in-memory lanes with these speeds (events per tick), frames merged synchronously. */
function pool(speeds: number[]) {
  const lanes: MemLane[] = [];
  const p = new LanePool({ spawn: (i) => ((lanes[i] = new MemLane(speeds[i])), { api: lanes[i].api, terminate: () => undefined }), frameMs: 0 });
  const frames: Frame[] = [];
  return { p, lanes, frames, onFrame: (f: Frame) => frames.push(f) };
}

describe('lane pool: one worker per lane, lockstep of simulated time', () => {
  it('lanes at different speeds stay within the lockstep window of the slowest; the page shows the slowest clock; each lane equals its own CLI run', async () => {
    const { p, lanes, frames, onFrame } = pool([4000, 1000, 150]);
    const info = await p.load({ text: CLASSROOM, source: 'classroom.yaml', seed: 6, durationS: 30, strategies: SIDE }, onFrame);
    expect(info.strategies).toEqual(SIDE);
    expect(p.workerCount).toBe(3);
    await p.setSpeed(Number.POSITIVE_INFINITY);
    await p.play();
    let maxSpreadUs = 0;
    while (!lanes.every((l) => l.s.done)) {
      for (const l of lanes) l.tick();
      const clocks = lanes.map((l) => l.s.nowUs);
      for (const c of clocks) expect(c).toBeLessThanOrEqual(p.limitUs);
      const spread = Math.max(...clocks) - Math.min(...clocks);
      expect(spread).toBeLessThanOrEqual(p.windowUs());
      maxSpreadUs = Math.max(maxSpreadUs, spread);
      expect(frames[frames.length - 1].nowUs).toBe(Math.min(...clocks));
    }
    // The fast lanes did wait for the slow one (else the test proves nothing), and none is left behind.
    expect(maxSpreadUs).toBeGreaterThan(0);
    const last = frames[frames.length - 1];
    expect(last.done).toBe(true);
    expect(last.workers).toBe(3);
    expect(last.lanes.map((l) => l.traceHash)).toEqual(SIDE.map((s) => cliHash(CLASSROOM.replace('durationS: 120', 'durationS: 30'), 6, s)));
    // Every lane's series reached the page exactly once.
    const points = SIDE.map((_, i) => frames.flatMap((f) => f.lanes[i].series).map((x) => x.tS));
    for (const ts of points) expect(new Set(ts).size).toBe(ts.length);
  });

  it('a fault pressed while lanes run at different speeds applies at one instant in every lane, right after the time shown; the exported session replays every lane', async () => {
    const { p, lanes, frames, onFrame } = pool([3000, 700, 200]);
    const info = await p.load({ text: CLASSROOM, source: 'classroom.yaml', seed: 9, durationS: 60, strategies: SIDE }, onFrame);
    await p.setSpeed(Number.POSITIVE_INFINITY);
    await p.play();
    const runUntil = (tUs: number) => {
      while (frames[frames.length - 1].nowUs < tUs) for (const l of lanes) l.tick();
    };
    const [a, b] = info.continents;
    const presses = [
      { at: 12e6, req: { kind: 'kill-region', continent: a, restartAfterS: 10 } as const },
      { at: 25e6, req: { kind: 'isolate', continent: b } as const },
      { at: 33e6, req: { kind: 'heal-all' } as const },
    ];
    let pressedBehind = 0;
    for (const { at, req } of presses) {
      runUntil(at);
      const shown = frames[frames.length - 1].nowUs;
      const ahead = Math.max(...lanes.map((l) => l.s.nowUs));
      if (ahead > shown) pressedBehind++;
      const r = await p.fault(req, shown);
      expect(r).toMatchObject({ ok: true });
      if (!r.ok) continue;
      const atUs = Math.round(r.action.atS * 1e6);
      // Not before any lane's clock (no lane is past it), and within the lockstep window of what was shown.
      expect(atUs).toBeGreaterThan(ahead);
      expect(atUs - shown).toBeLessThanOrEqual(p.windowUs() + 10_000);
      for (const l of lanes) expect(l.s.lanes[0].sim.scenario.actions.at(-1)).toEqual(r.action);
      expect(lanes.every((l) => l.playing), 'playing again after the fault').toBe(true);
    }
    expect(pressedBehind, 'presses made while a lane ran ahead of the time shown').toBeGreaterThan(0);
    expect(await p.fault({ kind: 'heal' }, 0)).toMatchObject({ ok: false, error: 'no partition in force' });
    while (!lanes.every((l) => l.s.done)) for (const l of lanes) l.tick();
    const exported = await p.exportSession();
    expect(exported).toContain('--strategies globalmap,kademlia,random');
    const scenario = parseScenario(exported, 'exported.yaml');
    expect(scenario.actions.map((x) => x.do)).toEqual(['outage', 'partition', 'heal']);
    expect(lanes.map((l) => l.s.lanes[0].sim.traceHash)).toEqual(SIDE.map((s) => cliHash(exported, 9, s)));
  });

  it('step round and step event bring every lane to one time, then hold', async () => {
    const { p, lanes, onFrame } = pool([5000, 500, 50]);
    await p.load({ text: CLASSROOM, source: 'classroom.yaml', seed: 2, durationS: 20, strategies: SIDE }, onFrame);
    await p.stepRound();
    while (lanes.some((l) => l.stopAt !== undefined)) for (const l of lanes) l.tick();
    const round = lanes.map((l) => l.s.nowUs);
    expect(new Set(round).size).toBe(1);
    expect(round[0]).toBeGreaterThan(0);
    await p.stepEvent();
    const t = lanes[0].s.nowUs;
    expect(t).toBeGreaterThanOrEqual(round[0]);
    for (const l of lanes) expect(l.s.lanes[0].reached(t)).toBe(true);
    for (const l of lanes) l.tick();
    expect(lanes.map((l) => l.s.nowUs)).toEqual(lanes.map(() => t));
  });

  it('a scenario without strategies to swap runs in one worker even when side by side is asked', async () => {
    const { p, onFrame } = pool([1000, 1000, 1000]);
    const info = await p.load({ text: readFileSync('scenarios/quickstart.yaml', 'utf8'), source: 'quickstart.yaml', strategies: SIDE }, onFrame);
    expect(info.strategies.length).toBe(1);
    expect(p.workerCount).toBe(1);
  });
});

describe('lane pool: frames from workers in any order', () => {
  it('holds the combined frame until every worker has sent one, even when the last worker is heard from first', () => {
    const stub = { setSpeed: async () => undefined, setView: async () => undefined, setLimit: async () => undefined } as unknown as LaneApi;
    const p = new LanePool({ spawn: () => ({ api: stub, terminate: () => undefined }), frameMs: 0 });
    const shown: Frame[] = [];
    // A side-by-side load's set-up (the private steps load() runs before the workers answer).
    const internal = p as unknown as { reset(n: number, onFrame: (f: Frame) => void, live: boolean): number; take(w: number, f: Frame): void };
    internal.reset(3, (f) => shown.push(f), true);
    const frame = (w: number): Frame =>
      ({
        seq: 0,
        nowUs: 1000 * (w + 1),
        endUs: 60e6,
        playing: true,
        done: false,
        recorded: [],
        eventsPerS: 1,
        simSecondsPerS: 1,
        lanes: [{ strategy: SIDE[w], nowUs: 1000 * (w + 1), n: 0, series: [] }],
      }) as unknown as Frame;
    expect(() => internal.take(2, frame(2))).not.toThrow();
    expect(() => internal.take(1, frame(1))).not.toThrow();
    expect(shown).toHaveLength(0);
    internal.take(0, frame(0));
    expect(shown).toHaveLength(1);
    expect(shown[0].lanes.map((l) => l.strategy)).toEqual(SIDE);
    expect(shown[0].nowUs).toBe(1000);
  });
});
