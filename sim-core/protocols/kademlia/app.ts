import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { Message } from '../../wire/messages.ts';
import type { NodeApi, NodeApp } from '../node/app.ts';
import type { Address, Direction } from '../../sans-io/protocol.ts';
import type { KademliaAppConfig } from './app-config.ts';
import { AppContext } from './app-context.ts';
import { LookupKind } from './app-metrics.ts';
import { Connections } from './connections.ts';
import { TAG_JOIN, TAG_LINKS, TAG_ORPHANS, TAG_REDIAL, TAG_REFRESH, TAG_RPC, TAG_SWEEP, TAG_WORKLOAD } from './constants.ts';
import { MessageHandlers } from './handlers.ts';
import { Join } from './join.ts';
import type { KadIdTable } from './ids.ts';
import type { LookupReport } from './lookup.ts';
import type { LookupPath } from './lookup-path.ts';
import { LookupRuns } from './lookup-runs.ts';
import type { LookupRun } from './lookup-run.ts';
import { joinRefreshBuckets } from './maintenance.ts';
import { Requests } from './requests.ts';
import type { RoutingTable } from './routing-table.ts';
import { RpcRoom } from './rpc-room.ts';
import { RpcTable } from './rpc.ts';
import type { KadShared } from './shared.ts';

export interface KademliaAppOptions {
  shared: KadShared;
  config: KademliaAppConfig;
  /** Bootstrap addresses every peer knows from the start (their peer numbers are learnt at handshake). */
  bootstrap: readonly Address[];
  /** Peer index (metrics): honest peers, churn arrivals past peers.count, or an adversary running the honest stack (then `honest` is false). */
  index: number;
  /** Whether this peer counts for the observer (the true closest is looked for among honest servers only). Default true. */
  honest?: boolean;
  /** This peer's number (registered with the shared id table at construction). */
  self: PeerNum;
  /**
   * NAT hook (issue 5 later): a client queries but is no server — it does not
   * answer FIND_NODE/KadPing, and other peers do not store it (they read the
   * flag from `shared`, standing in for a service bit announced in the handshake).
   */
  isClient?: boolean;
}

/**
 * Kademlia as an overlay strategy hosted by the peer manager. Per peer: a
 * k-bucket routing table over the shared Kademlia ids, a join (self lookup
 * through the bootstrap nodes, then a refresh of the buckets beyond the
 * closest neighbour), periodic bucket refresh, LRS eviction with a KadPing
 * first, FIND_NODE answered with the k closest known peers and their
 * addresses, α-parallel iterative lookups (the core `Lookup`) with
 * deadlines, a random-target lookup workload, and persistent overlay links.
 *
 * This class holds the entry points (the peer manager's events, the timers)
 * and the per-peer figures. The work is done by its parts, which share an
 * `AppContext`: `Connections` (dials, outbound slots, idle connections,
 * overlay links), `Requests` (FIND_NODE and KadPing from sending to answer or
 * deadline), `LookupRuns` (running and queued lookups), `Join` (bootstrap
 * nodes, join attempts and retries) and `MessageHandlers` (incoming messages,
 * routing-table upkeep).
 */
export class KademliaApp implements NodeApp {
  readonly name = 'kademlia';
  readonly index: number;
  readonly isClient: boolean;
  readonly peer: PeerNum;
  private readonly ctx: AppContext;
  private readonly conns: Connections;
  private readonly requests: Requests;
  private readonly lookups: LookupRuns;
  private readonly join: Join;
  private readonly handlers: MessageHandlers;
  private readonly room: RpcRoom;
  /** Nesting of entry points: waiting dials are served when the outermost one returns. */
  private depth = 0;
  private startedAtUs: TimeUs = 0;
  // per-peer figures for the metrics
  joined = false;
  joinedAtUs: TimeUs | undefined;
  workloadDone = 0;
  workloadSuccess = 0;

  constructor(opts: KademliaAppOptions) {
    this.index = opts.index;
    this.peer = opts.self;
    this.isClient = opts.isClient ?? false;
    const ctx = new AppContext(opts.shared, opts.config);
    const rpcs = new RpcTable<LookupRun>(opts.config.maxPendingRpcs);
    this.ctx = ctx;
    // The parts call each other both ways (a failed request moves its lookup on, which sends requests):
    // the edges back to a part built later go through a closure.
    this.conns = new Connections(ctx, rpcs, (peer, now, hard) => this.requests.failWaiting(peer, now, hard));
    this.requests = new Requests(ctx, rpcs, this.conns, (run, sends, now) => this.lookups.dispatch(run, sends, now));
    this.lookups = new LookupRuns(ctx, this.requests, (run, report, now) => this.lookupDone(run, report, now));
    this.join = new Join(ctx, opts.bootstrap, this.conns, this.lookups);
    this.handlers = new MessageHandlers(ctx, this.isClient, this.requests, this.lookups, this.conns, this.join);
    this.room = new RpcRoom(ctx);
    opts.shared.register(opts.index, opts.self, this.isClient, opts.honest ?? true);
  }

