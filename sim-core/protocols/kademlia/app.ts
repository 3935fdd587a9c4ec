import type { TimeUs } from '../../engine/time.ts';
import { KAD_ID_BYTES } from '../../wire/constants.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, type KadFindNodeMsg, type KadNode, type KadNodesMsg, type KadPingMsg, type KadPongMsg, type Message } from '../../wire/messages.ts';
import type { NodeApi, NodeApp } from '../node/app.ts';
import type { Address, Direction, TimerId } from '../protocol.ts';
import type { KademliaAppConfig } from './app-config.ts';
import { LookupKind } from './app-metrics.ts';
import { kadIdFromPeerId, newKadId, randomKadId, writeKadIdBytes } from './ids.ts';
import type { FindNodeSend, Lookup, LookupReport } from './lookup.ts';
import { createJoinLookup, createLookup, createRefreshLookup, joinRefreshBuckets } from './maintenance.ts';
import { chooseStickyOverlayLinks } from './overlay.ts';
import { RoutingTable } from './routing-table.ts';
import { Rpc, RpcKind, RpcState, RpcTable } from './rpc.ts';
import type { KadShared } from './shared.ts';

// Timer tags. RPC deadlines use TAG_RPC + slot; everything stays below 4,096 (CompositeApp's range per app).
const TAG_SWEEP = 1;
const TAG_LINKS = 2;
const TAG_WORKLOAD = 3;
const TAG_REFRESH = 4;
const TAG_JOIN = 5;
const TAG_ORPHANS = 6;
const TAG_REDIAL = 7;
const TAG_RPC = 16;

const NO_SEEDS: readonly PeerNum[] = Object.freeze([]);

/** Retry period of dials the peer manager refused, and how long a request waits on them. */
const REDIAL_US = 250_000;
const REDIAL_GIVE_UP_US = 2_000_000;

/** Bootstrap peers remembered as join seeds. */
const MAX_BOOT_PEERS = 64;
/** Bootstrap nodes a joining peer contacts at once (libp2p dials them all; a long list is sampled). */
const JOIN_FANOUT = 3;

/** One running lookup. */
interface LookupRun {
  readonly kind: LookupKind;
  readonly lookup: Lookup;
  /** The target's 20 wire bytes, shared by every FIND_NODE of this lookup (never mutated). */
  readonly targetBytes: Uint8Array;
  /** Refresh lookups: the bucket refreshed (-1 otherwise). */
  readonly bucket: number;
  /** FIND_NODE messages actually sent. */
  sent: number;
  /** Requests that hit their deadline. */
  timeouts: number;
  finished: boolean;
}

interface QueuedLookup {
  kind: LookupKind;
  bucket: number;
  /** Join lookups: extra candidates (bootstrap peers, learnt addresses). */
  seeds: readonly PeerNum[];
}

/** A dial this app asked for, until its handshake completes or fails. */
interface Dial {
  /** The peer expected there; -1 for a bootstrap address (unknown until its handshake). */
  peer: PeerNum;
  sinceUs: TimeUs;
}

/** Per established peer: when we last exchanged a Kademlia message, and requests in flight on it. */
interface PeerUse {
  lastUsedUs: TimeUs;
  inUse: number;
}

export interface KademliaAppOptions {
  shared: KadShared;
  config: KademliaAppConfig;
  /** Bootstrap addresses every peer knows from the start (their peer numbers are learnt at handshake). */
  bootstrap: readonly Address[];
  /** Honest peer index (metrics); indices ≥ peers.count are adversaries running the honest stack. */
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
 * Connections. A request to a peer we are not connected to dials it and waits
 * (bounded table of requests, one deadline each, connection time included);
 * outbound connections are limited to `maxOutbound`: when full, the least
 * recently used idle lookup connection is closed to make room, else the
 * request waits in a bounded queue. Outbound connections that are not overlay
 * links are closed once idle for `idleTimeoutUs`; inbound ones belong to the
 * peer that dialled (its link, or its lookup connection it will close).
 *
 * Overlay links: every `linkRefreshUs`, `chooseStickyOverlayLinks` picks up
 * to `overlayLinks` peers from the routing table (one per distance scale
 * first, from the farthest bucket down; current links are kept while their
 * bucket still has room for them); missing ones are dialled, dropped ones
 * released (closed unless a request is using them). Lost links are redialled
 * by the housekeeping sweep.
 */
export class KademliaApp implements NodeApp {
  readonly name = 'kademlia';
  readonly index: number;
  readonly isClient: boolean;
  readonly peer: PeerNum;
  private readonly shared: KadShared;
  private readonly cfg: KademliaAppConfig;
  private api: NodeApi | undefined;
  private tableOrUndefined: RoutingTable | undefined;
  private readonly rpcs: RpcTable<LookupRun>;
  private readonly use = new Map<PeerNum, PeerUse>();
  /** When each peer last showed it was alive (pruned to about the table's peers). */
  private readonly seen = new Map<PeerNum, TimeUs>();
  private readonly connecting = new Map<Address, Dial>();
  /** Peers with requests waiting for an outbound slot (FIFO, ≤ request table size). */
  private readonly needDial: PeerNum[] = [];
  /** Refused dials retried shortly (≤ request table size). */
  private readonly redial: { peer: PeerNum; sinceUs: TimeUs }[] = [];
  private redialArmed = false;
  private links = new Set<PeerNum>();
  private readonly active: LookupRun[] = [];
  private readonly queue: QueuedLookup[] = [];
  private readonly bootAll: readonly Address[];
  private readonly bootSet: ReadonlySet<Address>;
  private bootOrder: Address[] = [];
  private bootCursor = 0;
  /** Bootstrap peers met (their numbers are learnt at handshake), and the addresses they were met at. */
  private bootPeers: PeerNum[] = [];
  private readonly bootMet = new Set<Address>();
  private isBootstrapNode = false;
  private joinRun: LookupRun | undefined;
  private joinFailures = 0;
  private joinTimer: TimerId | undefined;
  private orphanTimerAt: TimeUs = -1;
  /** Nesting of entry points: waiting dials are served when the outermost one returns. */
  private depth = 0;
  private startedAtUs: TimeUs = 0;
  private readonly scratchPeers: PeerNum[] = [];
  private readonly scratchClose: PeerNum[] = [];
  private readonly scratchTarget = newKadId();
  // per-peer figures for the metrics
  joined = false;
  joinedAtUs: TimeUs | undefined;
  workloadDone = 0;
  workloadSuccess = 0;

