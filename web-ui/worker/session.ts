import { isSeq, parseDocument, YAMLSeq } from 'yaml';
import { usToSeconds } from '../../sim-core/engine/time.ts';
import { parseScenario, validateScenarioObject } from '../../sim-core/scenario/load.ts';
import { actionSchema, type ActionSpec } from '../../sim-core/scenario/schema/actions.ts';
import type { Scenario } from '../../sim-core/scenario/schema/index.ts';
import { STRATEGIES, type Strategy } from '../../sim-core/scenario/schema/protocols.ts';
import { Simulation } from '../../sim-core/scenario/simulation.ts';
import type { SteppedEvent } from '../../sim-core/scenario/step-log.ts';
import { faultActions } from './fault-actions.ts';
import { withWave } from './gossip-wave.ts';
import { ForceLayout } from './layout.ts';
import { LaneRecording } from './live-recording.ts';
import { laneMapTruth, type MapTruth } from './map-truth.ts';
import { PEER_DOWN, PEER_UP, PEER_WAITING, type FaultRequest, type FaultResult, type Frame, type InFlight, type LaneFrame, type LoadInfo, type LoadRequest, type ViewOptions } from './protocol.ts';

/** Sends kept for the in-flight animation (per lane). */
const MESSAGE_LOG_CAPACITY = 8192;
/** In-flight messages sent per frame at most (the most recent). */
const MAX_IN_FLIGHT = 3000;
/** Lanes advance together in steps of at most this much simulated time, so none runs ahead. */
const LOCKSTEP_US = 50_000;
/** Events per call to Simulation.step (the caller checks its wall clock between calls). */
const CHUNK_EVENTS = 2000;

/** One simulation of the session (one strategy in the side-by-side view). */
export class Lane {
  readonly sim: Simulation;
  /** What "save replay" writes: the run so far, as `peermap run --record` would record it. */
  readonly recording: LaneRecording;
  /** 1 once a peer has been seen up (tells "not started yet" from "down"). */
  private seenUp = new Uint8Array(0);
  private seriesSent = 0;
  private prevFrameUs = -1;
  private layout: ForceLayout | undefined;
  private addrToIndex = new Int32Array(0);

  constructor(
    readonly strategy: string,
    scenario: Scenario,
    messageLog: boolean,
  ) {
    this.sim = new Simulation(scenario);
    if (messageLog) this.sim.world.enableMessageLog(MESSAGE_LOG_CAPACITY);
    this.recording = new LaneRecording(this.sim);
  }

  /** Runs at most `maxEvents` events up to `untilUs`, stopping at the recording's next capture (time chunks never change a run). */
  step(maxEvents: number, untilUs?: number): void {
    this.sim.step(maxEvents, Math.min(untilUs ?? this.sim.endUs, this.recording.nextUs));
    this.recording.afterStep();
  }

  get nowUs(): number {
    return this.sim.world.now;
  }

  /** Whether the lane has run every event up to `t` and its clock reads t (or the run is over). */
  reached(t: number): boolean {
    if (this.sim.done) return true;
    const next = this.sim.world.scheduler.nextTime();
    return this.sim.world.now >= t && (next === undefined || next > t);
  }