  /** The routing table (created at the first start). */
  get table(): RoutingTable {
    return this.ctx.table;
  }

  get started(): boolean {
    return this.ctx.started;
  }

  /** Host address (known once started; honest index and address differ when churn adds peers). */
  get address(): Address {
    return this.ctx.address;
  }

  get tableSize(): number {
    return this.ctx.started ? this.ctx.table.size : 0;
  }

  /** Current overlay links (chosen), established or not. */
  get chosenLinks(): ReadonlySet<PeerNum> {
    return this.conns.links;
  }

  get pendingRequests(): number {
    return this.requests.rpcs.inUse;
  }

  get lookupsRunning(): number {
    return this.lookups.running;
  }

  // ---- NodeApp ----

  onStart(now: TimeUs, api: NodeApi): void {
    // A (re)start: sockets and timers died with the process; the routing table is kept (as a node database would).
    this.requests.reset();
    // The pings a full bucket was waiting on were requests just dropped: without this, the bucket never pings again.
    if (this.ctx.started) this.ctx.table.forgetPendingPings();
    this.conns.reset(api.self);
    this.lookups.reset();
    this.room.reset();
    this.depth = 0;
    this.joined = false;
    this.startedAtUs = now;
    const { shared, cfg } = this.ctx;
    shared.ensureId(api.self);
    shared.setLive(api.self, true);
    shared.setJoined(api.self, false);
    this.ctx.start(api, now);
    this.join.start();
    const rng = api.rng;
    api.setTimer(1 + rng.int(cfg.sweepUs), TAG_SWEEP);
    api.setTimer(1 + rng.int(cfg.linkRefreshUs), TAG_LINKS);
    api.setTimer(cfg.refreshCheckUs + rng.int(cfg.refreshCheckUs), TAG_REFRESH);
    this.depth++;
    this.join.attempt(now, false);
    this.exit(now);
  }

  onPeerUp(now: TimeUs, peer: PeerNum, dir: Direction): void {
    const api = this.ctx.api;
    this.depth++;
    this.ctx.shared.ensureId(peer);
    const addr = api.addressOf(peer);
    this.conns.up(now, peer, addr, dir);
    if (dir === 'in') this.room.up(now, peer);
    const isBoot = addr !== undefined && this.join.isBootstrap(addr);
    const firstMeeting = isBoot && this.join.meet(addr, peer);
    if (isBoot) this.handlers.observe(now, peer);
    this.requests.flush(peer, now);
    if (isBoot && !this.joined) this.join.attempt(now, false);
    // A bootstrap node met after our join (it started late, or was full): look ourselves up through it too,
    // so that networks grown around different bootstrap nodes merge.
    else if (firstMeeting && this.joined && this.join.metFew) this.lookups.request(LookupKind.Join, -1, now, [peer]);
    this.exit(now);
  }

  onPeerDown(now: TimeUs, peer: PeerNum): void {
    this.depth++;
    this.conns.down(now, peer);
    this.room.down(peer);
    this.requests.orphan(peer, now);
    this.exit(now);
  }

  onDialFailed(now: TimeUs, address: Address): void {
    const d = this.conns.dialFailed(address);
    if (d === undefined) return;
    this.depth++;
    if (d.peer >= 0) {
      // Refused or unreachable: the peer is gone. Its waiting requests fail, and it leaves the table and the links.
      this.requests.failWaiting(d.peer, now, true);
      this.conns.dropLink(d.peer);
      if (this.ctx.table.remove(d.peer)) this.ctx.stats.tableRemovals++;
    }
    if (this.join.isBootstrap(address) && !this.joined) this.join.attempt(now, false);
    this.exit(now);
  }

  onMessage(now: TimeUs, peer: PeerNum, msg: Message): void {
    this.conns.touch(now, peer);
    this.room.touch(now, peer);
    this.depth++;
    this.handlers.handle(now, peer, msg);
    this.exit(now);
  }

  onTimer(now: TimeUs, tag: number): void {
    const { api, cfg } = this.ctx;
    this.depth++;
    if (tag >= TAG_RPC) {
      this.requests.onDeadline(now, tag - TAG_RPC);
    } else if (tag === TAG_SWEEP) {
      this.sweep(now);
      api.setTimer(cfg.sweepUs, TAG_SWEEP);
    } else if (tag === TAG_LINKS) {
      this.conns.evaluateLinks(now);
      api.setTimer(cfg.linkRefreshUs, TAG_LINKS);
    } else if (tag === TAG_WORKLOAD) {
      if (this.joined) this.lookups.request(LookupKind.Workload, -1, now);
      this.lookups.scheduleWorkload();
    } else if (tag === TAG_REFRESH) {
      if (this.joined) this.lookups.refreshStale(now);
      api.setTimer(cfg.refreshCheckUs, TAG_REFRESH);
    } else if (tag === TAG_JOIN) {
      this.join.timerFired();
      if (!this.joined) this.join.attempt(now, true);
    } else if (tag === TAG_REDIAL) {
      this.conns.retryRefused(now);
    } else if (tag === TAG_ORPHANS) {
      this.requests.failOrphans(now);
    }
    this.exit(now);
  }

