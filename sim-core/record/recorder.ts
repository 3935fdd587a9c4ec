import { secondsToUs, type TimeUs } from '../engine/time.ts';
import { MAX_MESSAGE_TYPES } from '../net/counters.ts';
import type { Simulation } from '../scenario/simulation.ts';
import {
  DIR_HIGH_DIALED,
  DIR_LOW_DIALED,
  DIR_UNKNOWN,
  REPLAY_FORMAT,
  REPLAY_VERSION,
  STATE_DOWN,
  STATE_UP,
  STATE_WAITING,
  type ReplayDelta,
  type ReplayHeader,
  type ReplayKey,
  type ReplayPartition,
  type ReplayRecord,
} from './format.ts';

export interface RecordOptions {
  /** Simulated seconds between captures (the time resolution of peer and link changes). */
  everyS: number;
  /** Simulated seconds between keyframes (full topology). */
  keyframeEveryS: number;
}

export const DEFAULT_RECORD: RecordOptions = { everyS: 1, keyframeEveryS: 60 };

/** Key of an undirected link between honest peers lo < hi. */
const linkKey = (lo: number, hi: number) => lo * 0x200000 + hi;

/**
 * Watches a Simulation from outside and turns it into replay records. It only
 * reads (Simulation.overlay, the World's connections and counters, series and
 * timeline), never schedules: the caller stops the run at `nextUs` (chunking a
 * run by time does not change it) and calls `capture()`, so a recorded run has
 * the trace of an unrecorded one.
 */
export class Recorder {
  readonly everyUs: TimeUs;
  readonly keyframeEveryUs: TimeUs;
  /** The next capture time. */
  nextUs: TimeUs = 0;
  private nextKeyUs = 0;
  private links = new Map<number, number>();
  private state: number[] = [];
  private addresses: number[] = [];
  private seriesSeen = 0;
  private faultsSeen = 0;
  /** Names of the partitions in force at the last capture (newline-joined). */
  private partitionsSeen = '';
  private sentSeen = new Float64Array(MAX_MESSAGE_TYPES);
  private finished = false;

  constructor(
    private readonly sim: Simulation,
    opts: RecordOptions,
    private readonly emit: (r: ReplayRecord) => void,
  ) {
    this.everyUs = Math.max(1, secondsToUs(opts.everyS));
    this.keyframeEveryUs = Math.max(this.everyUs, secondsToUs(opts.keyframeEveryS));
    emit(this.header());
  }

  /** Whether the run has run every event up to `nextUs`: time to capture. */
  due(): boolean {
    const w = this.sim.world;
    const next = w.scheduler.nextTime();
    return !this.finished && w.now >= this.nextUs && (next === undefined || next > this.nextUs);
  }

  /**
   * The record time of a capture now: whole µs. A capture between two events
   * (a paused dashboard) may find the clock at a fractional µs (some event
   * times are not whole); the state there is the state at the next whole µs
   * unless an event falls in between, which is the 1 µs the file cannot say.
   */
  private stamp(): TimeUs {
    return Math.ceil(this.sim.world.now);
  }

  /** Records what changed since the last capture (and a keyframe when one is due). */
  capture(): void {
    const t = this.stamp();
    this.emit(this.delta(t));
    if (t >= this.nextKeyUs) {
      this.emit(this.key(t));
      this.nextKeyUs = (Math.floor(t / this.keyframeEveryUs) + 1) * this.keyframeEveryUs;
    }
    this.nextUs = Math.min(this.sim.endUs, (Math.floor(t / this.everyUs) + 1) * this.everyUs);
  }

  /** The run is over (or interrupted): the last changes, a keyframe of the final topology, the end record. */
  finish(endReason: string): void {
    if (this.finished) return;
    const t = this.stamp();
    this.emit(this.delta(t));
    this.emit(this.key(t));
    this.emit({ type: 'end', tUs: t, traceHash: this.sim.traceHash, events: this.sim.world.scheduler.eventsProcessed, endReason });
    this.finished = true;
  }