  /** A snapshot for the UI: fresh typed arrays (transferable); reads the world only. */
  frame(view: ViewOptions, transfer: ArrayBufferLike[]): LaneFrame {
    const sim = this.sim;
    const ov = sim.overlay()!;
    const n = ov.n;
    if (this.seenUp.length < n) {
      const s = new Uint8Array(Math.max(n, this.seenUp.length * 2));
      s.set(this.seenUp);
      this.seenUp = s;
    }
    const state = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (ov.alive[i] === 1) {
        state[i] = PEER_UP;
        this.seenUp[i] = 1;
      } else state[i] = this.seenUp[i] === 1 ? PEER_DOWN : PEER_WAITING;
    }
    const offsets = ov.offsets.slice();
    const targets = ov.targets.slice();
    const addresses = ov.addresses.slice();
    const series = sim.series.slice(this.seriesSent);
    this.seriesSent = sim.series.length;
    const out: LaneFrame = {
      strategy: this.strategy,
      nowUs: sim.world.now,
      events: sim.world.scheduler.eventsProcessed,
      traceHash: sim.traceHash,
      done: sim.done,
      endReason: this.endReason(),
      n,
      offsets,
      targets,
      state,
      addresses,
      series,
    };
    transfer.push(offsets.buffer, targets.buffer, state.buffer, addresses.buffer);
    const parts = sim.underlay.transit.partitions;
    if (parts.active > 0) {
      // Drawn from the instant the cut starts (the overlay keeps cut links until they time out).
      const sides = new Uint8Array(n);
      for (let i = 0; i < n; i++) sides[i] = parts.sideOf(addresses[i]);
      out.partition = { names: parts.inForce(), sides };
      transfer.push(sides.buffer);
    }
    if (view.layout) {
      this.layout ??= new ForceLayout(() => performance.now());
      this.layout.update(n, ov.offsets, ov.targets, state);
      this.layout.tick();
      out.positions = this.layout.positions(n);
      transfer.push(out.positions.buffer);
    }
    if (view.messages) {
      const f = this.inFlight(addresses);
      if (f) {
        out.inFlight = f;
        transfer.push(f.from.buffer, f.to.buffer, f.sentUs.buffer, f.arriveUs.buffer, f.type.buffer);
      }
    }
    this.prevFrameUs = sim.world.now;
    return out;
  }

  /** Why the run ended (not through result(), which builds the final metrics). */
  private endReason(): string | undefined {
    if (!this.sim.done) return undefined;
    return this.sim.world.now >= this.sim.endUs ? 'completed' : 'max-events';
  }

  /** Sends between honest peers still in flight after the previous frame (the most recent MAX_IN_FLIGHT). */
  private inFlight(addresses: Int32Array): InFlight | undefined {
    const log = this.sim.world.messageLog;
    if (!log) return undefined;
    const maxAddr = addresses.reduce((m, a) => Math.max(m, a), -1);
    if (this.addrToIndex.length <= maxAddr) this.addrToIndex = new Int32Array(maxAddr + 1);
    this.addrToIndex.fill(-1);
    addresses.forEach((a, i) => (this.addrToIndex[a] = i));
    const first = Math.max(0, log.written - log.capacity);
    const picked: number[] = [];
    for (let k = log.written - 1; k >= first && picked.length < MAX_IN_FLIGHT; k--) {
      const slot = k % log.capacity;
      if (log.arriveUs[slot] <= this.prevFrameUs) continue;
      const a = log.from[slot];
      const b = log.to[slot];
      if (a > maxAddr || b > maxAddr || this.addrToIndex[a] < 0 || this.addrToIndex[b] < 0) continue;
      picked.push(slot);
    }
    const count = picked.length;
    const f: InFlight = {
      count,
      from: new Int32Array(count),
      to: new Int32Array(count),
      sentUs: new Float64Array(count),
      arriveUs: new Float64Array(count),
      type: new Uint8Array(count),
    };
    picked.forEach((slot, i) => {
      f.from[i] = this.addrToIndex[log.from[slot]];
      f.to[i] = this.addrToIndex[log.to[slot]];
      f.sentUs[i] = log.sentUs[slot];
      f.arriveUs[i] = log.arriveUs[slot];
      f.type[i] = log.type[slot];
    });
    return f;
  }
}

/**
 * The dashboard's simulation core, free of DOM and of comlink so tests run
 * it in Node: one `Simulation` per lane (the scenario as written, or one per
 * strategy side by side, all from the same scenario and seed), advanced in
 * lockstep of simulated time; fault buttons become scenario actions; the
 * session exports as scenario YAML that replays it.
 */
export class Session {
  readonly lanes: Lane[];
  readonly base: Scenario;
  /** Actions recorded by fault buttons, as written to the exported file. */
  readonly recorded: Record<string, unknown>[] = [];
  private partitions: string[] = [];
  private faultCount = 0;

  constructor(readonly request: LoadRequest) {
    this.base = parseScenario(request.text, request.source, { seed: request.seed, durationS: request.durationS });
    const strategies = request.strategies?.filter((s): s is Strategy => (STRATEGIES as readonly string[]).includes(s)) ?? [];
    const base = this.base;
    if (strategies.length > 0 && base.protocol.kind === 'node') {
      const proto = base.protocol;
      // As `peermap compare` builds each strategy's run: a deep copy with the strategy swapped.
      this.lanes = strategies.map((s) => new Lane(s, { ...structuredClone(base), protocol: { ...structuredClone(proto), strategy: s } }, !!request.messageLog));
    } else {
      this.lanes = [new Lane(base.protocol.kind === 'node' ? base.protocol.strategy : base.protocol.kind, structuredClone(base), !!request.messageLog)];
    }
  }

  get endUs(): number {
    return this.lanes[0].sim.endUs;
  }

