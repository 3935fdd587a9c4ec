import type { TimeUs } from '../../engine/time.ts';
import type { LookupReport } from './lookup.ts';

/** What a lookup was for. Only workload lookups are scored against the truth. */
export const LookupKind = { Join: 0, Refresh: 1, Workload: 2 } as const;
export type LookupKind = (typeof LookupKind)[keyof typeof LookupKind];
export const LOOKUP_KIND_NAMES = ['join', 'refresh', 'workload'] as const;

/** Fixed-width bins with an overflow bin: bounded memory whatever the run length. */
export class Histogram {
  readonly counts: Float64Array;
  private n = 0;
  private sum = 0;
  private max = 0;

  constructor(
    readonly binWidth: number,
    bins: number,
  ) {
    this.counts = new Float64Array(bins + 1);
  }

  add(v: number): void {
    const b = Math.min(this.counts.length - 1, Math.max(0, Math.floor(v / this.binWidth)));
    this.counts[b]++;
    this.n++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  get count(): number {
    return this.n;
  }

  get mean(): number {
    return this.n > 0 ? this.sum / this.n : 0;
  }

  get maximum(): number {
    return this.max;
  }

  /** Upper edge of the bin holding the q-quantile (the maximum if it falls in the overflow bin). */
  quantile(q: number): number {
    const b = this.quantileBin(q);
    if (b < 0) return 0;
    return b === this.counts.length - 1 ? this.max : (b + 1) * this.binWidth;
  }

  /** Index of the bin holding the q-quantile, -1 when empty. */
  protected quantileBin(q: number): number {
    if (this.n === 0) return -1;
    const want = Math.max(1, Math.ceil(q * this.n));
    let acc = 0;
    for (let b = 0; b < this.counts.length; b++) {
      acc += this.counts[b];
      if (acc >= want) return b;
    }
    return this.counts.length - 1;
  }

  /** Counts up to the last non-empty bin. */
  trimmed(): number[] {
    let last = this.counts.length - 1;
    while (last >= 0 && this.counts[last] === 0) last--;
    return Array.from(this.counts.subarray(0, last + 1));
  }
}

/** Integer histogram (width-1 bins) whose quantile is the value itself. */
class IntHistogram extends Histogram {
  constructor(max: number) {
    super(1, max);
  }

  /** The q-quantile itself (values are integers; the overflow bin reports the maximum). */
  override quantile(q: number): number {
    const b = this.quantileBin(q);
    if (b < 0) return 0;
    return b === this.counts.length - 1 ? this.maximum : b;
  }
}

/**
 * Counters of every Kademlia app of a simulation (one instance, shared). All
 * fields are sums over peers; memory is fixed (histograms with fixed bins).
 */
export class KadStats {
  readonly started = [0, 0, 0];
  readonly done = [0, 0, 0];
  readonly converged = [0, 0, 0];
  /** Ended with every closest peer answered except one closer than the result that could not be asked. */
  readonly incomplete = [0, 0, 0];
  readonly dropped = [0, 0, 0];
  /** Workload lookups that found the true closest live peer. */
  workloadSuccess = 0;
  /** … that found the closest live peer among those that had completed their join. */
  workloadSuccessJoined = 0;
  workloadTruthMissing = 0;
  /** Workload lookups reported converged whose closest answer is not the closest live joined peer (should stay 0). */
  workloadConvergedWrong = 0;
  workloadSent = 0;
  workloadTimeouts = 0;
  workloadFailures = 0;
  readonly latencyMs = new Histogram(10, 3000); // 10 ms bins up to 30 s
  readonly hops = new IntHistogram(64);
  readonly rounds = new IntHistogram(128);
  readonly sent = new IntHistogram(512);
  // requests and connections
  findNodeSent = 0;
  findNodeAnswered = 0;
  nodesAnswersReceived = 0;
  pingsSent = 0;
  pingsSkipped = 0;
  pongsReceived = 0;
  rpcTimeouts = 0;
  rpcSoftFailures = 0;
  rpcSlotsExhausted = 0;
  /** Requests not attempted: no known address for the peer. */
  noAddress = 0;
  /** Requests not attempted: the peer manager refused the dial (backoff after a failure or a close, or the peer mid-handshake). */
  dialRefused = 0;
  /** Requests whose connection dropped in flight and did not come back at once. */
  orphansFailed = 0;
  /** Requests that waited for an outbound slot. */
  waitedForSlot = 0;
  lateAnswers = 0;
  dials = 0;
  dialFailures = 0;
  idleClosed = 0;
  evicted = 0;
  linksReleased = 0;
  /** Links whose dial the other side closed soon after its handshake (no link slot there): chosen elsewhere. */
  linksTurnedAway = 0;
  /** Inbound connections admitted past the link slots, into the room kept for lookups. */
  rpcRoomAdmitted = 0;
  /** … closed once idle. */
  rpcRoomClosed = 0;
  tableRemovals = 0;
  // joins
  joins = 0;
  joinAttempts = 0;
  joinLatencyUsSum = 0;

