import type { Rng } from '../../engine/rng.ts';
import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, RejectCode, type Message, type VersionMsg } from '../../wire/messages.ts';
import type { HandshakeStep } from '../handshake/handshake.ts';
import type { Identity, IdentityRegistry } from '../identity/registry.ts';
import type { Address, CloseReason, ConnId, Direction, PeerActions, PeerProtocol, TimerId } from '../../sans-io/protocol.ts';
import { AddressBook, type Book } from './address-book.ts';
import { AddrMan } from './addrman.ts';
import { AddrExchange } from './addr-exchange.ts';
import { AddrMixer } from './addr-mixing.ts';
import { Anchors, BanScores, InboundTally } from './defences.ts';
import { OrderedIntMap } from './ordered-int-map.ts';
import { beaconMessage, learnFromBeacon, type BeaconInbox } from './lan-beacon.ts';
import { PeerAddresses } from './peer-addresses.ts';
import { LostPeers } from './lost-peers.ts';
import {
  DISCONNECT_APP,
  DISCONNECT_BANNED,
  DISCONNECT_DUPLICATE,
  DISCONNECT_FULL,
  DISCONNECT_STALE,
  INBOUND_HANDSHAKE_SLACK,
  keepNewOverOld,
  listenAddress,
  newConn,
  reuseConn,
  Handshakes,
  type Conn,
  type WireItem,
} from './conn.ts';
import { SERVICE_REACHABLE, SERVICE_RELAY, type NodeApi, type NodeApp } from './app.ts';
import type { UnderlayActions } from '../../net/host-io.ts';
import type { NodeConfig, Offence } from './config.ts';
import { NodeStats } from './stats.ts';
import { fillBucket, takeToken } from './token-bucket.ts';
import { ConnHot, REC, R_HAS_BUCKET, R_ID, R_LAST_RECV, R_REMOTE, R_UP_PEER } from './conn-hot.ts';
import type { WireBoundary } from './wire-boundary.ts';

const TIMER_TICK = 1;
/** The identity's proof of work is ground: the node really starts. */
const TIMER_MINTED = 2;
/** Time for the next LAN discovery beacon. */
const TIMER_BEACON = 3;
/** App timer tags are offset so they never collide with the node's own. */
const APP_TAG_BASE = 1 << 16;

export type { WireItem } from './conn.ts';

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

/** Message types PeerNode.receive handles itself; every other type of an 'up' connection goes to the app. */
const NODE_TYPES = new Uint8Array(256);
for (const t of [MsgType.Ping, MsgType.Pong, MsgType.GetAddr, MsgType.Addr, MsgType.Disconnect, MsgType.Reject, MsgType.Version, MsgType.Verack]) NODE_TYPES[t] = 1;

/** Forgotten Conn objects kept for reuse, at most. */
const CONN_POOL_MAX = 64;

/**
 * The peer manager of seed 000 as a sans-IO state machine: a table of live
 * connections, the signed handshake, no duplicate links (deterministic
 * tie-break), connection limits, keepalive with RTT, stale-peer eviction,
 * dialing with exponential backoff, getaddr/addr discovery, misbehaviour
 * scores with bans and a per-connection token bucket. It hosts one overlay
 * app, which only ever sees authenticated, established peers.
 */
