/**
 * The replay file (`peermap run --record`): gzip'd NDJSON, one record per
 * line, in time order. Shared by the recorder (Node), the reader (Node and the
 * dashboard's worker) and tests; no I/O here.
 *
 *   header  once, first: what ran, host places, scenario actions, limits used
 *   delta   at each capture time with a change: peers new/up/down, links
 *           up/down (undirected, with who dialed), faults that happened,
 *           metric samples taken and messages sent per type since the last one
 *   key     every keyframeEveryUs (and at the first and last capture): the full
 *           topology, so a seek starts from the keyframe before it
 *   end     once, last: trace hash, events, why the run ended
 *
 * Why gzip'd NDJSON rather than a binary layout: the topology changes little
 * between captures, so the deltas are small and repetitive, which deflate
 * packs well; Node (node:zlib) and browsers (DecompressionStream) decompress it
 * natively; `zcat replay.ndjson.gz | head` shows what a run did; and the
 * reader checks each record's fields by name, so a damaged or hostile file
 * fails with the field that is wrong.
 */

export const REPLAY_FORMAT = 'peermap-replay';
export const REPLAY_VERSION = 1;
export const REPLAY_FILE = 'replay.ndjson.gz';

/** Link direction in `linkUp` / `edges` triples: who opened a connection between the two peers. */
export const DIR_UNKNOWN = 0; // no open connection (e.g. a link the protocol keeps without one)
export const DIR_LOW_DIALED = 1; // the lower index dialed the higher
export const DIR_HIGH_DIALED = 2;
export const DIR_BOTH = 3;

/** Peer state codes in keyframes (the dashboard's PEER_* codes). */
export const STATE_WAITING = 0;
export const STATE_UP = 1;
export const STATE_DOWN = 2;

/** Bounds the reader enforces (a replay may come from anyone). */
export const REPLAY_LIMITS = {
  /** Decompressed size of a whole file (under V8's longest string). */
  maxTextBytes: 500_000_000,
  maxLineBytes: 64 << 20,
  maxRecords: 5_000_000,
  maxPeers: 1_000_000,
  maxHosts: 2_000_000,
  /** Links in one keyframe. */
  maxLinks: 4_000_000,
  /**
   * Links a replayed state can hold: a keyframe's plus every link-up since it (the player rebuilds at each
   * keyframe). Below V8's largest Map (2^24 entries), which a state past it would hit mid-play.
   */
  maxLiveLinks: 8_000_000,
  maxSamplesPerRecord: 10_000,
  maxActions: 100_000,
  maxFaultsPerRecord: 100_000,
  maxNameLength: 200,
  maxTimeUs: 1e15,
} as const;

export interface ReplayHeader {
  type: 'header';
  format: typeof REPLAY_FORMAT;
  version: number;
  scenario: string;
  description: string;
  seed: number;
  strategy: string;
  durationS: number;
  endUs: number;
  /** Initial honest peers (churn may add more). */
  peers: number;
  /** Time between captures, and between keyframes. */
  everyUs: number;
  keyframeEveryUs: number;
  /** Message type names by number. */
  typeNames: Record<string, string>;
  continents: string[];
  /** Per host address, when the scenario places hosts: degrees (2 decimals) and continent index. */
  places?: { lat: number[]; lon: number[]; continent: number[] };
  /** The scenario's actions as written (selectors included); faults met during the run follow in deltas. */
  actions: Record<string, unknown>[];
}

export interface ReplayFault {
  tS: number;
  event: string;
  name: string;
  hosts: number;
  otherHosts?: number;
}

export interface ReplayDelta {
  type: 'delta';
  tUs: number;
  /** New honest peers: [index, address] pairs, flat. */
  peers?: number[];
  up?: number[];
  down?: number[];
  /** [low, high, DIR_*] triples, flat. */
  linkUp?: number[];
  /** [low, high] pairs, flat. */
  linkDown?: number[];
  faults?: ReplayFault[];
  samples?: Record<string, number>[];
  /**
   * The partitions in force changed since the previous capture: their names
   * now (empty: none) and the host addresses on side A and on side B of any
   * of them (what the dashboard shades; a link between the two sides is cut).
   */
  partition?: ReplayPartition;
  /** Messages sent per type number since the previous record with samples. */
  msgs?: Record<string, number>;
}

export interface ReplayPartition {
  names: string[];
  a: number[];
  b: number[];
}

export interface ReplayKey {
  type: 'key';
  tUs: number;
  /** Host address of each honest peer. */
  addresses: number[];
  /** STATE_* per honest peer. */
  state: number[];
  /** [low, high, DIR_*] triples, flat, sorted. */
  edges: number[];
}

export interface ReplayEnd {
  type: 'end';
  tUs: number;
  traceHash: string;
  events: number;
  endReason: string;
}

export type ReplayRecord = ReplayHeader | ReplayDelta | ReplayKey | ReplayEnd;
