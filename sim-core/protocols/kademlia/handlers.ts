import type { TimeUs } from '../../engine/time.ts';
import { KAD_ID_BYTES } from '../../wire/constants.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, type KadFindNodeMsg, type KadNode, type KadNodesMsg, type KadPingMsg, type KadPongMsg, type Message } from '../../wire/messages.ts';
import type { AppContext } from './app-context.ts';
import { LookupKind } from './app-metrics.ts';
import type { Connections } from './connections.ts';
import { kadIdFromPeerId, newKadId } from './ids.ts';
import type { Join } from './join.ts';
import type { LookupRuns } from './lookup-runs.ts';
import type { Requests } from './requests.ts';
import { PeerTimes } from './peer-times.ts';
import { RpcKind } from './rpc.ts';

/**
 * The Kademlia messages a `KademliaApp` receives: FIND_NODE and KadPing
 * answered (not by a client), KadNodes and KadPong fed to the requests they
 * answer. Every message `observe`s its sender: that is how the routing table
 * learns and keeps peers.
 */
export class MessageHandlers {
  /** When each peer last showed it was alive (pruned to about the table's peers; kept across restarts). */
  private readonly seen = new PeerTimes();
  private readonly scratchPeers: PeerNum[] = [];
  private readonly scratchTarget = newKadId();
  /** FIND_NODE requests this peer answered. */
  served = 0;

  constructor(
    private readonly ctx: AppContext,
    private readonly isClient: boolean,
    private readonly requests: Requests,
    private readonly lookups: LookupRuns,
    private readonly conns: Connections,
    private readonly join: Join,
  ) {}

  handle(now: TimeUs, peer: PeerNum, msg: Message): void {
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
  }

  /**
   * `peer` showed it is alive. Clients are never stored. A full bucket's
   * least-recently-seen entry gets a KadPing before it can be evicted —
   * unless we heard from it within `pingFreshUs` (BEP 5's "good" node): then
   * it stays and the newcomer waits in the replacement cache.
   */
  observe(now: TimeUs, peer: PeerNum): void {
    const { shared, table } = this.ctx;
    if (shared.isClient(peer) || !shared.ensureId(peer)) return;
    this.seen.set(peer, now);
    const res = table.observe(now, peer);
    if (res.kind !== 'ping') return;
    const last = this.seen.get(res.peer);
    if (last !== undefined && now - last < this.ctx.cfg.pingFreshUs) {
      this.ctx.stats.pingsSkipped++;
      table.pingResult(now, res.peer, true);
    } else {
      this.requests.ping(now, res.peer);
    }
  }

  /** When `peer` last showed it was alive, or undefined (observers). */
  lastSeenUs(peer: PeerNum): TimeUs | undefined {
    return this.seen.get(peer);
  }

  /** Drops last-seen times of peers no longer in the table (bounded: runs when the map outgrows the table). */
  pruneSeen(): void {
    const table = this.ctx.table;
    if (this.seen.size <= 2 * table.size + 256) return;
    this.seen.retain((p) => table.has(p));
  }

  private onFindNode(now: TimeUs, peer: PeerNum, msg: KadFindNodeMsg): void {
    if (this.isClient) return; // a client serves nobody
    if (msg.target.length === KAD_ID_BYTES) {
      const { api, shared } = this.ctx;
      kadIdFromPeerId(msg.target, 0, this.scratchTarget);
      const table = this.ctx.table;
      const count = table.closestInto(this.scratchTarget, this.ctx.cfg.kad.k, peer);
      const near = table.nearest;
      const nodes: KadNode[] = [];
      for (let i = 0; i < count; i++) {
        const host = api.addressOf(near[i]);
        if (host !== undefined) nodes.push(shared.kadNode(near[i], host));
      }
      api.send(peer, { type: MsgType.KadNodes, requestId: msg.requestId, nodes });
      shared.stats.findNodeAnswered++;
      this.served++;
    }
    this.observe(now, peer);
  }

  private onPing(now: TimeUs, peer: PeerNum, msg: KadPingMsg): void {
    if (this.isClient) return;
    this.ctx.api.send(peer, { type: MsgType.KadPong, requestId: msg.requestId });
    this.observe(now, peer);
  }

  private onNodes(now: TimeUs, peer: PeerNum, msg: KadNodesMsg): void {
    const { api, shared, stats } = this.ctx;
    const r = this.requests.answered(msg.requestId, peer, RpcKind.FindNode);
    if (r === undefined) {
      stats.lateAnswers++;
      this.observe(now, peer);
      return;
    }
    const run = r.run;
    this.requests.complete(r);
    stats.nodesAnswersReceived++;
    if (run !== undefined && !run.finished && !run.lookup.done) {
      const self = api.self;
      // Written by index, never shortened (length = 0 would drop its backing store: a new one per answer).
      const list = this.scratchPeers;
      let listed = 0;
      const n = Math.min(msg.nodes.length, this.ctx.cfg.kad.maxNodesPerResponse);
      for (let i = 0; i < n; i++) {
        const node = msg.nodes[i];
        const p = node.peer;
        if (p === self || !shared.ensureId(p) || shared.isClient(p)) continue;
        const host = node.address.host;
        if (api.addressOf(p) !== host) api.learnAddress(host, p, now);
        list[listed++] = p;
      }
      const sends = run.lookup.onResponse(now, peer, list, listed);
      this.lookups.dispatch(run, sends, now);
    }
    this.observe(now, peer);
    // A bootstrap node serves every newcomer: free its inbound slot as soon as it has answered our join.
    if (run !== undefined && run.kind === LookupKind.Join && this.join.isBootstrap(api.addressOf(peer) ?? -1)) this.conns.releaseIfIdle(peer);
  }

  private onPong(now: TimeUs, peer: PeerNum, msg: KadPongMsg): void {
    const r = this.requests.answered(msg.requestId, peer, RpcKind.Ping);
    if (r === undefined) {
      this.ctx.stats.lateAnswers++;
      return;
    }
    this.requests.complete(r);
    this.ctx.stats.pongsReceived++;
    this.ctx.table.pingResult(now, peer, true);
  }
}