  /** The lanes' common time: the slowest lane's clock. */
  get nowUs(): number {
    return this.lanes.reduce((m, l) => Math.min(m, l.sim.done ? l.sim.endUs : l.nowUs), Number.POSITIVE_INFINITY);
  }

  get done(): boolean {
    return this.lanes.every((l) => l.sim.done);
  }

  /** One "gossip round" of simulated time: the global map's flush interval (1 s for other protocols). */
  get roundUs(): number {
    const p = this.base.protocol;
    return Math.round((p.kind === 'node' ? p.globalmap.flushIntervalS : 1) * 1e6);
  }

  get events(): number {
    return this.lanes.reduce((s, l) => s + l.sim.world.scheduler.eventsProcessed, 0);
  }

  info(): LoadInfo {
    const sim = this.lanes[0].sim;
    const s = this.base;
    const places = sim.hostPlaces();
    const typeNames: Record<number, string> = {};
    for (let t = 0; t < 256; t++) {
      const name = sim.typeName(t);
      if (name && !name.startsWith('type-')) typeNames[t] = name;
    }
    const present = places ? [...new Set(Array.from(places.continent.subarray(0, s.peers.count)))].sort((a, b) => a - b).map((c) => places.continents[c]) : [];
    return {
      name: s.name,
      description: s.description,
      seed: s.seed,
      durationS: s.durationS,
      peers: s.peers.count,
      strategies: this.lanes.map((l) => l.strategy),
      roundS: this.roundUs / 1e6,
      places: places && { lat: places.lat, lon: places.lon, continent: places.continent, continents: places.continents, cities: places.cities },
      continents: present,
      typeNames,
    };
  }

  /**
   * Advances every lane towards `goalUs` (at most `maxEvents` events in all),
   * in lockstep steps of LOCKSTEP_US; true once all lanes are there.
   */
  advance(goalUs: number, maxEvents: number): boolean {
    const goal = Math.floor(Math.min(goalUs, this.endUs)); // the clock holds whole µs only
    let left = maxEvents;
    while (left > 0) {
      const now = this.nowUs;
      if (this.lanes.every((l) => l.reached(goal))) return true;
      const t = Math.min(goal, Math.floor(now / LOCKSTEP_US) * LOCKSTEP_US + LOCKSTEP_US);
      for (const lane of this.lanes) {
        while (left > 0 && !lane.reached(t)) {
          const before = lane.sim.world.scheduler.eventsProcessed;
          lane.step(Math.min(left, CHUNK_EVENTS), t);
          left -= Math.max(1, lane.sim.world.scheduler.eventsProcessed - before);
        }
      }
      if (!this.lanes.every((l) => l.reached(t))) return false;
    }
    return this.lanes.every((l) => l.reached(goal));
  }

  /** Runs to the end in one go (tests). */
  runToEnd(): void {
    while (!this.advance(this.endUs, 1 << 20));
  }

  /** One event on lane 0, and what it was; the other lanes catch up to its clock. */
  stepEvent(): SteppedEvent | undefined {
    const lead = this.lanes[0];
    if (lead.sim.done) return undefined;
    const stepped = lead.sim.stepOneNoting(); // past a capture time if need be: captured late, at this event's time
    lead.recording.afterStep();
    const t = lead.nowUs;
    for (const lane of this.lanes.slice(1)) while (!lane.reached(t)) lane.step(1 << 16, t);
    return stepped;
  }

  /**
   * Records a fault as a scenario action at the first whole millisecond after
   * now at which no lane has an event pending, and schedules it in every
   * lane through the runner's own path (Simulation.addAction). Why "no event
   * pending": in a replay of the exported file the action is scheduled at
   * construction, so it runs before any event of the same instant; here it
   * is scheduled late, so it would run after those already queued. With none
   * queued at that instant, both orders agree and the replay's trace hash is
   * this session's.
   */
  fault(req: FaultRequest): FaultResult {
    if (this.done) return { ok: false, error: 'the run is over' };
    const timeless = faultActions(req, ++this.faultCount, this.partitions);
    if (typeof timeless === 'string') return { ok: false, error: timeless };
    let atUs: number;
    try {
      atUs = this.quietTime();
    } catch (e) {
      return { ok: false, error: String(e) };
    }
    if (atUs >= this.endUs) return { ok: false, error: 'too close to the end of the run' };
    const raws = timeless.map((t) => ({ atS: usToSeconds(atUs), ...t }));
    let actions: ActionSpec[];
    try {
      actions = raws.map((raw) => actionSchema.parse(raw));
      // The file a replay loads must accept it (heal names, partitions in force, peer indices…).
      for (const lane of this.lanes) validateScenarioObject({ ...lane.sim.scenario, actions: [...lane.sim.scenario.actions, ...actions] }, 'session');
    } catch (e) {
      return { ok: false, error: e instanceof Error ? e.message : String(e) };
    }
    for (const action of actions) {
      for (const lane of this.lanes) lane.sim.addAction(structuredClone(action));
      if (action.do === 'partition') this.partitions.push(action.name);
      if (action.do === 'heal') this.partitions = this.partitions.filter((p) => p !== action.name);
    }
    this.recorded.push(...raws);
    return { ok: true, action: actions[actions.length - 1], actions };
  }