  constructor(opts: KademliaAppOptions) {
    this.shared = opts.shared;
    this.cfg = opts.config;
    this.index = opts.index;
    this.peer = opts.self;
    this.isClient = opts.isClient ?? false;
    this.bootAll = opts.bootstrap;
    this.bootSet = new Set(opts.bootstrap);
    this.rpcs = new RpcTable<LookupRun>(opts.config.maxPendingRpcs);
    opts.shared.register(opts.index, opts.self, this.isClient, opts.honest ?? true);
  }

  /** The routing table (created at the first start). */
  get table(): RoutingTable {
    if (!this.tableOrUndefined) throw new Error('kademlia app: not started');
    return this.tableOrUndefined;
  }

  get started(): boolean {
    return this.tableOrUndefined !== undefined;
  }

  /** Host address (known once started; honest index and address differ when churn adds peers). */
  get address(): Address {
    return this.api?.address ?? -1;
  }

  get tableSize(): number {
    return this.tableOrUndefined?.size ?? 0;
  }

  /** Current overlay links (chosen), established or not. */
  get chosenLinks(): ReadonlySet<PeerNum> {
    return this.links;
  }

  get pendingRequests(): number {
    return this.rpcs.inUse;
  }

  get lookupsRunning(): number {
    return this.active.length;
  }

  // ---- NodeApp ----

  onStart(now: TimeUs, api: NodeApi): void {
    this.api = api;
    // A (re)start: sockets and timers died with the process; the routing table is kept (as a node database would).
    this.rpcs.reset();
    this.use.clear();
    this.connecting.clear();
    this.needDial.length = 0;
    this.redial.length = 0;
    this.redialArmed = false;
    this.links = new Set();
    for (const r of this.active) r.finished = true;
    this.active.length = 0;
    this.queue.length = 0;
    this.bootPeers = [];
    this.bootMet.clear();
    this.joinRun = undefined;
    this.joinFailures = 0;
    this.joinTimer = undefined;
    this.orphanTimerAt = -1;
    this.depth = 0;
    this.joined = false;
    this.startedAtUs = now;
    this.shared.ensureId(api.self);
    this.shared.setLive(api.self, true);
    this.shared.setJoined(api.self, false);
    this.tableOrUndefined ??= new RoutingTable(this.shared.ids, api.self, this.cfg.kad, now);
    const rng = api.rng;
    const boots = this.bootAll.filter((a) => a !== api.address);
    const rot = boots.length > 0 ? rng.int(boots.length) : 0;
    this.bootOrder = boots.map((_, i) => boots[(i + rot) % boots.length]);
    this.bootCursor = 0;
    this.isBootstrapNode = this.bootSet.has(api.address);
    api.setTimer(1 + rng.int(this.cfg.sweepUs), TAG_SWEEP);
    api.setTimer(1 + rng.int(this.cfg.linkRefreshUs), TAG_LINKS);
    api.setTimer(this.cfg.refreshCheckUs + rng.int(this.cfg.refreshCheckUs), TAG_REFRESH);
    this.depth++;
    this.joinAttempt(now, false);
    this.exit(now);
  }

