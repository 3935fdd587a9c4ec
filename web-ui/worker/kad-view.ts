import type { Simulation } from '../../sim-core/scenario/simulation.ts';
import type { KademliaApp } from '../../sim-core/protocols/kademlia/app.ts';
import { KAD_BUCKETS } from '../../sim-core/protocols/kademlia/constants.ts';
import { kadIdToHex, type KadIdTable } from '../../sim-core/protocols/kademlia/ids.ts';
import type { LookupPath } from '../../sim-core/protocols/kademlia/lookup-path.ts';
import { kademliaAppOf } from '../../sim-core/protocols/kademlia/strategy.ts';
import type { NodeApp } from '../../sim-core/protocols/node/app.ts';

/** Hex digits of an id shown (32 bits: enough to tell a table's peers apart). */
const ID_PREFIX_CHARS = 8;

/** One routing-table entry, by honest peer index (-1 for a peer that is not an honest one). */
export interface KadContact {
  peer: number;
  /** The protocol's peer number. */
  num: number;
  /** First hex digits of its Kademlia id. */
  id: string;
  city: string;
  /** Simulated seconds since it last sent us a Kademlia message (null: not kept). */
  seenAgoS: number | null;
  /** Up right now (observer's truth, which the table cannot know). */
  live: boolean;
}

/** Bucket i holds the peers at XOR distance [2^i, 2^(i+1)): they share 159 − i leading bits with us. */
export interface KadBucketView {
  bucket: number;
  sharedPrefixBits: number;
  contacts: KadContact[];
  /** Newcomers waiting in its replacement cache. */
  replacements: number;
}

export interface KadQueryView {
  peer: number;
  num: number;
  round: number;
  sentS: number;
  outcome: 'answered' | 'failed' | 'unasked' | 'pending';
  rttMs: number | null;
  /** Who it answered with (honest indices, -1 for others), closest first as sent. */
  returned: number[];
  /** How many of those the lookup had not heard of before. */
  fresh: number;
  /** The peer whose answer named it first (the initiator for the starting shortlist). */
  via: number;
}

export interface KadRoundView {
  round: number;
  queries: KadQueryView[];
  /** Closest peer that answered a query of this round or an earlier one (-1: none yet), and floor(log2 of its XOR distance to the target). */
  best: number;
  bestDistanceBit: number;
}

export interface KadPathView {
  initiator: number;
  target: string;
  startedS: number;
  endedS: number | null;
  reason: string | null;
  start: number[];
  rounds: KadRoundView[];
  /** The lookup's result (closest first) and the observer's closest live peer to the target. */
  result: number[];
  trueClosest: number;
  /** Converged, and its closest answer is the true closest live peer. */
  success: boolean | null;
  /** Hop edges: [via, to, round] triples, honest indices (edges with a non-honest end left out). */
  edges: Int32Array;
}

/** The inspected peer's Kademlia state: its k-buckets and its last workload lookup. */
export interface KadView {
  peer: number;
  k: number;
  id: string;
  size: number;
  /** Non-empty buckets, farthest first. */
  buckets: KadBucketView[];
  /** Its last workload lookup since inspection began (none yet: waiting for the next one). */
  path?: KadPathView;
}

/** The Kademlia app of honest peer `index` of `sim`, if it runs one. */
export function kadAppOf(sim: Simulation | undefined, index: number): KademliaApp | undefined {
  return sim ? kademliaAppOf(sim.peerApp(index) as NodeApp | undefined) : undefined;
}

/** Honest index of each peer number of the lane's Kademlia apps. */
function honestIndex(sim: Simulation): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < sim.population.addressOf.length; i++) {
    const a = kadAppOf(sim, i);
    if (a) out.set(a.peer, i);
  }
  return out;
}

function idPrefix(ids: KadIdTable, num: number): string {
  return ids.has(num) ? kadIdToHex(ids.words, ids.offsetOf(num)).slice(0, ID_PREFIX_CHARS) : '?';
}