  /** The first whole ms after every lane's clock with no event pending at exactly that µs (lanes are run up to just before it). */
  private quietTime(): number {
    const now = this.lanes.reduce((m, l) => Math.max(m, l.nowUs), 0);
    let t = Math.floor(now / 1000) * 1000 + 1000;
    for (let tries = 0; tries < 100_000; tries++, t += 1000) {
      if (t >= this.endUs) return t;
      for (const lane of this.lanes) while (!lane.reached(t - 1)) lane.step(1 << 16, t - 1);
      if (this.lanes.every((l) => l.sim.done || l.sim.world.scheduler.nextTime() !== t)) return t;
    }
    throw new Error('found no quiet instant for the action');
  }

  /** Each lane's run so far as a replay file's text, named as `peermap compare --record` names them. */
  replayFiles(): { name: string; text: string }[] {
    return this.lanes.map((l) => ({ name: `replay-${(this.request.sideBySide?.length ?? this.lanes.length) > 1 ? l.strategy : this.base.name}-seed${this.base.seed}.ndjson.gz`, text: l.recording.text() }));
  }

  inspect(lane: number, peer: number): Record<string, unknown> | undefined {
    return this.lanes[lane]?.sim.peer(peer);
  }

  /** A peer's map against the overlay now (map-keeping protocols; undefined otherwise). */
  mapTruth(lane: number, peer: number): MapTruth | undefined {
    return laneMapTruth(this.lanes[lane]?.sim, peer);
  }

  /**
   * The scenario file of this session: the original text (comments kept) with
   * the seed and duration used and the recorded actions appended.
   * `npx peermap run` on it gives lane 0's trace hash; `peermap compare
   * --strategies …` gives every lane's.
   */
  exportYaml(): string {
    const doc = parseDocument(this.request.text);
    const s = this.base;
    doc.set('seed', s.seed);
    doc.set('durationS', s.durationS);
    if (this.recorded.length > 0) {
      let seq = doc.get('actions', true);
      if (!isSeq(seq)) {
        seq = new YAMLSeq();
        doc.set('actions', seq);
      }
      const items = (seq as YAMLSeq).items;
      this.recorded.forEach((raw, i) => {
        const node = doc.createNode(raw, { flow: true });
        if (i === 0) node.commentBefore = ' Recorded in the peermap dashboard (fault buttons).';
        items.push(node);
      });
    }
    const strategies = this.request.sideBySide ?? this.lanes.map((l) => l.strategy);
    const lines = [
      ` Session exported from the peermap dashboard at simulated ${usToSeconds(this.nowUs).toFixed(3)} s.`,
      ` Replay: npx peermap run FILE   (trace ${this.lanes[0].sim.done ? this.lanes[0].sim.traceHash : 'shown when the run ends'})`,
    ];
    if (strategies.length > 1) lines.push(` Side by side: npx peermap compare FILE --strategies ${strategies.join(',')} --seeds ${s.seed}`);
    doc.commentBefore = [...lines, doc.commentBefore ? `\n${doc.commentBefore}` : ''].join('\n').trimEnd();
    const text = doc.toString();
    parseScenario(text, 'exported session'); // never hand out a file the CLI would refuse
    return text;
  }

  /** One frame for the UI, and the buffers to transfer. */
  frame(view: ViewOptions, seq: number, playing: boolean, eventsPerS: number): { frame: Frame; transfer: ArrayBufferLike[] } {
    const transfer: ArrayBufferLike[] = [];
    const lanes = withWave(this, this.lanes.map((l) => l.frame(view, transfer)), transfer);
    const frame: Frame = {
      seq,
      nowUs: this.nowUs,
      endUs: this.endUs,
      playing,
      done: this.done,
      lanes,
      recorded: this.lanes[0].sim.scenario.actions.slice(this.lanes[0].sim.scenario.actions.length - this.recorded.length),
      eventsPerS,
    };
    return { frame, transfer };
  }
}