  onPeerUp(now: TimeUs, peer: PeerNum, _dir: Direction): void {
    const api = this.api!;
    this.depth++;
    this.shared.ensureId(peer);
    this.use.set(peer, { lastUsedUs: now, inUse: 0 });
    const addr = api.addressOf(peer);
    if (addr !== undefined) this.connecting.delete(addr);
    const isBoot = addr !== undefined && this.bootSet.has(addr);
    const firstMeeting = isBoot && !this.bootMet.has(addr);
    if (isBoot) {
      this.bootMet.add(addr);
      if (!this.bootPeers.includes(peer) && this.bootPeers.length < MAX_BOOT_PEERS) this.bootPeers.push(peer);
      this.observe(now, peer);
    }
    this.flush(peer, now);
    if (isBoot && !this.joined) this.joinAttempt(now, false);
    // A bootstrap node met after our join (it started late, or was full): look ourselves up through it too,
    // so that networks grown around different bootstrap nodes merge.
    // Bounded: only the first few bootstrap nodes met count (a long bootstrap list must not mean as many lookups).
    else if (firstMeeting && this.joined && this.bootMet.size <= JOIN_FANOUT) this.requestLookup(LookupKind.Join, -1, now, [peer]);
    this.exit(now);
  }

  onPeerDown(now: TimeUs, peer: PeerNum): void {
    this.depth++;
    this.use.delete(peer);
    // Requests in flight on the lost connection: if the peer is back within this very event (a duplicate
    // connection replaced the old one) they are re-sent, else they fail on the zero-delay timer.
    let orphaned = 0;
    for (const r of this.rpcs.slots) {
      if (r.state === RpcState.Sent && r.peer === peer) {
        this.rpcs.setState(r, RpcState.Orphan);
        r.orphanAtUs = now;
        orphaned++;
      }
    }
    if (orphaned > 0 && this.orphanTimerAt !== now) {
      this.orphanTimerAt = now;
      this.api!.setTimer(0, TAG_ORPHANS);
    }
    this.exit(now);
  }

  onDialFailed(now: TimeUs, address: Address): void {
    const d = this.connecting.get(address);
    if (d === undefined) return;
    this.depth++;
    this.connecting.delete(address);
    this.shared.stats.dialFailures++;
    if (d.peer >= 0) {
      // Refused or unreachable: the peer is gone. Its waiting requests fail, and it leaves the table and the links.
      this.failWaiting(d.peer, now, true);
      this.links.delete(d.peer);
      if (this.table.remove(d.peer)) this.shared.stats.tableRemovals++;
    }
    if (this.bootSet.has(address) && !this.joined) this.joinAttempt(now, false);
    this.exit(now);
  }

  onMessage(now: TimeUs, peer: PeerNum, msg: Message): void {
    const u = this.use.get(peer);
    if (u !== undefined) u.lastUsedUs = now;
    this.depth++;
    switch (msg.type) {
      case MsgType.KadFindNode:
        this.onFindNode(now, peer, msg);
        break;
      case MsgType.KadNodes:
        this.onNodes(now, peer, msg);
        break;
      case MsgType.KadPing:
        this.onPing(now, peer, msg);
        break;
      case MsgType.KadPong:
        this.onPong(now, peer, msg);
        break;
      default:
        break;
    }
    this.exit(now);
  }

  onTimer(now: TimeUs, tag: number): void {
    const api = this.api!;
    this.depth++;
    if (tag >= TAG_RPC) {
      this.onRpcDeadline(now, tag - TAG_RPC);
    } else if (tag === TAG_SWEEP) {
      this.sweep(now);
      api.setTimer(this.cfg.sweepUs, TAG_SWEEP);
    } else if (tag === TAG_LINKS) {
      this.evaluateLinks(now);
      api.setTimer(this.cfg.linkRefreshUs, TAG_LINKS);
    } else if (tag === TAG_WORKLOAD) {
      if (this.joined) this.requestLookup(LookupKind.Workload, -1, now);
      this.scheduleWorkload();
    } else if (tag === TAG_REFRESH) {
      this.refreshStale(now);
      api.setTimer(this.cfg.refreshCheckUs, TAG_REFRESH);
    } else if (tag === TAG_JOIN) {
      this.joinTimer = undefined;
      if (!this.joined) this.joinAttempt(now, true);
    } else if (tag === TAG_REDIAL) {
      this.redialArmed = false;
      this.retryRefused(now);
    } else if (tag === TAG_ORPHANS) {
      this.orphanTimerAt = -1;
      for (const r of this.rpcs.slots) {
        if (r.state !== RpcState.Orphan) continue;
        this.shared.stats.orphansFailed++;
        this.fail(r, now, false, false);
      }
    }
    this.exit(now);
  }

  /** The persistent links that are established (what topology metrics measure). */
  overlay(): PeerNum[] {
    const out: PeerNum[] = [];
    if (!this.api) return out;
    const peers = this.api.peers();
    for (const p of this.links) if (peers.has(p)) out.push(p);
    return out;
  }

  // ---- answering ----