  /** The persistent links that are established (what topology metrics measure). */
  overlay(): PeerNum[] {
    return this.conns.overlay();
  }

  private exit(now: TimeUs): void {
    if (this.depth === 1) this.conns.serveNeedDial(now);
    this.depth--;
  }

  // ---- observers (the dashboard's Kademlia views): reading these never changes the run ----

  /** Record the path of this peer's workload lookups from the next one on (false: stop and forget). */
  recordLookupPaths(on: boolean): void {
    if (on) this.lookups.recordPaths = true;
    else this.lookups.stopRecording();
  }

  /** The last workload lookup recorded since `recordLookupPaths(true)`, or undefined. */
  get lastLookupPath(): LookupPath | undefined {
    return this.lookups.lastPath;
  }

  /** When `peer` last sent us a Kademlia message (kept for about the table's peers), or undefined. */
  lastSeenUs(peer: PeerNum): TimeUs | undefined {
    return this.handlers.lastSeenUs(peer);
  }

  /** The shared id table (ids of every peer met). */
  get ids(): KadIdTable {
    return this.ctx.shared.ids;
  }

  /** Bucket size k. */
  get k(): number {
    return this.ctx.cfg.kad.k;
  }

  /** FIND_NODE requests this peer answered. */
  get findNodeServed(): number {
    return this.handlers.served;
  }

  /** Inbound link slots taken (≤ maxInbound). */
  get inboundLinkSlots(): number {
    return this.room.linkSlotsUsed;
  }

  /** Inbound connections in the room kept for lookups (past the link slots). */
  get rpcRoomSize(): number {
    return this.room.roomSize;
  }

  /** Housekeeping: close idle lookup connections (ours and others' in our room), forget dials nobody reported on, redial lost links. */
  private sweep(now: TimeUs): void {
    this.conns.closeIdle(now);
    this.room.closeIdle(now, (p) => this.conns.busy(p));
    this.handlers.pruneSeen();
    if (this.joined) this.join.meetOthers(now);
    this.conns.maintainLinks(now);
  }

  // ---- outcomes ----

  /** A lookup ended: a join's outcome, a workload lookup's score, the other lookups' figures. */
  private lookupDone(run: LookupRun, report: LookupReport, now: TimeUs): void {
    const stats = this.ctx.stats;
    if (run.kind === LookupKind.Join) {
      stats.lookupDone(run.kind, report, run.sent, run.timeouts, report.responses > 0, true);
      if (report.responses > 0) this.onJoined(now);
      else if (!this.joined) this.join.armTimer();
    } else if (run.kind === LookupKind.Workload) {
      this.scoreWorkload(run, report);
    } else {
      stats.lookupDone(run.kind, report, run.sent, run.timeouts, report.success, true);
    }
  }

  /** Observer's verdict: did the lookup find the closest live server to its target? */
  private scoreWorkload(run: LookupRun, report: LookupReport): void {
    const shared = this.ctx.shared;
    // The truth is among the other peers (a lookup never answers with its own node); no other live peer: a failure.
    const truth = shared.trueClosest(run.lookup.target, this.ctx.api.self);
    const found = report.success && report.result.length > 0 ? report.result[0] : -1;
    const success = found >= 0 && found === truth;
    const truthJoined = shared.lastClosestJoined;
    this.workloadDone++;
    if (success) this.workloadSuccess++;
    const okJoined = found >= 0 && found === truthJoined;
    if (okJoined) shared.stats.workloadSuccessJoined++;
    // A converged verdict that is wrong by both measures (live, and live and joined): should not happen.
    if (report.success && !success && !okJoined && truth >= 0) shared.stats.workloadConvergedWrong++;
    shared.stats.lookupDone(run.kind, report, run.sent, run.timeouts, success, truth >= 0);
    run.recorder?.verdict(truth, success);
  }

  private onJoined(now: TimeUs): void {
    if (this.joined) return;
    this.joined = true;
    const { api, shared } = this.ctx;
    shared.setJoined(api.self, true);
    if (this.joinedAtUs === undefined) {
      this.joinedAtUs = now;
      shared.stats.joined(now - this.startedAtUs);
    }
    this.join.cancelTimer();
    // paper §2.3: refresh every bucket farther than our closest neighbour
    for (const b of joinRefreshBuckets(this.ctx.table)) this.lookups.request(LookupKind.Refresh, b, now);
    this.lookups.scheduleWorkload();
    this.conns.evaluateLinks(now);
    // Bootstrap nodes serve every newcomer: do not sit on their inbound slots until the idle timeout.
    for (const p of this.join.bootPeers) this.conns.releaseIfIdle(p);
  }
}
