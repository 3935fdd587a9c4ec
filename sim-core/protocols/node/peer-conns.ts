import type { Rng } from '../../engine/rng.ts';
import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, type Message } from '../../wire/messages.ts';
import type { Identity, IdentityRegistry } from '../identity/registry.ts';
import type { Address, ConnId, Direction, PeerActions, TimerId } from '../../sans-io/protocol.ts';
import { AddressBook, type Book } from './address-book.ts';
import { AddrMan } from './addrman.ts';
import { Anchors, BanScores, InboundTally } from './defences.ts';
import { OrderedIntMap } from './ordered-int-map.ts';
import { PeerAddresses } from './peer-addresses.ts';
import { DISCONNECT_APP, DISCONNECT_BANNED, newConn, reuseConn, type Conn, type WireItem } from './conn.ts';
import type { NodeApi, NodeApp } from './app.ts';
import type { UnderlayActions } from '../../net/host-io.ts';
import type { NodeConfig, Offence } from './config.ts';
import { NodeStats } from './stats.ts';
import { ConnHot, REC, R_ID, R_REMOTE, R_UP_PEER } from './conn-hot.ts';
import type { WireBoundary } from './wire-boundary.ts';

export interface PeerNodeDeps {
  address: Address;
  io: PeerActions<WireItem>;
  rng: (subsystem: string) => Rng;
  identity: Identity;
  registry: IdentityRegistry;
  cfg: NodeConfig;
  wire: WireBoundary;
  bootstrap: readonly Address[];
  app?: NodeApp;
  /** Hot connection records shared by the nodes of one World (a node without one keeps its own). */
  hot?: ConnHot<Conn>;
  /** Network group of an address for per-group limits and the address book (its AS when the underlay knows; default: the address). */
  netGroupOf?: (a: Address) => number;
}

/** App timer tags are offset so they never collide with the node's own. */
export const APP_TAG_BASE = 1 << 16;

/** Forgotten Conn objects kept for reuse, at most. */
const CONN_POOL_MAX = 64;

/**
 * A peer manager's connection table and what the hosted app may ask of it
 * (NodeApi): the records of every connection from dial to close, the
 * counters the limits read, and the primitives that open, close, ban and
 * forget connections. PeerNode adds the protocol on top: driver events, the
 * handshake, the node's own messages and the maintenance tick.
 */
export abstract class PeerConns implements NodeApi {
  readonly stats: NodeStats;
  readonly book: Book;
  readonly self: PeerNum;
  readonly address: Address;
  readonly rng: Rng;
  // Insertion-ordered like Maps, without a new hash table every few dozen connections (see OrderedIntMap).
  protected readonly conns = new OrderedIntMap<Conn>();
  protected readonly byPeer = new OrderedIntMap<Conn>();
  /** Per-message state of our connections (see ConnHot); `conns` keeps their order and the rest. */
  protected readonly hot: ConnHot<Conn>;
  protected readonly established = new OrderedIntMap<Direction>();
  /** Inbound entries of `established`, counted as they come and go (the inbound limit reads it per handshake). */
  protected establishedIn = 0;
  /** Nonces of our handshakes in progress (a value of 1 each). */
  protected readonly ownNonces = new OrderedIntMap<number>();
  /**
   * Forgotten connections, reused by the next ones: a Conn lives seconds, long
   * enough to be a full GC's garbage, and RPC-style apps open one per request.
   * A Conn enters the pool at the very end of forget, and whoever holds one
   * across a call that may open connections checks it by id (onBytes).
   */
  private readonly connPool: Conn[] = [];
  protected readonly scores: BanScores;
  protected readonly anchors: Anchors;
  protected readonly inbounds: InboundTally;
  protected readonly io: PeerActions<WireItem>;
  protected readonly cfg: NodeConfig;
  /** Address per peer learnt from handshakes and addr gossip (bounded like the address book). */
  protected readonly peerAddresses: PeerAddresses;
  protected readonly app: NodeApp | undefined;
  protected outbound = 0;
  protected inbound = 0;
  /** Feeler connections in flight (dialling or handshaking): outside the outbound limit, like Core's feeler slot. */
  protected feelers = 0;
  /**
   * No connection needs the tick before this time (a handshake timing out, a
   * peer going stale, a ping due): a lower bound, lowered wherever a deadline
   * is set (dueBy), so ticks before it skip the walk over the connections.
   */
  protected nextCheckUs = 0;
  protected dialing = 0;
  protected now: TimeUs = 0;
  /** While a restart drops the old connections: the app is told, but its dials and sends are refused. */
  protected restarting = false;