  lookupStarted(kind: LookupKind): void {
    this.started[kind]++;
  }

  /** One finished lookup; `success` only matters for workload lookups. */
  lookupDone(kind: LookupKind, r: LookupReport, sent: number, timeouts: number, success: boolean, truthKnown: boolean): void {
    this.done[kind]++;
    if (r.success) this.converged[kind]++;
    else if (r.reason === 'incomplete') this.incomplete[kind]++;
    if (kind !== LookupKind.Workload) return;
    if (success) this.workloadSuccess++;
    if (!truthKnown) this.workloadTruthMissing++;
    this.workloadSent += sent;
    this.workloadTimeouts += timeouts;
    this.workloadFailures += r.failures;
    this.latencyMs.add((r.durationUs ?? 0) / 1000);
    this.hops.add(r.hops);
    this.rounds.add(r.rounds);
    this.sent.add(sent);
  }

  joined(latencyUs: TimeUs): void {
    this.joins++;
    this.joinLatencyUsSum += latencyUs;
  }

  /** The workload figures the run summary shows (plain numbers). */
  lookupSummary(): Record<string, number> {
    const n = this.done[LookupKind.Workload];
    const div = (x: number) => (n > 0 ? x / n : 0);
    return {
      lookups: n,
      lookupSuccessRate: div(this.workloadSuccess),
      lookupSuccessRateJoined: div(this.workloadSuccessJoined),
      lookupConvergedRate: div(this.converged[LookupKind.Workload]),
      lookupIncompleteRate: div(this.incomplete[LookupKind.Workload]),
      lookupConvergedWrong: this.workloadConvergedWrong,
      meanHops: this.hops.mean,
      meanRounds: this.rounds.mean,
      meanLatencyMs: this.latencyMs.mean,
      p50LatencyMs: this.latencyMs.quantile(0.5),
      p95LatencyMs: this.latencyMs.quantile(0.95),
      messagesPerLookup: div(this.workloadSent),
      timeoutsPerLookup: div(this.workloadTimeouts),
      lookupsDropped: this.dropped[LookupKind.Workload],
    };
  }

  /** Everything, for summary.json. */
  details(): Record<string, unknown> {
    const byKind = (a: number[]) => Object.fromEntries(LOOKUP_KIND_NAMES.map((k, i) => [k, a[i]]));
    return {
      lookupsStarted: byKind(this.started),
      lookupsDone: byKind(this.done),
      lookupsConverged: byKind(this.converged),
      lookupsIncomplete: byKind(this.incomplete),
      lookupsDroppedByKind: byKind(this.dropped),
      workload: {
        success: this.workloadSuccess,
        truthMissing: this.workloadTruthMissing,
        failuresPerLookup: this.done[LookupKind.Workload] > 0 ? this.workloadFailures / this.done[LookupKind.Workload] : 0,
        maxLatencyMs: this.latencyMs.maximum,
        p99LatencyMs: this.latencyMs.quantile(0.99),
        p95Hops: this.hops.quantile(0.95),
        maxHops: this.hops.maximum,
        p95Rounds: this.rounds.quantile(0.95),
        maxRounds: this.rounds.maximum,
        p95Messages: this.sent.quantile(0.95),
        hopsHistogram: this.hops.trimmed(),
        roundsHistogram: this.rounds.trimmed(),
      },
      rpc: {
        findNodeSent: this.findNodeSent,
        findNodeAnswered: this.findNodeAnswered,
        nodesAnswersReceived: this.nodesAnswersReceived,
        pingsSent: this.pingsSent,
        pingsSkippedFresh: this.pingsSkipped,
        pongsReceived: this.pongsReceived,
        timeouts: this.rpcTimeouts,
        softFailures: this.rpcSoftFailures,
        slotsExhausted: this.rpcSlotsExhausted,
        noAddress: this.noAddress,
        dialRefused: this.dialRefused,
        orphansFailed: this.orphansFailed,
        waitedForSlot: this.waitedForSlot,
        lateAnswers: this.lateAnswers,
        tableRemovals: this.tableRemovals,
      },
      connections: {
        dials: this.dials,
        dialFailures: this.dialFailures,
        idleClosed: this.idleClosed,
        evictedForSlots: this.evicted,
        linksReleased: this.linksReleased,
        linksTurnedAway: this.linksTurnedAway,
        rpcRoomAdmitted: this.rpcRoomAdmitted,
        rpcRoomClosed: this.rpcRoomClosed,
      },
      joins: { joined: this.joins, attempts: this.joinAttempts, meanJoinMs: this.joins > 0 ? this.joinLatencyUsSum / this.joins / 1000 : 0 },
    };
  }
}