  private onFindNode(now: TimeUs, peer: PeerNum, msg: KadFindNodeMsg): void {
    if (this.isClient) return; // a client serves nobody
    if (msg.target.length === KAD_ID_BYTES) {
      const api = this.api!;
      kadIdFromPeerId(msg.target, 0, this.scratchTarget);
      const near = this.table.closest(this.scratchTarget, this.cfg.kad.k, peer, this.scratchPeers);
      const nodes: KadNode[] = [];
      for (let i = 0; i < near.length; i++) {
        const host = api.addressOf(near[i]);
        if (host !== undefined) nodes.push(this.shared.kadNode(near[i], host));
      }
      api.send(peer, { type: MsgType.KadNodes, requestId: msg.requestId, nodes });
      this.shared.stats.findNodeAnswered++;
    }
    this.observe(now, peer); // after answering: the scratch list is free again
  }

  private onPing(now: TimeUs, peer: PeerNum, msg: KadPingMsg): void {
    if (this.isClient) return;
    this.api!.send(peer, { type: MsgType.KadPong, requestId: msg.requestId });
    this.observe(now, peer);
  }

  // ---- answers to our requests ----

  private onNodes(now: TimeUs, peer: PeerNum, msg: KadNodesMsg): void {
    const r = this.rpcs.match(msg.requestId, peer, RpcKind.FindNode);
    if (r === undefined || (r.state !== RpcState.Sent && r.state !== RpcState.Orphan)) {
      this.shared.stats.lateAnswers++;
      this.observe(now, peer);
      return;
    }
    const run = r.run;
    this.complete(r);
    this.shared.stats.nodesAnswersReceived++;
    if (run !== undefined && !run.finished && !run.lookup.done) {
      const api = this.api!;
      const self = api.self;
      const shared = this.shared;
      const list = this.scratchPeers;
      list.length = 0;
      const n = Math.min(msg.nodes.length, this.cfg.kad.maxNodesPerResponse);
      for (let i = 0; i < n; i++) {
        const node = msg.nodes[i];
        const p = node.peer;
        if (p === self || !shared.ensureId(p) || shared.isClient(p)) continue;
        const host = node.address.host;
        if (api.addressOf(p) !== host) api.learnAddress(host, p, now);
        list.push(p);
      }
      const sends = run.lookup.onResponse(now, peer, list);
      this.dispatch(run, sends, now);
    }
    this.observe(now, peer);
    // A bootstrap node serves every newcomer: free its inbound slot as soon as it has answered our join.
    if (run !== undefined && run.kind === LookupKind.Join && this.bootSet.has(this.api!.addressOf(peer) ?? -1)) this.releaseIfIdle(peer);
  }

  /** Closes our outbound connection to `peer` if it is not a link and carries no request. */
  private releaseIfIdle(peer: PeerNum): void {
    const api = this.api!;
    if (api.peers().get(peer) === 'out' && !this.links.has(peer) && (this.use.get(peer)?.inUse ?? 0) === 0) api.disconnect(peer, 'kademlia: done');
  }

  private onPong(now: TimeUs, peer: PeerNum, msg: KadPongMsg): void {
    const r = this.rpcs.match(msg.requestId, peer, RpcKind.Ping);
    if (r === undefined || (r.state !== RpcState.Sent && r.state !== RpcState.Orphan)) {
      this.shared.stats.lateAnswers++;
      return;
    }
    this.complete(r);
    this.shared.stats.pongsReceived++;
    this.table.pingResult(now, peer, true);
  }

  /**
   * `peer` showed it is alive. Clients are never stored. A full bucket's
   * least-recently-seen entry gets a KadPing before it can be evicted —
   * unless we heard from it within `pingFreshUs` (BEP 5's "good" node): then
   * it stays and the newcomer waits in the replacement cache.
   */
  private observe(now: TimeUs, peer: PeerNum): void {
    if (this.shared.isClient(peer) || !this.shared.ensureId(peer)) return;
    this.seen.set(peer, now);
    const res = this.table.observe(now, peer);
    if (res.kind !== 'ping') return;
    const last = this.seen.get(res.peer);
    if (last !== undefined && now - last < this.cfg.pingFreshUs) {
      this.shared.stats.pingsSkipped++;
      this.table.pingResult(now, res.peer, true);
    } else {
      this.startPing(now, res.peer);
    }
  }

  /** Drops last-seen times of peers no longer in the table (bounded: runs when the map outgrows the table). */
  private pruneSeen(): void {
    if (this.seen.size <= 2 * this.table.size + 256) return;
    for (const p of this.seen.keys()) if (!this.table.has(p)) this.seen.delete(p);
  }

  private startPing(now: TimeUs, target: PeerNum): void {
    const r = this.rpcs.alloc(RpcKind.Ping, target, undefined);
    if (r === undefined) {
      this.shared.stats.rpcSlotsExhausted++;
      this.table.pingResult(now, target, true); // cannot check now: keep the old entry (the paper's bias)
      return;
    }
    if (!this.request(r, now)) {
      this.rpcs.release(r);
      this.table.pingResult(now, target, true);
      return;
    }
    this.shared.stats.pingsSent++;
  }

  // ---- requests ----

