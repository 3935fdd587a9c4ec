import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { Address, Direction } from '../../sans-io/protocol.ts';
import type { AppContext } from './app-context.ts';
import { LINK_REFUSED_US, LINK_SETTLE_US, MAX_REFUSED_LINKS, REDIAL_GIVE_UP_US, REDIAL_US, TAG_REDIAL } from './constants.ts';
import { chooseStickyOverlayLinks } from './overlay.ts';
import { OrderedIntMap } from '../node/ordered-int-map.ts';
import type { UseTable } from './use-table.ts';
import type { RpcTable } from './rpc.ts';

/** A dial this app asked for, until its handshake completes or fails. */
export interface Dial {
  /** The peer expected there; -1 for a bootstrap address (unknown until its handshake). */
  peer: PeerNum;
  sinceUs: TimeUs;
}

/**
 * The connections of a `KademliaApp`: its dials, its outbound slots and its
 * overlay links.
 *
 * A request to a peer we are not connected to dials it (`ensureConnection`).
 * Outbound connections are limited to `maxOutbound`: when full, the least
 * recently used idle lookup connection is closed to make room, else the
 * request's peer waits in a bounded queue, served when the app's outermost
 * entry point returns (`serveNeedDial`). Dials the peer manager refuses are
 * retried for a little while. Outbound connections that are not overlay
 * links are closed once idle for `idleTimeoutUs`; inbound ones belong to the
 * peer that dialled (its link, or its lookup connection it will close).
 *
 * Overlay links: every `linkRefreshUs`, `chooseStickyOverlayLinks` picks up
 * to `overlayLinks` peers from the routing table (one per distance scale
 * first, from the farthest bucket down; current links are kept while their
 * bucket still has room for them); missing ones are dialled, dropped ones
 * released (closed unless a request is using them). Lost links are
 * redialled by the housekeeping sweep — unless the other side closed our
 * dial within LINK_SETTLE_US of its handshake: it had no link slot for us
 * (its `RpcRoom` closes idle connections past its link slots), so that peer
 * is not chosen as a link for LINK_REFUSED_US.
 */
export class Connections {
  private linkSet = new Set<PeerNum>();
  /** Per established peer: when we last exchanged a Kademlia message, requests in flight on it (the simulation's UseTable, row `self`). */
  private readonly use: UseTable;
  private self: PeerNum = -1;
  // An insertion-ordered int map: every RPC connection passes through it.
  private readonly connecting = new OrderedIntMap<Dial>();
  /** Peers with requests waiting for an outbound slot (FIFO, ≤ request table size). */
  private readonly needDial: PeerNum[] = [];
  /** Refused dials retried shortly (≤ request table size). */
  private readonly redial: { peer: PeerNum; sinceUs: TimeUs }[] = [];
  private redialArmed = false;
  private readonly scratchClose: PeerNum[] = [];
  /** Peers that turned our link away → until when they are not chosen again (insertion order = expiry order). */
  private readonly refused = new Map<PeerNum, TimeUs>();

  constructor(
    private readonly ctx: AppContext,
    /** The app's requests: whom they wait for; also bounds the waiting lists. */
    private readonly rpcs: RpcTable<unknown>,
    /** Fails the requests waiting for a connection to `peer` (hard: it is gone). */
    private readonly failWaiting: (peer: PeerNum, now: TimeUs, hard: boolean) => void,
  ) {
    this.use = ctx.shared.use;
  }

  /** Current overlay links (chosen), established or not. */
  get links(): ReadonlySet<PeerNum> {
    return this.linkSet;
  }

  /** Dials in flight, by address. */
  get dials(): ReadonlyMap<Address, Dial> {
    return this.connecting;
  }

  /** A (re)start of peer `self`: sockets died with the process. */
  reset(self: PeerNum): void {
    this.self = self;
    this.use.clear(self);
    this.connecting.clear();
    this.needDial.length = 0;
    this.redial.length = 0;
    this.redialArmed = false;
    this.linkSet = new Set();
    this.refused.clear();
  }

  /** `peer` is connected: its dial (if ours) is over. */
  up(now: TimeUs, peer: PeerNum, addr: Address | undefined, dir: Direction): void {
    this.use.up(this.self, peer, now, dir === 'out');
    if (addr !== undefined) this.connecting.delete(addr);
  }