export class PeerNode implements PeerProtocol<WireItem>, NodeApi {
  readonly stats: NodeStats;
  readonly book: Book;
  readonly self: PeerNum;
  readonly address: Address;
  readonly rng: Rng;
  private readonly appRng: Rng;
  // Insertion-ordered like Maps, without a new hash table every few dozen connections (see OrderedIntMap).
  private readonly conns = new OrderedIntMap<Conn>();
  private readonly byPeer = new OrderedIntMap<Conn>();
  /** Per-message state of our connections (see ConnHot); `conns` keeps their order and the rest. */
  private readonly hot: ConnHot<Conn>;
  private readonly established = new OrderedIntMap<Direction>();
  /** Inbound entries of `established`, counted as they come and go (the inbound limit reads it per handshake). */
  private establishedIn = 0;
  /** Nonces of our handshakes in progress (a value of 1 each). */
  private readonly ownNonces = new OrderedIntMap<number>();
  private readonly handshakes: Handshakes;
  /**
   * Forgotten connections, reused by the next ones: a Conn lives seconds, long
   * enough to be a full GC's garbage, and RPC-style apps open one per request.
   * A Conn enters the pool at the very end of forget, and whoever holds one
   * across a call that may open connections checks it by id (onBytes).
   */
  private readonly connPool: Conn[] = [];
  private reach = { reachable: true, relay: false };
  private readonly scores: BanScores;
  private readonly anchors: Anchors;
  private readonly groupOf: (a: Address) => number;
  private readonly inbounds: InboundTally;
  /** Outbound peers lost by accident, redialled with backoff (bounded by 2 × maxOutbound). */
  private readonly reconnect: LostPeers;
  private readonly beaconInbox: BeaconInbox;
  private readonly io: PeerActions<WireItem>;
  private readonly cfg: NodeConfig;
  /** Address per peer learnt from handshakes and addr gossip (bounded like the address book). */
  private readonly peerAddresses: PeerAddresses;
  /** getaddr / addr, announcements and their trickle. */
  private readonly addrs: AddrExchange;
  private readonly app: NodeApp | undefined;
  private outbound = 0;
  private inbound = 0;
  /** Address mixing (cfg.addrMixing), created at start; undefined when off. */
  mixer: AddrMixer | undefined;
  /** Feeler connections in flight (dialling or handshaking): outside the outbound limit, like Core's feeler slot. */
  private feelers = 0;
  /**
   * No connection needs the tick before this time (a handshake timing out, a
   * peer going stale, a ping due): a lower bound, lowered wherever a deadline
   * is set (dueBy), so ticks before it skip the walk over the connections.
   */
  private nextCheckUs = 0;
  private dialing = 0;
  private now: TimeUs = 0;
  private minted = false;
  private beaconNonce = -1;
  private minting = false;
  private mintUs = 0;

  constructor(private readonly deps: PeerNodeDeps) {
    this.io = deps.io;
    this.cfg = deps.cfg;
    this.peerAddresses = new PeerAddresses(deps.cfg.addrBookCapacity);
    this.app = deps.app;
    this.address = deps.address;
    this.handshakes = new Handshakes(deps.identity, deps.registry, deps.cfg, deps.address, (n) => this.ownNonces.has(n));
    this.self = deps.identity.num;
    this.rng = deps.rng('node');
    this.appRng = deps.rng(deps.app?.name ?? 'app');
    this.stats = new NodeStats(deps.cfg.attemptLogSize);
    this.groupOf = deps.netGroupOf ?? ((a) => a);
    this.inbounds = new InboundTally(this.groupOf);
    this.book = deps.cfg.addrBook === 'seed' ? new AddressBook(deps.cfg, this.rng, deps.address) : new AddrMan(deps.cfg, this.rng, deps.address, this.groupOf);
    this.scores = new BanScores(deps.cfg.banScoreHalfLifeUs, deps.cfg.addrBookCapacity);
    this.anchors = new Anchors(deps.cfg.anchorCount, deps.cfg.anchorMinAgeUs);
    this.reconnect = new LostPeers(2 * deps.cfg.maxOutbound);
    this.hot = deps.hot ?? new ConnHot<Conn>(16);
    this.hot.dropOwner(deps.address); // records of a previous node object of this host (World.resetHost)
    const node = this;
    this.addrs = new AddrExchange(deps.cfg, this.book, this.peerAddresses, {
      self: this.self,
      get mixer() {
        return node.mixer;
      },
      sendOn: (c, msg) => this.io.send(c.id, this.wireOut(msg)),
      offendConn: (c, kind, now) => this.offendConn(c, kind, now),
      upConns: () => this.byPeer.values(),
    });
    this.beaconInbox = { book: this.book, stats: this.stats, wire: deps.wire, maxFrameBytes: deps.cfg.maxFrameBytes, intervalUs: deps.cfg.lanBeaconIntervalUs };
  }

  // ---- PeerProtocol: events from the driver ----

  onStart(now: TimeUs): void {
    this.now = now;
    // A new identity is ground before the node joins (restarts keep it): the start waits hashes × hashUs.
    const pow = this.deps.identity.pow;
    if (!this.minted && pow && this.cfg.powHashUs > 0) {
      this.minted = true;
      this.mintUs = Math.max(1, Math.round(pow.hashes * this.cfg.powHashUs));
      this.minting = true;
      this.io.setTimer(this.mintUs, TIMER_MINTED);
      return;
    }
    this.minted = true;
    this.begin(now);
  }