  /**
   * Sends `r` now if its peer is connected, else makes sure a connection is
   * coming and leaves it Waiting. Arms its deadline. False if it cannot even
   * be attempted (no address, dial refused locally): the caller releases it.
   */
  private request(r: Rpc<LookupRun>, now: TimeUs): boolean {
    const api = this.api!;
    if (api.peers().has(r.peer)) {
      if (!this.transmit(r, now)) return false;
    } else if (!this.ensureConnection(r.peer, now)) {
      return false;
    }
    r.timer = api.setTimer(this.cfg.kad.requestTimeoutUs, TAG_RPC + r.slot);
    return true;
  }

  private transmit(r: Rpc<LookupRun>, now: TimeUs): boolean {
    const msg: Message =
      r.kind === RpcKind.FindNode
        ? { type: MsgType.KadFindNode, requestId: r.requestId, target: r.run!.targetBytes }
        : { type: MsgType.KadPing, requestId: r.requestId };
    if (!this.api!.send(r.peer, msg)) return false;
    this.rpcs.setState(r, RpcState.Sent);
    const u = this.use.get(r.peer);
    if (u !== undefined) {
      u.inUse++;
      u.lastUsedUs = now;
    }
    if (r.kind === RpcKind.FindNode) {
      r.run!.sent++;
      this.shared.stats.findNodeSent++;
    }
    return true;
  }

  /** Sends the waiting requests to a peer that just came up (and re-sends orphans of this instant). */
  private flush(peer: PeerNum, now: TimeUs): void {
    if (this.rpcs.waiting + this.rpcs.orphans === 0) return;
    for (const r of this.rpcs.slots) {
      if (r.peer !== peer) continue;
      if (r.state === RpcState.Waiting || (r.state === RpcState.Orphan && r.orphanAtUs === now)) {
        if (!this.transmit(r, now)) this.fail(r, now, false, false);
      }
    }
  }

  /** A request ended normally (answered, or its lookup finished): frees it. */
  private complete(r: Rpc<LookupRun>): void {
    if (r.timer >= 0) this.api!.cancelTimer(r.timer);
    if (r.state === RpcState.Sent) {
      const u = this.use.get(r.peer);
      if (u !== undefined && u.inUse > 0) u.inUse--;
    }
    this.rpcs.release(r);
  }

  /**
   * A request failed. Hard: the peer did not answer in time, or could not be
   * reached (it leaves the routing table / loses its ping). Soft: we never
   * managed to ask (no slot, connection lost mid-flight): no verdict on it.
   */
  private fail(r: Rpc<LookupRun>, now: TimeUs, hard: boolean, timedOut: boolean): void {
    const { kind, peer, run } = r;
    this.complete(r);
    const stats = this.shared.stats;
    if (timedOut && hard) stats.rpcTimeouts++;
    else if (!hard) stats.rpcSoftFailures++;
    if (kind === RpcKind.Ping) {
      if (hard && this.table.has(peer)) stats.tableRemovals++;
      this.table.pingResult(now, peer, !hard);
      return;
    }
    if (hard) {
      if (this.table.remove(peer)) stats.tableRemovals++;
      this.links.delete(peer);
    }
    if (run !== undefined && !run.finished && !run.lookup.done) {
      if (timedOut) run.timeouts++;
      this.dispatch(run, run.lookup.onFailure(now, peer), now);
    }
  }

  private failWaiting(peer: PeerNum, now: TimeUs, hard: boolean): void {
    if (this.rpcs.waiting === 0) return;
    for (const r of this.rpcs.slots) if (r.state === RpcState.Waiting && r.peer === peer) this.fail(r, now, hard, false);
  }

  private hasWaiting(peer: PeerNum): boolean {
    if (this.rpcs.waiting === 0) return false;
    for (const r of this.rpcs.slots) if (r.state === RpcState.Waiting && r.peer === peer) return true;
    return false;
  }

  private onRpcDeadline(now: TimeUs, slot: number): void {
    const r = this.rpcs.slots[slot];
    if (r === undefined || r.state === RpcState.Free) return;
    r.timer = -1; // fired
    let hard = r.state !== RpcState.Waiting;
    if (!hard) {
      // still connecting after the whole timeout: unreachable; merely queued for a slot: no verdict
      const addr = this.api!.addressOf(r.peer);
      hard = addr !== undefined && this.connecting.has(addr);
    }
    this.fail(r, now, hard, true);
  }

  // ---- connections ----

  private slotFree(): boolean {
    const api = this.api!;
    return api.outboundCount() + api.dialingCount() < this.cfg.maxOutbound;
  }