  /**
   * A file readable now, while the run goes on (the dashboard's "save replay"):
   * the changes since the last capture and a keyframe, emitted as usual, and
   * an end record returned for the caller to append to its copy only (the
   * run is not over, so the recorder keeps recording).
   */
  checkpoint(endReason: string): ReplayRecord {
    const t = this.stamp();
    if (!this.finished) {
      this.emit(this.delta(t));
      this.emit(this.key(t));
    }
    return { type: 'end', tUs: t, traceHash: this.sim.traceHash, events: this.sim.world.scheduler.eventsProcessed, endReason };
  }

  /** The header as of now: the scenario's actions include those added while running (Simulation.addAction). */
  header(): ReplayHeader {
    const sim = this.sim;
    const s = sim.scenario;
    const typeNames: Record<string, string> = {};
    for (let t = 0; t < MAX_MESSAGE_TYPES; t++) {
      const name = sim.typeName(t);
      if (name && !name.startsWith('type-')) typeNames[t] = name;
    }
    const p = sim.hostPlaces();
    const round2 = (x: number) => Math.round(x * 100) / 100;
    return {
      type: 'header',
      format: REPLAY_FORMAT,
      version: REPLAY_VERSION,
      scenario: s.name,
      description: s.description,
      seed: s.seed,
      strategy: s.protocol.kind === 'node' ? s.protocol.strategy : s.protocol.kind,
      durationS: s.durationS,
      endUs: sim.endUs,
      peers: s.peers.count,
      everyUs: this.everyUs,
      keyframeEveryUs: this.keyframeEveryUs,
      typeNames,
      continents: p ? p.continents : [],
      ...(p && { places: { lat: Array.from(p.lat, round2), lon: Array.from(p.lon, round2), continent: Array.from(p.continent) } }),
      actions: structuredClone(s.actions) as Record<string, unknown>[],
    };
  }

  /** Who dialed whom among open connections between honest peers: DIR_* by link key. */
  private directions(indexOf: Map<number, number>): Map<number, number> {
    const out = new Map<number, number>();
    const w = this.sim.world;
    const c = w.conns;
    for (const [address, i] of indexOf) {
      for (const conn of w.connectionsOf(address)) {
        if (conn % 2 !== 0) continue; // each connection once: from its dialer's side
        const slot = c.slotOf(conn);
        if (slot < 0) continue;
        const j = indexOf.get(c.hostOf(slot, 1));
        if (j === undefined || j === i) continue;
        const key = i < j ? linkKey(i, j) : linkKey(j, i);
        out.set(key, (out.get(key) ?? DIR_UNKNOWN) | (i < j ? DIR_LOW_DIALED : DIR_HIGH_DIALED));
      }
    }
    return out;
  }