  /** `peer`'s connection is gone. We never close a chosen link ourselves: one our dial carried that dies young was turned away. */
  down(now: TimeUs, peer: PeerNum): void {
    const u = this.use.remove(this.self, peer);
    if (u < 0 || this.use.out[u] !== 1 || !this.linkSet.has(peer) || now - this.use.upUs[u] >= LINK_SETTLE_US) return;
    this.linkSet.delete(peer);
    this.refused.delete(peer);
    if (this.refused.size >= MAX_REFUSED_LINKS) this.refused.delete(this.refused.keys().next().value!);
    this.refused.set(peer, now + LINK_REFUSED_US);
    this.ctx.stats.linksTurnedAway++;
  }

  /** A request of ours is in flight on `peer`'s connection. */
  busy(peer: PeerNum): boolean {
    return this.inUse(peer) > 0;
  }

  /** Requests of ours in flight on `peer`'s connection (0 without one). */
  private inUse(peer: PeerNum): number {
    const u = this.use.find(this.self, peer);
    return u < 0 ? 0 : this.use.inUse[u];
  }

  /** A Kademlia message from `peer`: its connection is in use. */
  touch(now: TimeUs, peer: PeerNum): void {
    const u = this.use.find(this.self, peer);
    if (u >= 0) this.use.lastUsedUs[u] = now;
  }

  /** A request went out on `peer`'s connection. */
  acquire(now: TimeUs, peer: PeerNum): void {
    const u = this.use.find(this.self, peer);
    if (u >= 0) {
      this.use.inUse[u]++;
      this.use.lastUsedUs[u] = now;
    }
  }

  /** A request sent on `peer`'s connection ended. */
  release(peer: PeerNum): void {
    const u = this.use.find(this.self, peer);
    if (u >= 0 && this.use.inUse[u] > 0) this.use.inUse[u]--;
  }

  /** The peer manager reports our dial to `address` failed: forgets it (undefined if it was not ours). */
  dialFailed(address: Address): Dial | undefined {
    const d = this.connecting.get(address);
    if (d === undefined) return undefined;
    this.connecting.delete(address);
    this.ctx.stats.dialFailures++;
    return d;
  }

  dropLink(peer: PeerNum): void {
    this.linkSet.delete(peer);
  }

  /** Whether a refused dial to `peer` waits for a retry (a loop, not `some`: its closure over `peer` made V8 allocate a context at every ensureConnection). */
  private redialing(peer: PeerNum): boolean {
    for (let i = 0; i < this.redial.length; i++) if (this.redial[i].peer === peer) return true;
    return false;
  }

  slotFree(): boolean {
    const api = this.ctx.api;
    return api.outboundCount() + api.dialingCount() < this.ctx.cfg.maxOutbound;
  }

  /** True if a connection to `peer` is coming (dialling, or queued for a slot); false if it cannot be had. */
  ensureConnection(peer: PeerNum, now: TimeUs): boolean {
    const stats = this.ctx.stats;
    const addr = this.ctx.api.addressOf(peer);
    if (addr === undefined) {
      stats.noAddress++;
      return false;
    }
    if (this.connecting.has(addr) || this.needDial.includes(peer) || this.redialing(peer)) return true;
    if (!this.slotFree() && !this.evictIdle()) {
      if (this.needDial.length >= this.rpcs.capacity) return false;
      this.needDial.push(peer);
      stats.waitedForSlot++;
      return true;
    }
    if (this.dial(peer, addr, now)) return true;
    // Refused by the peer manager: usually its short backoff after we closed a connection to that
    // address, or the peer is dialling us right now. Retry for a little while before giving up.
    if (this.redial.length >= this.rpcs.capacity) {
      stats.dialRefused++;
      return false;
    }
    this.redial.push({ peer, sinceUs: now });
    if (!this.redialArmed) {
      this.redialArmed = true;
      this.ctx.api.setTimer(REDIAL_US, TAG_REDIAL);
    }
    return true;
  }

