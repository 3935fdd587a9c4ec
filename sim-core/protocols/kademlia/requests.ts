import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, type Message } from '../../wire/messages.ts';
import type { AppContext } from './app-context.ts';
import type { Connections } from './connections.ts';
import { TAG_ORPHANS, TAG_RPC } from './constants.ts';
import type { FindNodeSend } from './lookup.ts';
import type { LookupRun } from './lookup-run.ts';
import { Rpc, RpcKind, RpcState, RpcTable } from './rpc.ts';

/**
 * The outstanding requests (FIND_NODE, KadPing) of a `KademliaApp`, from
 * sending to their answer or deadline. A request to a peer we are not
 * connected to waits for the connection (bounded table, one deadline each,
 * connection time included). Requests in flight when a connection drops are
 * re-sent if the same peer is back within the same event (a duplicate
 * connection replaced the old one), else they fail.
 *
 * Hard failures (deadline after sending, peer unreachable) cost the peer its
 * table entry (or its ping); soft ones (never got to ask) only fail the
 * request. Either way its lookup goes on without that peer.
 */
export class Requests {
  private orphanTimerAt: TimeUs = -1;

  constructor(
    private readonly ctx: AppContext,
    readonly rpcs: RpcTable<LookupRun>,
    private readonly conns: Connections,
    /** Sends a lookup's next requests (LookupRuns.dispatch). */
    private readonly dispatch: (run: LookupRun, sends: FindNodeSend[], now: TimeUs) => void,
  ) {}

  /** A (re)start: the old requests and their timers died with the process. */
  reset(): void {
    this.rpcs.reset();
    this.orphanTimerAt = -1;
  }

  /** Asks `to` a FIND_NODE for `run`; false if that cannot even be attempted. */
  find(run: LookupRun, to: PeerNum, now: TimeUs): boolean {
    const r = this.rpcs.alloc(RpcKind.FindNode, to, run);
    if (r === undefined) {
      this.ctx.stats.rpcSlotsExhausted++;
      return false;
    }
    if (this.request(r, now)) return true;
    this.rpcs.release(r);
    return false;
  }

  /** Pings a full bucket's least-recently-seen entry; if we cannot, it is kept (the paper's bias to old entries). */
  ping(now: TimeUs, target: PeerNum): void {
    const { stats, table } = this.ctx;
    const r = this.rpcs.alloc(RpcKind.Ping, target, undefined);
    if (r === undefined) {
      stats.rpcSlotsExhausted++;
      table.pingResult(now, target, true);
      return;
    }
    if (!this.request(r, now)) {
      this.rpcs.release(r);
      table.pingResult(now, target, true);
      return;
    }
    stats.pingsSent++;
  }

  /** The request an answer from `peer` ends, or undefined if it is late (or not ours). */
  answered(requestId: number, peer: PeerNum, kind: RpcKind): Rpc<LookupRun> | undefined {
    const r = this.rpcs.match(requestId, peer, kind);
    if (r === undefined || (r.state !== RpcState.Sent && r.state !== RpcState.Orphan)) return undefined;
    return r;
  }

  /** Sends the waiting requests to a peer that just came up (and re-sends orphans of this instant). */
  flush(peer: PeerNum, now: TimeUs): void {
    if (this.rpcs.waiting + this.rpcs.orphans === 0) return;
    for (const r of this.rpcs.slots) {
      if (r.peer !== peer) continue;
      if (r.state === RpcState.Waiting || (r.state === RpcState.Orphan && r.orphanAtUs === now)) {
        if (!this.transmit(r, now)) this.fail(r, now, false, false);
      }
    }
  }

  /** A request ended normally (answered, or its lookup finished): frees it. */
  complete(r: Rpc<LookupRun>): void {
    if (r.timer >= 0) this.ctx.api.cancelTimer(r.timer);
    if (r.state === RpcState.Sent) this.conns.release(r.peer);
    this.rpcs.release(r);
  }

