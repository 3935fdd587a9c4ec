import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { KAD_ID_WORDS, type KademliaConfig } from './constants.ts';
import { newKadId, type KadId, type KadIdTable } from './ids.ts';

/** "Send FIND_NODE(target) to `to`; call onFailure(to) if no answer by `deadlineUs`." */
export interface FindNodeSend {
  kind: 'find-node';
  to: PeerNum;
  /** Causal depth of this query (see `Lookup`). */
  round: number;
  deadlineUs: TimeUs;
}

export type LookupEndReason =
  | 'converged' // the k closest non-failed peers known have all answered
  | 'incomplete' // as converged, but a peer closer than the closest answer could not be asked
  | 'failed' // nobody answered (no candidates, or all failed)
  | 'limit'; // maxLookupRounds or maxLookupQueries stopped it first

export interface LookupReport {
  done: boolean;
  success: boolean; // reason === 'converged'
  reason: LookupEndReason | undefined;
  /** Up to k peers that answered, closest to the target first. */
  result: PeerNum[];
  rounds: number;
  hops: number;
  queries: number; // FIND_NODE requests sent (= messages sent by the initiator)
  responses: number;
  failures: number;
  startedAtUs: TimeUs;
  endedAtUs: TimeUs | undefined;
  durationUs: TimeUs | undefined;
}

export interface LookupOptions {
  ids: KadIdTable;
  /** The initiator: never queried, never part of the result. */
  self: PeerNum;
  target: KadId;
  /** Starting shortlist, usually `table.closest(target, k)` (plus bootstrap peers on join). */
  candidates: readonly PeerNum[];
  config: KademliaConfig;
}

/**
 * An opt-in observer of one lookup (the dashboard's lookup path). It is told
 * what the lookup does and must not act on the lookup: with or without one,
 * the lookup sends the same requests (nothing is drawn, nothing scheduled).
 */
export interface LookupObserver {
  /** The starting shortlist, closest first. */
  started(now: TimeUs, candidates: readonly PeerNum[]): void;
  sent(now: TimeUs, to: PeerNum, round: number): void;
  /** `nodes`: the answer's peers the lookup considered (a copy the observer may keep). */
  answered(now: TimeUs, from: PeerNum, nodes: PeerNum[]): void;
  failed(now: TimeUs, from: PeerNum, unasked: boolean): void;
  finished(now: TimeUs, reason: LookupEndReason, result: PeerNum[]): void;
}

const CANDIDATE = 0;
const IN_FLIGHT = 1;
const SUCCEEDED = 2;
const FAILED = 3;
/** Could not be asked (no connection, slot or answer path): no verdict on the peer, so the result may miss it. */
const UNASKED = 4;

/**
 * An iterative FIND_NODE lookup as a sans-IO state machine. The caller sends
 * what `start`/`onResponse`/`onFailure` return, arms one timer per request
 * (`deadlineUs`), and feeds back answers; the lookup keeps at most α
 * requests in flight, always to the closest not-yet-queried candidates among
 * the k closest non-failed peers it knows (a shortlist sorted by XOR distance,
 * deduplicated; a peer is never queried twice). It ends when those k closest
 * have all answered (`converged`; `incomplete` instead if a peer closer than
 * the closest answer could not be asked), when nobody can answer (`failed`),
 * or when the round or query budget is spent (`limit`). Late answers are
 * ignored.
 *
 * Round: the causal depth of a request. Requests sent by `start` are round 1;
 * a request sent while handling the answer (or failure) of a round-r request
 * is round r+1. `rounds` is the highest round sent — the length of the
 * longest chain of dependent round trips, i.e. the duration in RTTs when every
 * RTT is equal. Hop: how many answers it took to learn a peer (0 for the
 * initial candidates, d+1 for a peer first named by a peer of depth d);
 * `hops` is the depth of the closest peer found.
 *
 * The lookup does not touch a routing table: the driver should `observe` every
 * peer that answers and report failures (pingResult / remove) itself.
 */