  /** This node's key pair and ids. */
  get identity(): Identity {
    return this.deps.identity;
  }

  /** Modelled time spent grinding the identity's proof of work (0 without one). */
  get identityMintUs(): number {
    return this.mintUs;
  }

  private begin(now: TimeUs): void {
    this.minting = false;
    this.reach = this.reachability();
    this.dropAllConnections(now); // a restart: sockets died with the process; the address book survives
    for (const a of this.deps.bootstrap) this.book.add(a, undefined, 'bootstrap', now);
    if (this.cfg.addrMixing) this.mixer ??= new AddrMixer(this.deps.rng('addrmix'), now, 2 * this.cfg.addrBookCapacity);
    this.io.setTimer(this.rng.int(this.cfg.tickUs) + 1, TIMER_TICK);
    this.app?.onStart(now, this.api);
    // Anchors from before the restart first: the book may have been filled by someone else meanwhile.
    for (const a of this.anchors.addresses) if (!this.outboundBusy() && !this.book.isBanned(a, now)) this.startDial(a, now);
    if (this.cfg.autoDial) this.fillOutbound(now);
    // LAN beacons (seed 003): the first at a random point of the period, so a segment's hosts do not all speak at once.
    if (this.cfg.lanBeaconIntervalUs > 0 && 'beacon' in this.io) this.io.setTimer(this.rng.int(this.cfg.lanBeaconIntervalUs) + 1, TIMER_BEACON);
  }

  private sendBeacon(): void {
    const services = (this.reach.reachable ? SERVICE_REACHABLE : 0) | (this.reach.relay ? SERVICE_RELAY : 0);
    const nonce = this.freshNonce();
    this.beaconNonce = nonce;
    const msg = beaconMessage(this.deps.identity.num, this.address, services, nonce);
    if ((this.io as unknown as UnderlayActions).beacon(this.wireOut(msg)) >= 0) this.stats.lanBeaconsSent++;
  }

  /** A LAN beacon (seed 003): the sender's address goes into the book, and we dial if we lack outbound links. */
  onDatagram(now: TimeUs, from: Address, item: WireItem): void {
    this.now = now;
    if (this.minting || this.cfg.lanBeaconIntervalUs <= 0) return;
    if (learnFromBeacon(this.beaconInbox, item, from, now, this.beaconNonce) && this.cfg.autoDial) this.fillOutbound(now);
  }

  onConnected(now: TimeUs, conn: ConnId, remote: Address, dir: Direction): void {
    this.now = now;
    if (this.minting) return void this.io.close(conn); // no identity yet: nobody to talk to
    if (dir === 'out') {
      const c = this.conns.get(conn);
      if (!c) return void this.io.close(conn);
      this.dialing--;
      this.outbound++;
      this.stats.dials.setOutcome(c.attempt, 'connected');
      this.beginHandshake(c, now); // failures reset only once the handshake succeeds
      return;
    }
    const capped = this.inbounds.cap(remote, this.cfg);
    if (capped) this.stats.inboundCapped++;
    if (capped || this.book.isBanned(remote, now) || this.inbound >= this.cfg.maxInbound + INBOUND_HANDSHAKE_SLACK) {
      this.stats.inboundRejected++;
      const reason = capped ?? (this.book.isBanned(remote, now) ? 'banned' : 'too many peers');
      this.io.send(conn, this.wireOut({ type: MsgType.Reject, rejectedType: 0, code: RejectCode.TooManyPeers, reason }));
      this.io.close(conn);
      return;
    }
    this.inbound++;
    const c = this.newConn(conn, remote, 'in', now);
    this.inbounds.add(remote);
    this.beginHandshake(c, now);
  }

  onDialFailed(now: TimeUs, conn: ConnId, remote: Address, _reason: CloseReason): void {
    this.now = now;
    const c = this.conns.get(conn);
    if (!c) return;
    this.conns.delete(conn);
    this.hot.release(c.hot);
    c.hot = -1;
    this.dialing--;
    if (c.feeler) this.feelers--;
    this.stats.dialFailures++;
    this.stats.dials.setOutcome(c.attempt, 'failed');
    this.book.dialFailed(remote, now);
    this.app?.onDialFailed?.(now, remote);
    this.pool(c);
  }