  /** Frees the requests of a finished lookup. */
  completeRun(run: LookupRun): void {
    for (const r of this.rpcs.slots) if (r.state !== RpcState.Free && r.run === run) this.complete(r);
  }

  failWaiting(peer: PeerNum, now: TimeUs, hard: boolean): void {
    if (this.rpcs.waiting === 0) return;
    for (const r of this.rpcs.slots) if (r.state === RpcState.Waiting && r.peer === peer) this.fail(r, now, hard, false);
  }

  /** `peer`'s connection dropped: its requests in flight wait (this instant only) for a replacement connection. */
  orphan(peer: PeerNum, now: TimeUs): void {
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
      this.ctx.api.setTimer(0, TAG_ORPHANS);
    }
  }

  /** The zero-delay orphan timer: requests whose peer did not come back fail (soft). */
  failOrphans(now: TimeUs): void {
    this.orphanTimerAt = -1;
    for (const r of this.rpcs.slots) {
      if (r.state !== RpcState.Orphan) continue;
      this.ctx.stats.orphansFailed++;
      this.fail(r, now, false, false);
    }
  }

  onDeadline(now: TimeUs, slot: number): void {
    const r = this.rpcs.slots[slot];
    if (r === undefined || r.state === RpcState.Free) return;
    r.timer = -1; // fired
    let hard = r.state !== RpcState.Waiting;
    if (!hard) {
      // still connecting after the whole timeout: unreachable; merely queued for a slot: no verdict
      const addr = this.ctx.api.addressOf(r.peer);
      hard = addr !== undefined && this.conns.dials.has(addr);
    }
    this.fail(r, now, hard, true);
  }

  /**
   * Sends `r` now if its peer is connected, else makes sure a connection is
   * coming and leaves it Waiting. Arms its deadline. False if it cannot even
   * be attempted (no address, dial refused locally): the caller releases it.
   */
  private request(r: Rpc<LookupRun>, now: TimeUs): boolean {
    const api = this.ctx.api;
    if (api.peers().has(r.peer)) {
      if (!this.transmit(r, now)) return false;
    } else if (!this.conns.ensureConnection(r.peer, now)) {
      return false;
    }
    r.timer = api.setTimer(this.ctx.cfg.kad.requestTimeoutUs, TAG_RPC + r.slot);
    return true;
  }

  private transmit(r: Rpc<LookupRun>, now: TimeUs): boolean {
    const msg: Message =
      r.kind === RpcKind.FindNode
        ? { type: MsgType.KadFindNode, requestId: r.requestId, target: r.run!.targetBytes }
        : { type: MsgType.KadPing, requestId: r.requestId };
    if (!this.ctx.api.send(r.peer, msg)) return false;
    this.rpcs.setState(r, RpcState.Sent);
    this.conns.acquire(now, r.peer);
    if (r.kind === RpcKind.FindNode) {
      r.run!.sent++;
      this.ctx.stats.findNodeSent++;
    }
    return true;
  }

  /**
   * A request failed. Hard: the peer did not answer in time, or could not be
   * reached (it leaves the routing table / loses its ping). Soft: we never
   * managed to ask (no slot, connection lost mid-flight): no verdict on it.
   */
  private fail(r: Rpc<LookupRun>, now: TimeUs, hard: boolean, timedOut: boolean): void {
    const { kind, peer, run } = r;
    this.complete(r);
    const { stats, table } = this.ctx;
    if (timedOut && hard) stats.rpcTimeouts++;
    else if (!hard) stats.rpcSoftFailures++;
    if (kind === RpcKind.Ping) {
      if (hard && table.has(peer)) stats.tableRemovals++;
      table.pingResult(now, peer, !hard);
      return;
    }
    if (hard) {
      if (table.remove(peer)) stats.tableRemovals++;
      this.conns.dropLink(peer);
    }
    if (run !== undefined && !run.finished && !run.lookup.done) {
      if (timedOut) run.timeouts++;
      this.dispatch(run, run.lookup.onFailure(now, peer, !hard), now);
    }
  }
}