export class Lookup {
  readonly target: KadId = newKadId();
  private readonly ids: KadIdTable;
  private readonly self: PeerNum;
  private readonly cfg: KademliaConfig;
  // The shortlist, sorted by distance to the target: parallel arrays of the
  // shortlist's size, the first `count` used (no Set, no growth: a lookup
  // lives long enough for whatever it drops to be a full GC's garbage).
  private readonly peers: PeerNum[];
  private readonly states: number[];
  private readonly depths: number[];
  /** Each listed peer's top-word distance to the target (ids.topDistance): most comparisons stop there. */
  private readonly keys: number[];
  private count = 0;
  /** Peers queried, then pushed off the shortlist (≤ maxLookupQueries): never re-added. */
  private readonly droppedQueried: PeerNum[] = [];
  // Outstanding requests (≤ α), authoritative even if the peer fell off the shortlist.
  private readonly flightPeer: PeerNum[] = [];
  private readonly flightRound: number[] = [];
  private readonly flightDepth: number[] = [];
  private startedAt: TimeUs = 0;
  private endedAt: TimeUs | undefined;
  private started = false;
  private reason: LookupEndReason | undefined;
  private maxRound = 0;
  private nQueries = 0;
  private nResponses = 0;
  private nFailures = 0;
  private ignoredNodes = 0;
  private observer: LookupObserver | undefined;

  constructor(opts: LookupOptions) {
    this.ids = opts.ids;
    this.self = opts.self;
    this.cfg = opts.config;
    const cap = this.cfg.lookupShortlistSize;
    this.peers = new Array<PeerNum>(cap).fill(0);
    this.states = new Array<number>(cap).fill(CANDIDATE);
    this.depths = new Array<number>(cap).fill(0);
    this.keys = new Array<number>(cap).fill(0);
    for (let i = 0; i < KAD_ID_WORDS; i++) this.target[i] = opts.target[i];
    // bounded scan: candidates past the shortlist size are dropped by add() anyway
    const n = Math.min(opts.candidates.length, this.cfg.lookupShortlistSize * 4);
    for (let i = 0; i < n; i++) this.add(opts.candidates[i], 0);
  }

  /** The peer running this lookup. */
  get initiator(): PeerNum {
    return this.self;
  }

  get done(): boolean {
    return this.reason !== undefined;
  }

  get pending(): number {
    return this.flightPeer.length;
  }

  /** Nodes dropped from answers because their id was unknown (should stay 0). */
  get ignored(): number {
    return this.ignoredNodes;
  }

  /** Reports what this lookup does to `observer` from `start` on (call before `start`). */
  observeWith(observer: LookupObserver): void {
    this.observer = observer;
  }

  start(now: TimeUs): FindNodeSend[] {
    if (this.started) throw new Error('kademlia lookup: start called twice');
    this.started = true;
    this.startedAt = now;
    this.observer?.started(now, this.peers.slice(0, this.count));
    return this.advance(now, 0);
  }

  /** An answer from `from` listing the first `count` of `nodes` (its closest to our target). */
  onResponse(now: TimeUs, from: PeerNum, nodes: ArrayLike<PeerNum>, count = nodes.length): FindNodeSend[] {
    const q = this.flightPeer.indexOf(from);
    if (q < 0 || this.done) return []; // unsolicited, duplicate or late
    const round = this.flightRound[q];
    const depth = this.flightDepth[q];
    this.land(q);
    this.nResponses++;
    this.setState(from, SUCCEEDED);
    const n = Math.min(count, nodes.length, this.cfg.maxNodesPerResponse);
    for (let i = 0; i < n; i++) this.add(nodes[i], depth + 1);
    this.observer?.answered(now, from, Array.prototype.slice.call(nodes, 0, n) as PeerNum[]);
    return this.advance(now, round);
  }

  /**
   * `from` timed out, refused, or the connection broke. `unasked`: we never
   * got the question to it (soft failure: it may well be alive and closer
   * than anything found); if it is closer than the closest answer when the
   * lookup ends, the lookup ends `incomplete` rather than `converged`.
   */
  onFailure(now: TimeUs, from: PeerNum, unasked = false): FindNodeSend[] {
    const q = this.flightPeer.indexOf(from);
    if (q < 0 || this.done) return [];
    const round = this.flightRound[q];
    this.land(q);
    this.nFailures++;
    this.setState(from, unasked ? UNASKED : FAILED);
    this.observer?.failed(now, from, unasked);
    return this.advance(now, round);
  }

  /** Removes outstanding request `q`: the last takes its slot (they are only ever found by peer). */
  private land(q: number): void {
    const last = this.flightPeer.length - 1;
    this.flightPeer[q] = this.flightPeer[last];
    this.flightRound[q] = this.flightRound[last];
    this.flightDepth[q] = this.flightDepth[last];
    this.flightPeer.pop();
    this.flightRound.pop();
    this.flightDepth.pop();
  }

  onTimeout(now: TimeUs, from: PeerNum): FindNodeSend[] {
    return this.onFailure(now, from);
  }

  /** The up-to-k closest peers that answered, closest first. */
  result(): PeerNum[] {
    const out: PeerNum[] = [];
    for (let i = 0; i < this.count && out.length < this.cfg.k; i++) {
      if (this.states[i] === SUCCEEDED) out.push(this.peers[i]);
    }
    return out;
  }