  onMessage(now: TimeUs, conn: ConnId, item: WireItem): void {
    this.now = now;
    const hot = this.hot;
    const idx = hot.find(conn);
    if (idx < 0) return;
    const r = hot.rec;
    const o = idx * REC;
    r[o + R_LAST_RECV] = now;
    if (r[o + R_HAS_BUCKET] === 1 && !takeToken(r, o, this.cfg.rateMsgsPerS, this.cfg.rateBurst, now)) {
      this.stats.rateDropped++;
      this.offendConn(hot.objs[idx]!, 'rate-exceeded', now);
      return;
    }
    // Byte streams go through the decoder; message objects were bounds-checked when sized at send.
    if (item instanceof Uint8Array) return this.onBytes(hot.objs[idx]!, item, now);
    // An app message on an established connection skips the Conn object (what receive's default case does).
    const peer = r[o + R_UP_PEER];
    if (peer >= 0 && NODE_TYPES[item.type] !== 1) return void this.app?.onMessage(now, peer | 0, item);
    this.receive(hot.objs[idx]!, item, now);
  }

  onClosed(now: TimeUs, conn: ConnId, _reason: CloseReason): void {
    this.now = now;
    const c = this.conns.get(conn);
    if (!c) return;
    if (c.dir === 'out' && c.state === 'up') this.reconnect.mark(c.address);
    this.forget(c, now);
  }

  onTimer(now: TimeUs, tag: number): void {
    this.now = now;
    if (tag >= APP_TAG_BASE) return this.app?.onTimer(now, tag - APP_TAG_BASE);
    if (tag === TIMER_MINTED) return this.begin(now);
    if (tag === TIMER_BEACON) {
      this.sendBeacon();
      this.io.setTimer(this.cfg.lanBeaconIntervalUs, TIMER_BEACON);
      return;
    }
    if (tag === TIMER_TICK) {
      this.tick(now);
      this.io.setTimer(this.cfg.tickUs, TIMER_TICK);
    }
  }

  // ---- NodeApi: what the hosted app may do ----

  private get api(): NodeApi {
    return this;
  }

