/**
 * What the simulation worker and the UI thread exchange. Everything here is
 * structured-cloneable; the typed arrays of a Frame are transferred, not
 * copied. Shared by the worker, the session core and the UI.
 */
import type { ActionSpec } from '../../sim-core/scenario/schema/actions.ts';
import type { SeriesPoint } from '../../sim-core/scenario/simulation.ts';
import type { SteppedEvent } from '../../sim-core/scenario/step-log.ts';

export type { SteppedEvent };
import type { ReplayMarker } from '../../sim-core/record/replay.ts';
import type { KadBucketView, KadPathView, KadView } from './kad-view.ts';
import type { MapTruth } from './map-truth.ts';
import type { WaveView } from '../../sim-core/scenario/wave-follow.ts';

export type { ActionSpec, KadBucketView, KadPathView, KadView, MapTruth, ReplayMarker, SeriesPoint };

/** A followed gossip wave in a lane's frame: WaveView, its arrays transferred. */
export type WaveFrame = WaveView;

/** Peer state codes in `LaneFrame.state`. */
export const PEER_WAITING = 0; // not started yet
export const PEER_UP = 1;
export const PEER_DOWN = 2; // was up, now crashed / stopped / cut off for good

export interface LoadRequest {
  /** Scenario YAML. */
  text: string;
  /** Name shown in errors (file name). */
  source: string;
  /** Overrides, like `peermap run --seed / --duration`. */
  seed?: number;
  durationS?: number;
  /** Side by side: one lane per strategy (node protocols); absent: the scenario as written. */
  strategies?: string[];
  /** Record sends for the in-flight animation and per-peer message counts. */
  messageLog?: boolean;
  /** Set when this worker runs one lane of a side-by-side view (one worker per lane): every strategy of the view, in order (names saved files and the export's comment as the whole view). */
  sideBySide?: string[];
}

/** Where a worker's session stands (the lane pool's lockstep and fault timing). */
export interface LaneClock {
  /** The session's clock (its slowest lane's). */
  nowUs: number;
  /** Its most advanced lane's clock. */
  maxNowUs: number;
  /** Time of the next pending event (Infinity: none). */
  nextUs: number;
  done: boolean;
  endUs: number;
}

/** What the UI needs once per load. */
export interface LoadInfo {
  name: string;
  description: string;
  seed: number;
  durationS: number;
  peers: number;
  strategies: string[];
  /** Seconds of one "gossip round" (the step-round button). */
  roundS: number;
  /** Per host address (all hosts the run may create), when the scenario places hosts. */
  places?: { lat: Float32Array; lon: Float32Array; continent: Int8Array; continents: string[]; cities: { name: string; lat: number; lon: number }[] };
  /** Continents present, for the fault buttons (empty without a placement). */
  continents: string[];
  /** Message type names by number (for the message log). */
  typeNames: Record<number, string>;
  /** Set when a replay file is loaded (no simulation: a timeline to seek). */
  replay?: ReplayInfo;
}

/** Most replays side by side (a compare run of three strategies, with room to spare). */
export const MAX_REPLAY_LANES = 6;
/** Largest replay file the page fetches or reads (gzip'd: a 2,500-peer, 300 s replay is 0.4 MB). */
export const MAX_REPLAY_FILE_BYTES = 64 << 20;
/** Decompressed text of all the replays opened at once: a tab holds about three times this once parsed. */
export const MAX_REPLAY_TEXT_BYTES_TOTAL = 256 << 20;
/** Timeline markers shown (the earliest); a file may list any number of faults. */
export const MAX_REPLAY_MARKERS = 500;

/** A loaded replay: its time span and the timeline's markers (scenario actions and faults met). */
export interface ReplayInfo {
  source: string;
  startS: number;
  endS: number;
  markers: ReplayMarker[];
  /** Markers past MAX_REPLAY_MARKERS, not shown. */
  markersDropped: number;
  /** The (first) recorded run's trace hash (empty if it was interrupted). */
  traceHash: string;
  /** Each lane's file (several: a compare run side by side). */
  sources: string[];
}

/** Messages in flight during (or after) the last frame's window: honest peer indices. */
export interface InFlight {
  count: number;
  from: Int32Array;
  to: Int32Array;
  sentUs: Float64Array;
  arriveUs: Float64Array;
  type: Uint8Array;
}

export interface LaneFrame {
  strategy: string;
  nowUs: number;
  events: number;
  traceHash: string;
  done: boolean;
  endReason?: string;
  /** Honest peers (grows with churn). */
  n: number;
  /** CSR overlay over honest peers: neighbours of i are targets[offsets[i] .. offsets[i+1]). */
  offsets: Int32Array;
  targets: Int32Array;
  /** PEER_* per honest peer. */
  state: Uint8Array;
  /** Host address of each honest peer (index into LoadInfo.places). */
  addresses: Int32Array;
  /** Force-layout positions (x, y interleaved, unit square around 0), when the layout is on. */
  positions?: Float32Array;
  inFlight?: InFlight;
  /** Series points sampled since the previous frame. */
  series: SeriesPoint[];
  /** Partitions in force: their names, and per honest peer its side (0 untouched, 1 side A, 2 side B); absent when none. */
  partition?: { names: string[]; sides: Uint8Array };
  /** `series` replaces the lane's series instead of extending it (a replay seeked backwards). */
  seriesReset?: boolean;
  /** The gossip wave followed in this lane (live global-map lanes), as it spreads. */
  wave?: WaveFrame;
  /** One worker per lane: simulated seconds this lane achieved per wall second while playing (it waits for the slowest at the common time). */
  simSecondsPerS?: number;
  /** One worker per lane: simulated seconds per wall second spent running it (what it would do without waiting; NaN: not measured yet). */
  busySimSecondsPerS?: number;
}