  report(): LookupReport {
    const result = this.result();
    let hops = 0;
    if (result.length > 0) hops = this.depths[this.indexOf(result[0])];
    return {
      done: this.done,
      success: this.reason === 'converged',
      reason: this.reason,
      result,
      rounds: this.maxRound,
      hops,
      queries: this.nQueries,
      responses: this.nResponses,
      failures: this.nFailures,
      startedAtUs: this.startedAt,
      endedAtUs: this.endedAt,
      durationUs: this.endedAt === undefined ? undefined : this.endedAt - this.startedAt,
    };
  }

  /** Sends to free slots, then decides whether the lookup is over. */
  private advance(now: TimeUs, causeRound: number): FindNodeSend[] {
    const sends: FindNodeSend[] = [];
    if (this.done) return sends;
    const { k, alpha, maxLookupQueries, maxLookupRounds, requestTimeoutUs } = this.cfg;
    const round = causeRound + 1;
    let top = 0; // non-failed entries seen, we only look at the k closest of them
    let open = false; // some of those k still owe us an answer or a query
    for (let i = 0; i < this.count && top < k; i++) {
      const st = this.states[i];
      if (st === FAILED || st === UNASKED) continue;
      top++;
      if (st === SUCCEEDED) continue;
      open = true;
      if (st !== CANDIDATE) continue;
      if (this.flightPeer.length >= alpha || this.nQueries >= maxLookupQueries || round > maxLookupRounds) continue;
      const to = this.peers[i];
      this.states[i] = IN_FLIGHT;
      this.flightPeer.push(to);
      this.flightRound.push(round);
      this.flightDepth.push(this.depths[i]);
      this.nQueries++;
      if (round > this.maxRound) this.maxRound = round;
      sends.push({ kind: 'find-node', to, round, deadlineUs: now + requestTimeoutUs });
      this.observer?.sent(now, to, round);
    }
    if (!open) this.finish(now, top === 0 ? 'failed' : this.missedCloser() ? 'incomplete' : 'converged');
    else if (this.flightPeer.length === 0) this.finish(now, 'limit'); // open work, yet nothing may be sent
    return sends;
  }

  /** A peer we could not ask ranks before the closest answer (the shortlist is sorted by distance). */
  private missedCloser(): boolean {
    for (let i = 0; i < this.count; i++) {
      if (this.states[i] === SUCCEEDED) return false;
      if (this.states[i] === UNASKED) return true;
    }
    return false;
  }

  private finish(now: TimeUs, reason: LookupEndReason): void {
    this.reason = reason;
    this.endedAt = now;
    this.observer?.finished(now, reason, this.result());
  }

  /**
   * Inserts a candidate at its distance rank; drops the farthest past the
   * shortlist size. A peer already listed, or ever queried, is not added.
   */
  private add(peer: PeerNum, depth: number): void {
    if (peer === this.self) return;
    // Listed and queried peers all have ids: an unknown one is neither.
    if (!this.ids.has(peer)) {
      this.ignoredNodes++;
      return;
    }
    const cap = this.cfg.lookupShortlistSize;
    const peers = this.peers;
    const keys = this.keys;
    const k = this.ids.topDistance(peer, this.target);
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.ids.compareKeyed(keys[mid], peers[mid], k, peer, this.target) < 0) lo = mid + 1;
      else hi = mid;
    }
    // Listed: then it is in the run of equal distances (equal ids) starting at lo.
    for (let j = lo; j < this.count && this.ids.compareKeyed(keys[j], peers[j], k, peer, this.target) === 0; j++) if (peers[j] === peer) return;
    if (lo >= cap || this.droppedQueried.includes(peer)) return;
    if (this.count === cap) {
      // The farthest falls off; remembered if it was queried (never re-added).
      if (this.states[cap - 1] !== CANDIDATE) this.droppedQueried.push(peers[cap - 1]);
      this.count--;
    }
    for (let j = this.count; j > lo; j--) {
      peers[j] = peers[j - 1];
      keys[j] = keys[j - 1];
      this.states[j] = this.states[j - 1];
      this.depths[j] = this.depths[j - 1];
    }
    peers[lo] = peer;
    keys[lo] = k;
    this.states[lo] = CANDIDATE;
    this.depths[lo] = depth;
    this.count++;
  }

  private indexOf(peer: PeerNum): number {
    for (let i = 0; i < this.count; i++) if (this.peers[i] === peer) return i;
    return -1;
  }

  private setState(peer: PeerNum, state: number): void {
    const i = this.indexOf(peer);
    if (i >= 0) this.states[i] = state;
  }
}