  /** True if a connection to `peer` is coming (dialling, or queued for a slot); false if it cannot be had. */
  private ensureConnection(peer: PeerNum, now: TimeUs): boolean {
    const stats = this.shared.stats;
    const addr = this.api!.addressOf(peer);
    if (addr === undefined) {
      stats.noAddress++;
      return false;
    }
    if (this.connecting.has(addr) || this.needDial.includes(peer) || this.redial.some((e) => e.peer === peer)) return true;
    if (!this.slotFree() && !this.evictIdle()) {
      if (this.needDial.length >= this.rpcs.capacity) return false;
      this.needDial.push(peer);
      stats.waitedForSlot++;
      return true;
    }
    if (this.dialPeer(peer, addr, now)) return true;
    // Refused by the peer manager: usually its short backoff after we closed a connection to that
    // address, or the peer is dialling us right now. Retry for a little while before giving up.
    if (this.redial.length >= this.rpcs.capacity) {
      stats.dialRefused++;
      return false;
    }
    this.redial.push({ peer, sinceUs: now });
    if (!this.redialArmed) {
      this.redialArmed = true;
      this.api!.setTimer(REDIAL_US, TAG_REDIAL);
    }
    return true;
  }

  /** Retries refused dials; requests still refused after REDIAL_GIVE_UP_US fail (soft). */
  private retryRefused(now: TimeUs): void {
    const api = this.api!;
    const list = this.redial;
    let w = 0;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      const addr = api.addressOf(e.peer);
      if (api.peers().has(e.peer) || !this.hasWaiting(e.peer) || (addr !== undefined && this.connecting.has(addr))) continue;
      if (addr !== undefined && (this.slotFree() || this.evictIdle()) && this.dialPeer(e.peer, addr, now)) continue;
      if (now - e.sinceUs >= REDIAL_GIVE_UP_US) {
        this.shared.stats.dialRefused++;
        this.failWaiting(e.peer, now, false);
        continue;
      }
      list[w++] = e;
    }
    list.length = Math.min(list.length, w);
    if (list.length > 0) {
      this.redialArmed = true;
      api.setTimer(REDIAL_US, TAG_REDIAL);
    }
  }

  private dialPeer(peer: PeerNum, addr: Address, now: TimeUs): boolean {
    if (!this.api!.dial(addr)) return false;
    this.connecting.set(addr, { peer, sinceUs: now });
    this.shared.stats.dials++;
    return true;
  }

  /** Closes the least recently used idle lookup connection (outbound, not a link, nothing in flight). */
  private evictIdle(): boolean {
    const api = this.api!;
    let best = -1;
    let bestUs = Infinity;
    for (const [peer, dir] of api.peers()) {
      if (dir !== 'out' || this.links.has(peer)) continue;
      const u = this.use.get(peer);
      if (u === undefined || u.inUse > 0) continue;
      if (u.lastUsedUs < bestUs) {
        bestUs = u.lastUsedUs;
        best = peer;
      }
    }
    if (best < 0) return false;
    this.shared.stats.evicted++;
    api.disconnect(best, 'kademlia: slot needed');
    return true;
  }

  /** Dials for requests that waited for an outbound slot. Runs when the outermost entry point returns. */
  private serveNeedDial(now: TimeUs): void {
    const api = this.api!;
    while (this.needDial.length > 0) {
      const peer = this.needDial[0];
      const addr = api.addressOf(peer);
      if (api.peers().has(peer) || !this.hasWaiting(peer) || (addr !== undefined && this.connecting.has(addr))) {
        this.needDial.shift();
        continue;
      }
      if (!this.slotFree() && !this.evictIdle()) return;
      this.needDial.shift();
      if (addr === undefined || !this.dialPeer(peer, addr, now)) this.failWaiting(peer, now, false);
    }
  }

  private exit(now: TimeUs): void {
    if (this.depth === 1 && this.needDial.length > 0) this.serveNeedDial(now);
    this.depth--;
  }

  /** Housekeeping: close idle lookup connections, forget dials nobody reported on, redial lost links. */
  private sweep(now: TimeUs): void {
    const api = this.api!;
    const close = this.scratchClose;
    close.length = 0;
    for (const [peer, dir] of api.peers()) {
      if (dir !== 'out' || this.links.has(peer)) continue;
      const u = this.use.get(peer);
      if (u !== undefined && u.inUse === 0 && now - u.lastUsedUs >= this.cfg.idleTimeoutUs) close.push(peer);
    }
    for (const p of close) {
      this.shared.stats.idleClosed++;
      api.disconnect(p, 'kademlia: idle');
    }
    for (const [addr, d] of this.connecting) if (now - d.sinceUs >= this.cfg.dialForgetUs) this.connecting.delete(addr);
    this.pruneSeen();
    // Bootstrap nodes keep trying to meet every other bootstrap node (one dial per sweep, bounded list).
    if (this.isBootstrapNode && this.joined && this.bootMet.size < this.bootOrder.length) this.dialBootstraps(now, 1);
    this.maintainLinks(now);
  }

  // ---- overlay links ----

  private evaluateLinks(now: TimeUs): void {
    const api = this.api!;
    const chosen = new Set(chooseStickyOverlayLinks(this.table, this.cfg.overlayLinks, this.links));
    const release = this.scratchClose;
    release.length = 0;
    for (const p of this.links) {
      if (chosen.has(p)) continue;
      this.shared.stats.linksReleased++;
      if (api.peers().get(p) === 'out' && (this.use.get(p)?.inUse ?? 0) === 0) release.push(p);
    }
    this.links = chosen;
    for (const p of release) api.disconnect(p, 'kademlia: link released');
    this.maintainLinks(now);
  }