  send(peer: PeerNum, msg: Message): boolean {
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
    if (address === this.address || this.book.isBanned(address, now)) return false;
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
    for (const e of this.book.sample(this.now, count)) if (e.peer !== undefined && e.peer !== this.self) out.push(e.peer);
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

  private newConn(id: ConnId, address: Address, dir: Direction, now: TimeUs): Conn {
    const old = this.connPool.pop();
    const c = old === undefined ? newConn(id, address, dir, now) : reuseConn(old, id, address, dir, now);
    c.hot = this.hot.add(this.address, id, address, c, now);
    this.conns.set(id, c);
    return c;
  }

  private startDial(address: Address, now: TimeUs, how: 'dial' | 'punch' | 'relay' = 'dial', relay: Address = -1): Conn {
    this.dialing++;
    this.stats.dialAttempts++;
    const io = this.io as PeerActions<WireItem> & Partial<UnderlayActions>;
    const id = how === 'punch' ? io.punch!(address) : how === 'relay' ? io.dialViaRelay!(address, relay) : io.dial(address);
    const c = this.newConn(id, address, 'out', now);
    c.attempt = this.stats.dials.log(now, address);
    return c;
  }

  /** A connection to `address` in any state (every Conn has a hot record, added and released with it). */
  private isLinkedTo(address: Address): boolean {
    return this.hot.linked(this.address, address);
  }

  private beginHandshake(c: Conn, now: TimeUs): void {
    c.state = 'handshake';
    c.openedUs = now;
    this.dueBy(now + this.cfg.handshakeTimeoutUs);
    const r = this.hot.rec;
    const o = c.hot * REC;
    r[o + R_LAST_RECV] = now;
    fillBucket(r, o, this.cfg.rateBurst, now);
    r[o + R_HAS_BUCKET] = 1;
    if (this.cfg.materialize) c.decoder = this.deps.wire.newDecoder(this.cfg.maxFrameBytes);
    const nonce = this.freshNonce();
    this.ownNonces.set(nonce, 1);
    const services = (this.reach.reachable ? SERVICE_REACHABLE : 0) | (this.reach.relay ? SERVICE_RELAY : 0);
    c.hs = this.handshakes.start(services, nonce, c.address);
    this.io.send(c.id, this.wireOut(c.hs.start(now)));
  }

  private freshNonce(): number {
    // 53 random bits: 32 + 21.
    return this.rng.uint32() * 2 ** 21 + (this.rng.uint32() >>> 11);
  }

  private onBytes(c: Conn, bytes: Uint8Array, now: TimeUs): void {
    c.decoder ??= this.deps.wire.newDecoder(this.cfg.maxFrameBytes);
    const r = c.decoder.push(bytes);
    if (r.dropped) this.stats.idLimitDropped += r.dropped;
    const id = c.id;
    for (const m of r.messages) {
      if (this.conns.get(id) !== c) return;
      this.receive(c, m, now);
    }
    if (r.error && this.conns.get(id) === c) this.offendConn(c, r.error.kind === 'oversized-frame' ? 'oversized-frame' : 'malformed-frame', now);
  }

  private receive(c: Conn, msg: Message, now: TimeUs): void {
    if (c.state === 'handshake') return this.handshakeStep(c, c.hs!.onMessage(msg), now);
    if (c.state !== 'up') return;
    switch (msg.type) {
      case MsgType.Ping:
        this.io.send(c.id, this.wireOut({ type: MsgType.Pong, nonce: msg.nonce }));
        return;
      case MsgType.Pong:
        if (msg.nonce !== c.pingNonce) return this.offendConn(c, 'unsolicited', now);
        c.rttUs = now - c.pingSentUs;
        c.pingNonce = -1;
        this.dueBy(c.pingSentUs + this.cfg.pingIntervalUs);
        this.stats.rttSamples++;
        this.stats.rttSumUs += c.rttUs;
        return;
      case MsgType.GetAddr:
        return this.addrs.answerGetAddr(c, now);
      case MsgType.Addr:
        return this.addrs.onAddr(c, msg, now);
      case MsgType.Disconnect:
        // Turned away by a full peer: back off from it like from a failed dial.
        if (msg.code === DISCONNECT_FULL && c.dir === 'out') {
          this.forget(c, now, true);
          return this.book.dialFailed(c.address, now);
        }
        return this.forget(c, now, true);
      case MsgType.Reject:
        return this.forget(c, now, true);
      case MsgType.Version:
      case MsgType.Verack:
        return this.offendConn(c, 'out-of-state', now);
      default:
        this.app?.onMessage(now, c.peer!, msg);
    }
  }

  /** A feeler's handshake completed: the address is proven (new → tried); hang up before the app sees it. */
  private feelerDone(c: Conn, peer: PeerNum, version: VersionMsg, now: TimeUs): void {
    const listen = listenAddress(c, version);
    this.book.add(listen, peer, 'app', now);
    this.book.connected(listen, peer, now, true);
    this.peerAddresses.note(peer, listen);
    this.mixer!.stats.feelersSucceeded++;
    this.closeWith(c, DISCONNECT_APP, 'feeler', now);
  }

  /** Trickle and feelers (addr mixing), from the maintenance tick. */
  private mixTick(mixer: AddrMixer, now: TimeUs): void {
    this.addrs.trickle(mixer, now);
    if (!mixer.feelerDue(now) || this.feelers > 0 || this.established.size === 0) return;
    const a = this.book.feelerCandidate?.(now, (e) => this.isLinkedTo(e.address) || (e.peer !== undefined && this.byPeer.has(e.peer)));
    if (a === undefined) return;
    mixer.stats.feelersStarted++;
    this.feelers++;
    this.startDial(a, now).feeler = true;
  }

  /** Outbound slots all taken (dials in flight count; a feeler does not). */
  private outboundBusy(): boolean {
    return this.outbound + this.dialing - this.feelers >= this.cfg.maxOutbound;
  }

  private handshakeStep(c: Conn, step: HandshakeStep, now: TimeUs): void {
    if (step.cpuUs > 0) this.io.chargeCpu(step.cpuUs);
    for (const m of step.send) this.io.send(c.id, this.wireOut(m));
    if (!step.done) return;
    this.ownNonces.delete(c.hs!.nonce);
    // Its state (both versions, context, closures) is ~1 KB: kept for the life of every connection, it was a
    // large share of the heap at 1,000+ peers. Nothing reads it after this (state leaves 'handshake' below).
    c.hs = undefined;
    if (!step.done.ok) {
      const failure = step.done.failure;
      this.stats.handshakes[failure]++;
      if (failure === 'bad-signature') this.offendConn(c, 'bad-signature', now);
      else if (failure === 'insufficient-work') this.offendConn(c, 'insufficient-work', now);
      else if (failure === 'out-of-order') this.offendConn(c, 'out-of-state', now);
      // A failed handshake counts as a failed dial: the address backs off like one that never answered.
      if (c.dir === 'out' && failure !== 'self-connection') this.book.dialFailed(c.address, now);
      return this.forget(c, now, true);
    }
    this.stats.handshakes.established++;
    this.establish(c, step.done.remote, step.done.remoteVersion, now);
  }

  private establish(c: Conn, peer: PeerNum, version: VersionMsg, now: TimeUs): void {
    if (this.book.isPeerBanned(peer, now)) return this.closeWith(c, DISCONNECT_BANNED, 'banned', now);
    if (c.feeler) return this.feelerDone(c, peer, version, now);
    const other = this.byPeer.get(peer);
    if (other && !keepNewOverOld(c, other, this.self, peer, this.deps.registry)) {
      this.stats.duplicatesClosed++;
      return this.closeWith(c, DISCONNECT_DUPLICATE, 'duplicate connection', now);
    }
    if (other) {
      this.stats.duplicatesClosed++;
      this.closeWith(other, DISCONNECT_DUPLICATE, 'duplicate connection', now);
    }
    const listen = listenAddress(c, version);
    c.proven = this.cfg.handshake.transcript !== 'seed';
    c.upSinceUs = now;
    // Core learns an inbound peer only from its own announcement (relayed, rate-limited), never from the connection.
    if (!(this.mixer && c.dir === 'in')) this.book.add(listen, peer, c.dir === 'out' ? 'app' : 'inbound', now);
    this.book.connected(listen, peer, now, c.dir === 'out');
    this.peerAddresses.note(peer, listen);
    if (c.dir === 'in' && this.establishedInbound() >= this.cfg.maxInbound) {
      this.stats.inboundRejected++;
      c.peer = peer;
      this.inbounds.handshakeOver(c.address);
      c.state = 'up';
      this.markUp(c, peer);
      this.dueBy(now);
      this.addrs.answerGetAddr(c, now);
      return this.closeWith(c, DISCONNECT_FULL, 'too many peers', now);
    }
    if (c.dir === 'in') this.inbounds.handshakeOver(c.address);
    c.state = 'up';
    c.peer = peer;
    this.markUp(c, peer);
    c.services = version.services;
    c.pingSentUs = now; // the first keepalive ping waits one interval
    this.dueBy(Math.min(now + this.cfg.pingIntervalUs, this.hot.rec[c.hot * REC + R_LAST_RECV] + this.cfg.staleTimeoutUs));
    this.byPeer.set(peer, c);
    this.hot.mapPeer(c.hot, peer);
    this.established.set(peer, c.dir);
    if (c.dir === 'in') this.establishedIn++;
    this.reconnect.forget(c.address);
    // Core asks every outbound peer once; the seed asked anyone while its book was small.
    if (!c.sentGetAddr && (this.mixer ? c.dir === 'out' : this.book.size < this.cfg.addrResponseMax)) {
      c.sentGetAddr = true;
      this.io.send(c.id, this.wireOut({ type: MsgType.GetAddr }));
    }
    if (this.mixer && this.reach.reachable) this.mixer.enqueue(c, { peer: this.self, address: { host: this.address, port: 0 }, lastSeenS: Math.floor(now / 1e6) });
    this.app?.onPeerUp(now, peer, c.dir);
  }

  /** Mirrors state 'up' in the hot record (the receive fast path takes int32 peers only). */
  private markUp(c: Conn, peer: PeerNum): void {
    if (peer >= 0 && peer <= 0x7fffffff) this.hot.rec[c.hot * REC + R_UP_PEER] = peer;
  }

  private establishedInbound(): number {
    return this.establishedIn;
  }

  // ---- misbehaviour ----

  private offendConn(c: Conn, kind: Offence, now: TimeUs): void {
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

  // ---- closing ----

  private closeWith(c: Conn, code: number, reason: string, now: TimeUs): void {
    if (c.state !== 'dialing') this.io.send(c.id, this.wireOut({ type: MsgType.Disconnect, code, reason }));
    this.io.close(c.id);
    this.forget(c, now);
  }

  /** Drops every trace of a connection; `close` also closes our end. */
  private forget(c: Conn, now: TimeUs, close = false): void {
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

  private pool(c: Conn): void {
    if (this.connPool.length < CONN_POOL_MAX) this.connPool.push(c);
  }

  private dropAllConnections(now: TimeUs): void {
    for (const c of [...this.conns.values()]) this.forget(c, now);
    this.ownNonces.clear();
  }

  // ---- maintenance ----

  private tick(now: TimeUs): void {
    // The live map, not a copy (a copy per tick was 14% of a random-strategy job's allocations): a Map iterator
    // skips entries deleted meanwhile and visits ones added, which are still dialling and so left alone here.
    // Nothing due: the walk below would change nothing.
    if (now >= this.nextCheckUs) {
      this.nextCheckUs = Number.POSITIVE_INFINITY;
      for (const c of this.conns.values()) {
        if (c.state === 'handshake' && now - c.openedUs >= this.cfg.handshakeTimeoutUs) {
          this.handshakeStep(c, c.hs!.onTimeout(), now);
        } else if (c.state === 'up') this.keepAlive(c, now);
        if (c.hot >= 0) this.dueBy(this.deadlineOf(c));
      }
    }
    this.anchors.update(this.conns.values(), now);
    this.redialLost(now);
    if (this.cfg.autoDial) this.fillOutbound(now);
    if (this.mixer) this.mixTick(this.mixer, now);
  }

  private redialLost(now: TimeUs): void {
    this.reconnect.redial(
      now,
      this.book,
      (a) => this.isLinkedTo(a),
      () => this.outboundBusy(),
      (a) => this.startDial(a, now),
    );
  }

  /** Lowers the bound on the next tick that has work (1 µs early, so rounding can only make a tick walk, never skip). */
  private dueBy(t: TimeUs): void {
    if (t - 1 < this.nextCheckUs) this.nextCheckUs = t - 1;
  }

  /** When the tick next has something to do for `c` (what the walk in tick tests); +∞ while dialling. */
  private deadlineOf(c: Conn): TimeUs {
    if (c.state === 'handshake') return c.openedUs + this.cfg.handshakeTimeoutUs;
    if (c.state !== 'up') return Number.POSITIVE_INFINITY;
    const stale = this.hot.rec[c.hot * REC + R_LAST_RECV] + this.cfg.staleTimeoutUs;
    return c.pingNonce < 0 ? Math.min(stale, c.pingSentUs + this.cfg.pingIntervalUs) : stale;
  }

  private keepAlive(c: Conn, now: TimeUs): void {
    if (now - this.hot.rec[c.hot * REC + R_LAST_RECV] >= this.cfg.staleTimeoutUs) {
      this.stats.staleEvicted++;
      if (c.dir === 'out') this.reconnect.mark(c.address);
      return this.closeWith(c, DISCONNECT_STALE, 'stale', now);
    }
    if (c.pingNonce < 0 && now - c.pingSentUs >= this.cfg.pingIntervalUs) {
      c.pingNonce = this.freshNonce();
      c.pingSentUs = now;
      this.stats.pingsSent++;
      this.io.send(c.id, this.wireOut({ type: MsgType.Ping, nonce: c.pingNonce }));
    }
  }

  private fillOutbound(now: TimeUs): void {
    const want = Math.min(this.cfg.outboundTarget, this.cfg.maxOutbound) - this.outbound - this.dialing + this.feelers;
    if (want <= 0) return;
    for (const a of this.book.dialCandidates(now, want, (x) => this.isLinkedTo(x))) this.startDial(a, now);
  }

  private wireOut(msg: Message): WireItem {
    return this.cfg.materialize ? this.deps.wire.encode(msg) : msg;
  }
}