  constructor(protected readonly deps: PeerNodeDeps) {
    this.io = deps.io;
    this.cfg = deps.cfg;
    this.peerAddresses = new PeerAddresses(deps.cfg.addrBookCapacity);
    this.app = deps.app;
    this.address = deps.address;
    this.self = deps.identity.num;
    this.rng = deps.rng('node');
    this.stats = new NodeStats(deps.cfg.attemptLogSize);
    const groupOf = deps.netGroupOf ?? ((a: Address) => a);
    this.inbounds = new InboundTally(groupOf);
    this.book = deps.cfg.addrBook === 'seed' ? new AddressBook(deps.cfg, this.rng, deps.address) : new AddrMan(deps.cfg, this.rng, deps.address, groupOf);
    this.scores = new BanScores(deps.cfg.banScoreHalfLifeUs, deps.cfg.addrBookCapacity);
    this.anchors = new Anchors(deps.cfg.anchorCount, deps.cfg.anchorMinAgeUs);
    this.hot = deps.hot ?? new ConnHot<Conn>(16);
    this.hot.dropOwner(deps.address); // records of a previous node object of this host (World.resetHost)
  }

  // ---- NodeApi: what the hosted app may do ----

  send(peer: PeerNum, msg: Message): boolean {
    if (this.restarting) return false;
    // byPeer holds only 'up' connections; its mirror in ConnHot avoids the Map and the Conn object.
    const idx = this.hot.peerRecord(this.address, peer);
    if (idx < 0) return false;
    this.io.send(this.hot.rec[idx * REC + R_ID], this.wireOut(msg));
    return true;
  }

  peers(): ReadonlyMap<PeerNum, Direction> {
    return this.established;
  }

  dial(address: Address): boolean {
    return this.open(address, 'dial', -1);
  }

  punch(address: Address): boolean {
    return this.open(address, 'punch', -1);
  }

  dialViaRelay(address: Address, relay: Address): boolean {
    return this.open(address, 'relay', relay);
  }

  reachability(): { reachable: boolean; relay: boolean } {
    const io = this.io as Partial<UnderlayActions>;
    return io.reachability ? io.reachability() : { reachable: true, relay: false };
  }

  /** Misbehaviour scores held against addresses (below the ban threshold; banned ones are in the address book). */
  banScores(): ReadonlyMap<Address, number> {
    return this.scores.view();
  }

  /** Misbehaviour score held against an address now (decayed). */
  banScore(address: Address): number {
    return this.scores.score(address, this.now);
  }

  /** Addresses of the anchor links (redialled first after a restart). */
  anchorAddresses(): readonly Address[] {
    return this.anchors.addresses;
  }

  isAnchor(peer: PeerNum): boolean {
    if (!this.cfg.anchorKeepInSelection) return false;
    const c = this.byPeer.get(peer);
    return c !== undefined && c.dir === 'out' && this.anchors.addresses.includes(c.address);
  }

  peerServices(peer: PeerNum): number | undefined {
    return this.byPeer.get(peer)?.services;
  }

  private open(address: Address, how: 'dial' | 'punch' | 'relay', relay: Address): boolean {
    const now = this.now;
    if (this.restarting || address === this.address || this.book.isBanned(address, now)) return false;
    if (this.outboundBusy()) return false;
    if (this.isLinkedTo(address)) return false;
    const e = this.book.get(address);
    if (e && e.nextDialUs > now) return false;
    const io = this.io as Partial<UnderlayActions>;
    if (how !== 'dial' && !(how === 'punch' ? io.punch : io.dialViaRelay)) return false;
    this.book.add(address, undefined, 'app', now);
    this.startDial(address, now, how, relay);
    return true;
  }

  disconnect(peer: PeerNum, reason: string): void {
    const c = this.byPeer.get(peer);
    if (c) this.closeWith(c, DISCONNECT_APP, reason, this.now);
  }

  setTimer(delayUs: number, tag: number): TimerId {
    return this.io.setTimer(delayUs, tag + APP_TAG_BASE);
  }

  cancelTimer(id: TimerId): void {
    this.io.cancelTimer(id);
  }

  offence(peer: PeerNum, kind: Offence): void {
    const c = this.byPeer.get(peer);
    if (c) this.offendConn(c, kind, this.now);
  }

  addressOf(peer: PeerNum): Address | undefined {
    // byPeer's mirror in ConnHot (the remote's address is in the record).
    const idx = this.hot.peerRecord(this.address, peer);
    return idx >= 0 ? this.hot.rec[idx * REC + R_REMOTE] : this.peerAddresses.get(peer);
  }

  /**
   * How many peers p with `among[p] === 1` have an address here (what
   * `addressOf(p) !== undefined` counts), by walking what we know instead of
   * probing every peer: metrics call this for every observer and sample.
   */
  countKnownAmong(among: Uint8Array): number {
    return this.peerAddresses.countAmong(among, this.byPeer);
  }

  samplePeers(count: number): PeerNum[] {
    const out: PeerNum[] = [];
    const self = this.self;
    this.book.sample(this.now, count, (_address, peer) => {
      if (peer !== undefined && peer !== self) out.push(peer);
    });
    return out;
  }

  learnAddress(address: Address, peer: PeerNum | undefined, now: TimeUs): void {
    this.book.add(address, peer, 'app', now);
    if (peer !== undefined) this.peerAddresses.note(peer, address);
  }

  rttUs(peer: PeerNum): number | undefined {
    return this.byPeer.get(peer)?.rttUs;
  }

  outboundCount(): number {
    return this.outbound;
  }