  /** Dials chosen links that are neither connected nor being dialled, while outbound slots allow. */
  private maintainLinks(now: TimeUs): void {
    const api = this.api!;
    const peers = api.peers();
    for (const p of this.links) {
      if (peers.has(p)) continue;
      const addr = api.addressOf(p);
      if (addr === undefined || this.connecting.has(addr)) continue;
      if (!this.slotFree() && !this.evictIdle()) return;
      // Refused: the address is backing off (it failed, or turned us away as full). Choose another.
      if (!this.dialPeer(p, addr, now)) this.links.delete(p);
    }
  }

  // ---- lookups ----

  private requestLookup(kind: LookupKind, bucket: number, now: TimeUs, seeds: readonly PeerNum[] = NO_SEEDS): void {
    if (this.active.length < this.cfg.maxConcurrentLookups) this.startLookup(kind, bucket, now, seeds);
    else if (this.queue.length < this.cfg.maxQueuedLookups) this.queue.push({ kind, bucket, seeds });
    else this.shared.stats.dropped[kind]++;
  }

  private startLookup(kind: LookupKind, bucket: number, now: TimeUs, seeds: readonly PeerNum[]): void {
    const table = this.table;
    let lookup: Lookup;
    if (kind === LookupKind.Join) lookup = createJoinLookup(table, seeds, now);
    else if (kind === LookupKind.Refresh) lookup = createRefreshLookup(table, bucket, this.api!.rng, now);
    else lookup = createLookup(table, now, randomKadId(this.api!.rng));
    const targetBytes = new Uint8Array(KAD_ID_BYTES);
    writeKadIdBytes(lookup.target, 0, targetBytes, 0);
    const run: LookupRun = { kind, lookup, targetBytes, bucket, sent: 0, timeouts: 0, finished: false };
    if (kind === LookupKind.Join) this.joinRun = run;
    this.active.push(run);
    this.shared.stats.lookupStarted(kind);
    this.dispatch(run, lookup.start(now), now);
  }

  /** Sends a lookup's requests; one that cannot even be attempted is reported failed at once (bounded by the query budget). */
  private dispatch(run: LookupRun, sends: FindNodeSend[], now: TimeUs): void {
    for (let i = 0; i < sends.length && !run.finished; i++) {
      const to = sends[i].to;
      if (this.sendFind(run, to, now)) continue;
      this.shared.stats.rpcSoftFailures++;
      if (run.lookup.done) break;
      const more = run.lookup.onFailure(now, to);
      for (let j = 0; j < more.length; j++) sends.push(more[j]);
    }
    if (run.lookup.done && !run.finished) this.finishLookup(run, now);
  }

  private sendFind(run: LookupRun, to: PeerNum, now: TimeUs): boolean {
    const r = this.rpcs.alloc(RpcKind.FindNode, to, run);
    if (r === undefined) {
      this.shared.stats.rpcSlotsExhausted++;
      return false;
    }
    if (this.request(r, now)) return true;
    this.rpcs.release(r);
    return false;
  }

  private finishLookup(run: LookupRun, now: TimeUs): void {
    run.finished = true;
    const at = this.active.indexOf(run);
    if (at >= 0) this.active.splice(at, 1);
    for (const r of this.rpcs.slots) if (r.state !== RpcState.Free && r.run === run) this.complete(r);
    const report = run.lookup.report();
    if (run.kind === LookupKind.Join) {
      this.joinRun = undefined;
      this.shared.stats.lookupDone(run.kind, report, run.sent, run.timeouts, report.responses > 0, true);
      if (report.responses > 0) this.onJoined(now);
      else this.armJoinTimer();
    } else if (run.kind === LookupKind.Workload) {
      this.scoreWorkload(run, report);
    } else {
      this.shared.stats.lookupDone(run.kind, report, run.sent, run.timeouts, report.success, true);
    }
    while (this.active.length < this.cfg.maxConcurrentLookups && this.queue.length > 0) {
      const q = this.queue.shift()!;
      this.startLookup(q.kind, q.bucket, now, q.seeds);
    }
  }

  /** Observer's verdict: did the lookup find the closest live server to its target? */
  private scoreWorkload(run: LookupRun, report: LookupReport): void {
    const shared = this.shared;
    const truth = shared.trueClosest(run.lookup.target);
    const self = this.api!.self;
    const found = report.success && report.result.length > 0 ? report.result[0] : -1;
    const success = truth === self || found === truth;
    const truthJoined = shared.lastClosestJoined;
    this.workloadDone++;
    if (success) this.workloadSuccess++;
    if (truthJoined === self || found === truthJoined) shared.stats.workloadSuccessJoined++;
    shared.stats.lookupDone(run.kind, report, run.sent, run.timeouts, success, truth >= 0);
  }