/** Peer `index`'s buckets and last recorded lookup (reads only), or undefined when the lane runs no Kademlia or the peer has not started. */
export function kadViewOf(sim: Simulation, index: number): KadView | undefined {
  const app = kadAppOf(sim, index);
  if (!app || !app.started) return undefined;
  const indexOf = honestIndex(sim);
  const ids = app.ids;
  const now = sim.world.now;
  const geo = sim.underlay.hosts.geo;
  const addresses = sim.population.addressOf;
  const table = app.table;
  const buckets: KadBucketView[] = [];
  for (let b = KAD_BUCKETS - 1; b >= 0; b--) {
    const entries = table.bucket(b);
    if (entries.length === 0) continue;
    const contacts = entries.map((num): KadContact => {
      const peer = indexOf.get(num) ?? -1;
      const address = peer >= 0 ? addresses[peer] : undefined;
      const seen = app.lastSeenUs(num);
      return {
        peer,
        num,
        id: idPrefix(ids, num),
        city: address !== undefined && geo ? geo.cityName(address) : '',
        seenAgoS: seen === undefined ? null : (now - seen) / 1e6,
        live: address !== undefined && sim.world.isUp(address),
      };
    });
    buckets.push({ bucket: b, sharedPrefixBits: KAD_BUCKETS - 1 - b, contacts, replacements: table.replacements(b).length });
  }
  const path = app.lastLookupPath;
  return {
    peer: index,
    k: app.k,
    id: idPrefix(ids, app.peer),
    size: table.size,
    buckets,
    ...(path && { path: pathView(path, ids, (num) => indexOf.get(num) ?? -1) }),
  };
}

/** floor(log2(id(num) XOR target)), -1 when equal. */
function distanceBit(ids: KadIdTable, num: number, target: Uint32Array): number {
  return ids.bucketIndexOf(num, target);
}

/** A recorded path as rounds of queries with their answers, the best contact after each round, and hop edges. */
export function pathView(path: LookupPath, ids: KadIdTable, index: (num: number) => number): KadPathView {
  const target = Uint32Array.from(path.target);
  const known = new Set<number>(path.start);
  const via = new Map<number, number>();
  for (const p of path.start) via.set(p, path.initiator);
  const queries = new Map<number, KadQueryView>();
  const byRound: KadQueryView[][] = [];
  for (const s of path.steps) {
    if (s.kind === 'sent') {
      const q: KadQueryView = { peer: index(s.peer), num: s.peer, round: s.round, sentS: s.atUs / 1e6, outcome: 'pending', rttMs: null, returned: [], fresh: 0, via: index(via.get(s.peer) ?? path.initiator) };
      queries.set(s.peer, q);
      (byRound[s.round] ??= []).push(q);
      continue;
    }
    const q = queries.get(s.peer);
    if (!q) continue;
    q.rttMs = (s.atUs - q.sentS * 1e6) / 1000;
    if (s.kind === 'failed') {
      q.outcome = s.unasked ? 'unasked' : 'failed';
      continue;
    }
    q.outcome = 'answered';
    q.returned = s.nodes.map(index);
    for (const n of s.nodes) {
      if (known.has(n)) continue;
      known.add(n);
      via.set(n, s.peer);
      q.fresh++;
    }
  }
  const rounds: KadRoundView[] = [];
  let best = -1;
  for (let r = 1; r < byRound.length; r++) {
    const qs = byRound[r] ?? [];
    for (const q of qs) if (q.outcome === 'answered' && (best < 0 || ids.compareDistance(q.num, best, target) < 0)) best = q.num;
    rounds.push({ round: r, queries: qs, best: best < 0 ? -1 : index(best), bestDistanceBit: best < 0 ? -1 : distanceBit(ids, best, target) });
  }
  const edges: number[] = [];
  for (const qs of byRound) for (const q of qs ?? []) if (q.via >= 0 && q.peer >= 0) edges.push(q.via, q.peer, q.round);
  return {
    initiator: index(path.initiator),
    target: kadIdToHex(target).slice(0, ID_PREFIX_CHARS),
    startedS: path.startedAtUs / 1e6,
    endedS: path.endedAtUs === undefined ? null : path.endedAtUs / 1e6,
    reason: path.reason ?? null,
    start: path.start.map(index),
    rounds,
    result: (path.result ?? []).map(index),
    trueClosest: path.trueClosest === undefined || path.trueClosest < 0 ? -1 : index(path.trueClosest),
    success: path.success ?? null,
    edges: Int32Array.from(edges),
  };
}

/**
 * The worker's side of the Kademlia views: records lookup paths for the
 * inspected peer only (one app at a time, so memory stays one peer's last
 * lookups), switching recording off on the previous one.
 */
export class KadInspector {
  private recording: KademliaApp | undefined;

  view(sim: Simulation | undefined, index: number): KadView | undefined {
    const app = sim && kadAppOf(sim, index);
    if (app !== this.recording) {
      this.recording?.recordLookupPaths(false);
      app?.recordLookupPaths(true);
      this.recording = app;
    }
    return app && kadViewOf(sim!, index);
  }
}