export interface Frame {
  seq: number;
  nowUs: number;
  endUs: number;
  playing: boolean;
  done: boolean;
  lanes: LaneFrame[];
  /** Actions recorded this session (fault buttons), in order. */
  recorded: ActionSpec[];
  /** Events the worker ran per wall second, recently. */
  eventsPerS: number;
  /** Simulated seconds the worker achieved per wall second while playing, over the last second or so (NaN while paused or not measured yet). */
  simSecondsPerS?: number;
  /** Simulated seconds per wall second spent advancing (time waiting at the lockstep limit left out; NaN: not measured yet). */
  busySimSecondsPerS?: number;
  /** Web Workers the page runs the lanes in (one per lane side by side). */
  workers?: number;
}

export interface ViewOptions {
  /** Compute the force layout (topology view in force mode). */
  layout: boolean;
  /** Include in-flight messages in frames. */
  messages: boolean;
}

export type FaultRequest =
  | { kind: 'kill-region'; continent: string; restartAfterS?: number }
  | { kind: 'partition'; a: string; b: string }
  /** Cut a continent off from every other host. */
  | { kind: 'isolate'; continent: string }
  /** End the last partition made in the dashboard. */
  | { kind: 'heal' }
  /** End every partition made in the dashboard. */
  | { kind: 'heal-all' }
  | { kind: 'crash-peer'; peer: number }
  /** The peer re-announces a link now (a gossip wave to follow). */
  | { kind: 'announce'; peer: number };

/** `actions`: every action recorded (heal-all heals each partition); `action`: the last of them. */
export type FaultResult = { ok: true; action: ActionSpec; actions: ActionSpec[] } | { ok: false; error: string };

/** The worker's API (through comlink). */
export interface SimWorkerApi {
  /** Builds the session (one simulation per lane); frames then flow to `onFrame`. */
  load(req: LoadRequest, onFrame: (f: Frame) => void): Promise<LoadInfo>;
  play(): void;
  pause(): void;
  /** Simulated seconds per wall second; Infinity = as fast as possible. */
  setSpeed(simSecondsPerWallSecond: number): void;
  /** One event (lane 0; the other lanes catch up to its time), and what it was. */
  stepEvent(): Promise<SteppedEvent | undefined>;
  /** One gossip round of simulated time. */
  stepRound(): Promise<void>;
  setView(v: ViewOptions): void;
  fault(f: FaultRequest): Promise<FaultResult>;
  /** Lockstep: while playing, never run past this simulated time (Infinity: no limit; the lane pool raises it as the slowest lane advances). */
  setLimit(tUs: number): void;
  /** Live: runs until every event at or before tUs has run (nothing if already there; may pass the limit) and says where the session stands. */
  runTo(tUs: number): Promise<LaneClock>;
  /** Live: like stepRound, to a given time (every lane of the pool steps to the same one), then pauses. */
  stepTo(tUs: number): void;
  /** Live: whether every lane would accept these actions (`atS` set) now; an error, or undefined. */
  checkActions(raws: Record<string, unknown>[]): Promise<string | undefined>;
  /** Live: schedules these actions in every lane and records them for the export; the parsed actions, or an error. */
  addActions(raws: Record<string, unknown>[]): Promise<ActionSpec[] | string>;
  inspect(lane: number, peer: number): Promise<Record<string, unknown> | undefined>;
  /** Opens replay files (`peermap run|compare --record`), one lane each on one timeline: gzip'd or plain NDJSON bytes; throws naming the file and the bad field. */
  loadReplay(files: { bytes: ArrayBuffer; source: string }[], onFrame: (f: Frame) => void): Promise<LoadInfo>;
  /** Replays: moves the playhead to this simulated time. */
  seek(tUs: number): void;
  /** A peer's map against the true overlay now (live global-map lanes; undefined otherwise). */
  mapTruth(lane: number, peer: number): Promise<MapTruth | undefined>;
  /** A Kademlia peer's buckets and its last workload lookup (recorded from the first call on, for this peer only); undefined for other lanes. */
  kadView(lane: number, peer: number): Promise<KadView | undefined>;
  /** Follows the wave of an event `peer` originates now (scenario action `announce`, recorded like a fault); live global-map lanes. */
  followWave(lane: number, peer: number): Promise<FaultResult>;
  stopWave(): void;
  /** Watches the next event `peer` originates in `lane` (the pool then adds the `announce` action to every lane at one instant). */
  watchWave(lane: number, peer: number): Promise<{ ok: true } | { ok: false; error: string }>;
  /** The live session so far as replay files (gzip'd NDJSON, as `peermap run|compare --record` writes), one per lane. */
  saveReplay(): Promise<{ name: string; bytes: Uint8Array }[]>;
  /** The scenario YAML replaying this session (`npx peermap run` gives the same trace hash). */
  exportSession(): Promise<string>;
}