  inboundCount(): number {
    return this.inbound;
  }

  dialingCount(): number {
    return this.dialing;
  }

  chargeCpu(us: number): void {
    this.io.chargeCpu(us);
  }

  // ---- connections ----

  protected newConn(id: ConnId, address: Address, dir: Direction, now: TimeUs): Conn {
    const old = this.connPool.pop();
    const c = old === undefined ? newConn(id, address, dir, now) : reuseConn(old, id, address, dir, now);
    c.hot = this.hot.add(this.address, id, address, c, now);
    this.conns.set(id, c);
    return c;
  }

  protected startDial(address: Address, now: TimeUs, how: 'dial' | 'punch' | 'relay' = 'dial', relay: Address = -1): Conn {
    this.dialing++;
    this.stats.dialAttempts++;
    const io = this.io as PeerActions<WireItem> & Partial<UnderlayActions>;
    const id = how === 'punch' ? io.punch!(address) : how === 'relay' ? io.dialViaRelay!(address, relay) : io.dial(address);
    const c = this.newConn(id, address, 'out', now);
    c.attempt = this.stats.dials.log(now, address);
    return c;
  }

  /** A connection to `address` in any state (every Conn has a hot record, added and released with it). */
  protected isLinkedTo(address: Address): boolean {
    return this.hot.linked(this.address, address);
  }

  protected freshNonce(): number {
    // 53 random bits: 32 + 21.
    return this.rng.uint32() * 2 ** 21 + (this.rng.uint32() >>> 11);
  }

  /** Outbound slots all taken (dials in flight count; a feeler does not). */
  protected outboundBusy(): boolean {
    return this.outbound + this.dialing - this.feelers >= this.cfg.maxOutbound;
  }

  /** Mirrors state 'up' in the hot record (the receive fast path takes int32 peers only). */
  protected markUp(c: Conn, peer: PeerNum): void {
    if (peer >= 0 && peer <= 0x7fffffff) this.hot.rec[c.hot * REC + R_UP_PEER] = peer;
  }

  protected offendConn(c: Conn, kind: Offence, now: TimeUs): void {
    this.stats.offences[kind]++;
    const score = this.scores.charge(c.address, this.cfg.offencePoints[kind], now);
    if (score < this.cfg.banThreshold) return;
    this.scores.delete(c.address);
    this.stats.bansIssued++;
    this.stats.logBan(c.address);
    // The id is banned only when this connection proved it: a relay must not get the peer it impersonates banned.
    this.book.ban(c.address, c.proven ? c.peer : undefined, now + this.cfg.banDurationUs);
    this.closeWith(c, DISCONNECT_BANNED, `banned: ${kind}`, now);
  }

  protected closeWith(c: Conn, code: number, reason: string, now: TimeUs): void {
    if (c.state !== 'dialing') this.io.send(c.id, this.wireOut({ type: MsgType.Disconnect, code, reason }));
    this.io.close(c.id);
    this.forget(c, now);
  }

  /** Drops every trace of a connection; `close` also closes our end. */
  protected forget(c: Conn, now: TimeUs, close = false): void {
    if (!this.conns.delete(c.id)) return;
    this.hot.release(c.hot);
    c.hot = -1;
    if (close) this.io.close(c.id);
    if (c.hs && !c.hs.finished) this.ownNonces.delete(c.hs.nonce);
    if (c.state === 'dialing') this.dialing--;
    else if (c.dir === 'out') this.outbound--;
    else {
      this.inbound--;
      this.inbounds.remove(c.address, c.state === 'handshake');
    }
    if (c.feeler) this.feelers--;
    if (c.dir === 'out' && c.state === 'up') this.book.disconnected(c.address, now);
    if (c.peer !== undefined && this.byPeer.get(c.peer) === c) {
      this.byPeer.delete(c.peer);
      this.established.delete(c.peer);
      if (c.dir === 'in') this.establishedIn--;
      this.app?.onPeerDown(now, c.peer);
    }
    this.pool(c);
  }

  /** A dial to `address` failed (no answer, or no handshake): it backs off, and if it was a peer's proven address, hearsay may replace it. */
  protected dialFailedAt(address: Address, now: TimeUs): void {
    this.book.dialFailed(address, now);
    const peer = this.book.get(address)?.peer;
    if (peer !== undefined) this.peerAddresses.unprove(peer, address);
  }

  protected pool(c: Conn): void {
    if (this.connPool.length < CONN_POOL_MAX) this.connPool.push(c);
  }

  protected dropAllConnections(now: TimeUs): void {
    for (const c of [...this.conns.values()]) this.forget(c, now);
    this.ownNonces.clear();
  }

  /** Lowers the bound on the next tick that has work (1 µs early, so rounding can only make a tick walk, never skip). */
  protected dueBy(t: TimeUs): void {
    if (t - 1 < this.nextCheckUs) this.nextCheckUs = t - 1;
  }

  protected wireOut(msg: Message): WireItem {
    return this.cfg.materialize ? this.deps.wire.encode(msg) : msg;
  }
}