  /** The redial timer: retries refused dials; requests still refused after REDIAL_GIVE_UP_US fail (soft). */
  retryRefused(now: TimeUs): void {
    this.redialArmed = false;
    const api = this.ctx.api;
    const list = this.redial;
    let w = 0;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      const addr = api.addressOf(e.peer);
      if (api.peers().has(e.peer) || !this.rpcs.hasWaiting(e.peer) || (addr !== undefined && this.connecting.has(addr))) continue;
      if (addr !== undefined && (this.slotFree() || this.evictIdle()) && this.dial(e.peer, addr, now)) continue;
      if (now - e.sinceUs >= REDIAL_GIVE_UP_US) {
        this.ctx.stats.dialRefused++;
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

  /** Dials `addr`, where `peer` is expected (-1: a bootstrap address); false if the peer manager refused. */
  dial(peer: PeerNum, addr: Address, now: TimeUs): boolean {
    if (!this.ctx.api.dial(addr)) return false;
    this.connecting.set(addr, { peer, sinceUs: now });
    this.ctx.stats.dials++;
    return true;
  }

  /** Closes the least recently used idle lookup connection (outbound, not a link, nothing in flight). */
  evictIdle(): boolean {
    const api = this.ctx.api;
    let best = -1;
    let bestUs = Infinity;
    // The use record says which way the connection went (up() copies the peer manager's direction):
    // no second probe of the peer manager's map per peer.
    for (const peer of api.peers().keys()) {
      const u = this.use.find(this.self, peer);
      if (u < 0 || this.use.out[u] !== 1 || this.use.inUse[u] > 0 || this.linkSet.has(peer)) continue;
      if (this.use.lastUsedUs[u] < bestUs) {
        bestUs = this.use.lastUsedUs[u];
        best = peer;
      }
    }
    if (best < 0) return false;
    this.ctx.stats.evicted++;
    api.disconnect(best, 'kademlia: slot needed');
    return true;
  }

  /** Dials for requests that waited for an outbound slot. Runs when the app's outermost entry point returns. */
  serveNeedDial(now: TimeUs): void {
    const api = this.ctx.api;
    while (this.needDial.length > 0) {
      const peer = this.needDial[0];
      const addr = api.addressOf(peer);
      if (api.peers().has(peer) || !this.rpcs.hasWaiting(peer) || (addr !== undefined && this.connecting.has(addr))) {
        this.needDial.shift();
        continue;
      }
      if (!this.slotFree() && !this.evictIdle()) return;
      this.needDial.shift();
      if (addr === undefined || !this.dial(peer, addr, now)) this.failWaiting(peer, now, false);
    }
  }

  /** Housekeeping: closes idle lookup connections and forgets dials nobody reported on. */
  closeIdle(now: TimeUs): void {
    const api = this.ctx.api;
    const close = this.scratchClose;
    close.length = 0;
    for (const peer of api.peers().keys()) {
      const u = this.use.find(this.self, peer);
      if (u < 0 || this.use.out[u] !== 1 || this.use.inUse[u] !== 0 || this.linkSet.has(peer)) continue;
      if (now - this.use.lastUsedUs[u] >= this.ctx.cfg.idleTimeoutUs) close.push(peer);
    }
    for (const p of close) {
      this.ctx.stats.idleClosed++;
      api.disconnect(p, 'kademlia: idle');
    }
    for (const [addr, d] of this.connecting) if (now - d.sinceUs >= this.ctx.cfg.dialForgetUs) this.connecting.delete(addr);
  }

  /** Closes our outbound connection to `peer` if it is not a link and carries no request. */
  releaseIfIdle(peer: PeerNum): void {
    const api = this.ctx.api;
    if (api.peers().get(peer) === 'out' && !this.linkSet.has(peer) && this.inUse(peer) === 0) api.disconnect(peer, 'kademlia: done');
  }

  /** Chooses the overlay links afresh from the routing table, releases dropped ones and dials missing ones. */
  evaluateLinks(now: TimeUs): void {
    const api = this.ctx.api;
    for (const [p, untilUs] of this.refused) {
      if (untilUs > now) break;
      this.refused.delete(p);
    }
    const chosen = new Set(chooseStickyOverlayLinks(this.ctx.table, this.ctx.cfg.overlayLinks, this.linkSet, this.refused));
    const release = this.scratchClose;
    release.length = 0;
    for (const p of this.linkSet) {
      if (chosen.has(p)) continue;
      this.ctx.stats.linksReleased++;
      if (api.peers().get(p) === 'out' && this.inUse(p) === 0) release.push(p);
    }
    this.linkSet = chosen;
    for (const p of release) api.disconnect(p, 'kademlia: link released');
    this.maintainLinks(now);
  }

  /** Dials chosen links that are neither connected nor being dialled, while outbound slots allow. */
  maintainLinks(now: TimeUs): void {
    const api = this.ctx.api;
    const peers = api.peers();
    for (const p of this.linkSet) {
      if (peers.has(p)) continue;
      const addr = api.addressOf(p);
      if (addr === undefined || this.connecting.has(addr)) continue;
      if (!this.slotFree() && !this.evictIdle()) return;
      // Refused: the address is backing off (it failed, or turned us away as full). Choose another.
      if (!this.dial(p, addr, now)) this.linkSet.delete(p);
    }
  }

  /** The links that are established (what topology metrics measure). */
  overlay(): PeerNum[] {
    const out: PeerNum[] = [];
    if (!this.ctx.started) return out;
    const peers = this.ctx.api.peers();
    for (const p of this.linkSet) if (peers.has(p)) out.push(p);
    return out;
  }
}