  private refreshStale(now: TimeUs): void {
    if (!this.joined) return;
    const stale = this.table.bucketsNeedingRefresh(now);
    for (let i = stale.length - 1; i >= 0; i--) {
      const b = stale[i];
      if (this.queue.some((q) => q.kind === LookupKind.Refresh && q.bucket === b)) continue;
      if (this.active.some((r) => r.kind === LookupKind.Refresh && r.bucket === b)) continue;
      this.requestLookup(LookupKind.Refresh, b, now);
    }
  }

  private scheduleWorkload(): void {
    const mean = this.cfg.lookupIntervalUs;
    if (mean <= 0) return;
    const api = this.api!;
    api.setTimer(Math.max(1, Math.round(api.rng.exponential(mean))), TAG_WORKLOAD);
  }

  // ---- join ----

  /**
   * Join: a lookup of our own id seeded with the bootstrap peers met, or, if
   * none answered, peers whose addresses the peer manager learnt (a full
   * bootstrap node still hands out an address sample before it says
   * goodbye), or our table (a restart). While bootstrap dials are in flight
   * it waits for them (unless `force`: the join timer fired), so the join
   * reaches every bootstrap node that is up. With nothing to join through, it
   * dials the next bootstrap nodes. The join timer retries until joined.
   */
  private joinAttempt(now: TimeUs, force: boolean): void {
    if (this.joined || this.joinRun !== undefined) return;
    if (this.queue.length > 0 && this.queue[0].kind === LookupKind.Join) return; // already waiting to start
    this.armJoinTimer();
    if (!force && this.bootDialsPending()) return;
    const seeds = this.collectJoinSeeds();
    if (seeds.length > 0 || this.table.size > 0) {
      this.shared.stats.joinAttempts++;
      if (this.active.length < this.cfg.maxConcurrentLookups) this.startLookup(LookupKind.Join, -1, now, seeds);
      else this.queue.unshift({ kind: LookupKind.Join, bucket: -1, seeds });
      return;
    }
    this.dialBootstraps(now, JOIN_FANOUT);
  }

  /** Bootstrap peers met, then up to k peers from the address book (servers only, deduplicated). */
  private collectJoinSeeds(): PeerNum[] {
    const api = this.api!;
    const out = this.bootPeers.slice();
    const k = this.cfg.kad.k;
    if (out.length < k) {
      for (const p of api.samplePeers(k)) {
        if (out.length >= k) break;
        if (p === api.self || out.includes(p) || this.shared.isClient(p) || !this.shared.ensureId(p)) continue;
        out.push(p);
      }
    }
    return out;
  }

  private bootDialsPending(): boolean {
    for (const [addr, d] of this.connecting) if (d.peer < 0 && this.bootSet.has(addr)) return true;
    return false;
  }

  /** Dials up to `max` bootstrap addresses not met yet and not being dialled, continuing a rotation. */
  private dialBootstraps(now: TimeUs, max: number): void {
    const api = this.api!;
    const n = this.bootOrder.length;
    let dialed = 0;
    for (let tried = 0; tried < n && dialed < max; tried++) {
      const addr = this.bootOrder[this.bootCursor];
      this.bootCursor = (this.bootCursor + 1) % n;
      if (this.bootMet.has(addr) || this.connecting.has(addr)) continue;
      if (!this.slotFree() && !this.evictIdle()) return;
      if (api.dial(addr)) {
        this.connecting.set(addr, { peer: -1, sinceUs: now });
        this.shared.stats.dials++;
        dialed++;
      }
    }
  }

  /** Join retry: 1 s after the first attempt, then joinRetryS doubling up to the cap. */
  private armJoinTimer(): void {
    if (this.joinTimer !== undefined || this.joined) return;
    const base = this.cfg.joinRetryUs;
    const delay = this.joinFailures === 0 ? Math.min(base, 1_000_000) : Math.min(this.cfg.joinRetryCapUs, base * 2 ** Math.min(this.joinFailures - 1, 30));
    this.joinFailures++;
    this.joinTimer = this.api!.setTimer(delay, TAG_JOIN);
  }

  private onJoined(now: TimeUs): void {
    if (this.joined) return;
    this.joined = true;
    this.shared.setJoined(this.api!.self, true);
    if (this.joinedAtUs === undefined) {
      this.joinedAtUs = now;
      this.shared.stats.joined(now - this.startedAtUs);
    }
    if (this.joinTimer !== undefined) {
      this.api!.cancelTimer(this.joinTimer);
      this.joinTimer = undefined;
    }
    // paper §2.3: refresh every bucket farther than our closest neighbour
    for (const b of joinRefreshBuckets(this.table)) this.requestLookup(LookupKind.Refresh, b, now);
    this.scheduleWorkload();
    this.evaluateLinks(now);
    // Bootstrap nodes serve every newcomer: do not sit on their inbound slots until the idle timeout.
    for (const p of this.bootPeers) this.releaseIfIdle(p);
  }
}