  private delta(t: TimeUs): ReplayDelta {
    const sim = this.sim;
    const ov = sim.overlay()!;
    const d: ReplayDelta = { type: 'delta', tUs: t };
    const peers: number[] = [];
    const up: number[] = [];
    const down: number[] = [];
    for (let i = this.addresses.length; i < ov.n; i++) {
      this.addresses.push(ov.addresses[i]);
      this.state.push(STATE_WAITING);
      peers.push(i, ov.addresses[i]);
    }
    for (let i = 0; i < ov.n; i++) {
      const next = ov.alive[i] === 1 ? STATE_UP : this.state[i] === STATE_WAITING ? STATE_WAITING : STATE_DOWN;
      if (next === this.state[i]) continue;
      (next === STATE_UP ? up : down).push(i);
      this.state[i] = next;
    }
    const now = new Map<number, number>();
    for (let i = 0; i < ov.n; i++) {
      for (let k = ov.offsets[i]; k < ov.offsets[i + 1]; k++) {
        const j = ov.targets[k];
        if (j > i) now.set(linkKey(i, j), DIR_UNKNOWN);
      }
    }
    const linkUp: number[] = [];
    const linkDown: number[] = [];
    const fresh = [...now.keys()].filter((key) => !this.links.has(key)).sort((a, b) => a - b);
    if (fresh.length > 0) {
      const indexOf = new Map<number, number>();
      this.addresses.forEach((a, i) => indexOf.set(a, i));
      const dirs = this.directions(indexOf);
      for (const key of fresh) {
        const dir = dirs.get(key) ?? DIR_UNKNOWN;
        now.set(key, dir);
        linkUp.push(Math.floor(key / 0x200000), key % 0x200000, dir);
      }
    }
    const gone = [...this.links.keys()].filter((key) => !now.has(key)).sort((a, b) => a - b);
    for (const key of gone) linkDown.push(Math.floor(key / 0x200000), key % 0x200000);
    // Links kept keep the direction they came up with.
    for (const [key, dir] of this.links) if (now.has(key)) now.set(key, dir);
    this.links = now;
    if (peers.length > 0) d.peers = peers;
    if (up.length > 0) d.up = up;
    if (down.length > 0) d.down = down;
    if (linkUp.length > 0) d.linkUp = linkUp;
    if (linkDown.length > 0) d.linkDown = linkDown;
    const timeline = sim.underlay.timeline;
    if (timeline.length > this.faultsSeen) d.faults = structuredClone(timeline.slice(this.faultsSeen));
    this.faultsSeen = timeline.length;
    const cut = this.partitionChange();
    if (cut) d.partition = cut;
    if (sim.series.length > this.seriesSeen) {
      d.samples = sim.series.slice(this.seriesSeen).map((p) => ({ ...p }));
      this.seriesSeen = sim.series.length;
      d.msgs = this.messagesSince();
    }
    return d;
  }

  /** The partitions in force and their sides, when they changed since the last capture. */
  private partitionChange(): ReplayPartition | undefined {
    const parts = this.sim.underlay.transit.partitions;
    const names = parts.inForce();
    const key = names.join('\n');
    if (key === this.partitionsSeen) return undefined;
    this.partitionsSeen = key;
    const a: number[] = [];
    const b: number[] = [];
    if (names.length > 0) {
      for (let h = 0; h < parts.capacity; h++) {
        const side = parts.sideOf(h);
        if (side === 1) a.push(h);
        else if (side === 2) b.push(h);
      }
    }
    return { names, a, b };
  }

  private messagesSince(): Record<string, number> {
    const sent = this.sim.world.counters.sentCount;
    const out: Record<string, number> = {};
    for (let t = 0; t < MAX_MESSAGE_TYPES; t++) {
      const n = sent[t] - this.sentSeen[t];
      if (n !== 0) out[t] = n;
      this.sentSeen[t] = sent[t];
    }
    return out;
  }

  private key(t: TimeUs): ReplayKey {
    const edges: number[] = [];
    for (const key of [...this.links.keys()].sort((a, b) => a - b)) edges.push(Math.floor(key / 0x200000), key % 0x200000, this.links.get(key)!);
    return { type: 'key', tUs: t, addresses: [...this.addresses], state: [...this.state], edges };
  }
}

/** Advances a recorded run: at most `maxEvents` events, never past the next capture time; true once the run is over. */
export function stepRecorded(sim: Simulation, rec: Recorder, maxEvents: number, untilUs: TimeUs = sim.endUs): boolean {
  const done = sim.step(maxEvents, Math.min(untilUs, rec.nextUs));
  if (done) return true;
  if (rec.due()) rec.capture();
  return false;
}


/** Runs `sim` until it has run every event up to `tUs` (or is over): the state a capture at tUs sees. */
export function runUntil(sim: Simulation, tUs: TimeUs): void {
  const reached = () => {
    const next = sim.world.scheduler.nextTime();
    return sim.world.now >= tUs && (next === undefined || next > tUs);
  };
  while (!sim.done && !reached()) sim.step(1 << 20, tUs);
}
