import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, RejectCode, type Message, type VersionMsg } from '../../wire/messages.ts';
import type { HandshakeStep } from '../handshake/handshake.ts';
import type { Identity } from '../identity/registry.ts';
import type { Address, CloseReason, ConnId, Direction, PeerProtocol } from '../../sans-io/protocol.ts';
import { AddrExchange } from './addr-exchange.ts';
import { AddrMixer } from './addr-mixing.ts';
import { beaconMessage, learnFromBeacon, type BeaconInbox } from './lan-beacon.ts';
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
  Handshakes,
  type Conn,
  type WireItem,
} from './conn.ts';
import { SERVICE_REACHABLE, SERVICE_RELAY, type NodeApi } from './app.ts';
import type { UnderlayActions } from '../../net/host-io.ts';
import { fillBucket, takeToken } from './token-bucket.ts';
import { REC, R_HAS_BUCKET, R_LAST_RECV, R_UP_PEER } from './conn-hot.ts';
import { APP_TAG_BASE, PeerConns, type PeerNodeDeps } from './peer-conns.ts';

const TIMER_TICK = 1;
/** The identity's proof of work is ground: the node really starts. */
const TIMER_MINTED = 2;
/** Time for the next LAN discovery beacon. */
const TIMER_BEACON = 3;

export type { WireItem } from './conn.ts';

export type { PeerNodeDeps } from './peer-conns.ts';

/** Message types PeerNode.receive handles itself; every other type of an 'up' connection goes to the app. */
const NODE_TYPES = new Uint8Array(256);
for (const t of [MsgType.Ping, MsgType.Pong, MsgType.GetAddr, MsgType.Addr, MsgType.Disconnect, MsgType.Reject, MsgType.Version, MsgType.Verack]) NODE_TYPES[t] = 1;

/**
 * The peer manager of seed 000 as a sans-IO state machine: a table of live
 * connections (PeerConns), the signed handshake, no duplicate links
 * (deterministic tie-break), connection limits, keepalive with RTT,
 * stale-peer eviction, dialing with exponential backoff, getaddr/addr
 * discovery, misbehaviour scores with bans and a per-connection token
 * bucket. It hosts one overlay app, which only ever sees authenticated,
 * established peers.
 */
export class PeerNode extends PeerConns implements PeerProtocol<WireItem> {
  private readonly handshakes: Handshakes;
  private reach = { reachable: true, relay: false };
  /** Outbound peers lost by accident, redialled with backoff (bounded by 2 × maxOutbound). */
  private readonly reconnect: LostPeers;
  private readonly beaconInbox: BeaconInbox;
  /** getaddr / addr, announcements and their trickle. */
  private readonly addrs: AddrExchange;
  /** Address mixing (cfg.addrMixing), created at start; undefined when off. */
  mixer: AddrMixer | undefined;
  private minted = false;
  private beaconNonce = -1;
  private minting = false;
  private mintUs = 0;

  constructor(deps: PeerNodeDeps) {
    super(deps);
    this.handshakes = new Handshakes(deps.identity, deps.registry, deps.cfg, deps.address, (n) => this.ownNonces.has(n));
    this.reconnect = new LostPeers(2 * deps.cfg.maxOutbound);
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
    // Minted only once the grind ends: a crash during it loses the work, and the restart grinds again.
    if (!this.minted && pow && this.cfg.powHashUs > 0) {
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
    // A restart: sockets died with the process; the address book survives. The app hears its links went down
    // but cannot act on the network until its own onStart (a dial or send now would outlive its reset).
    this.restarting = true;
    this.dropAllConnections(now);
    this.restarting = false;
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
    this.dialFailedAt(remote, now);
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
    if (tag === TIMER_MINTED) {
      this.minted = true;
      return this.begin(now);
    }
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

  /** The hosted app's view of this node. */
  private get api(): NodeApi {
    return this;
  }

  // ---- handshake and the node's own messages ----

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
    this.peerAddresses.note(peer, listen, this.cfg.handshake.transcript !== 'seed');
    this.mixer!.stats.feelersSucceeded++;
    this.closeWith(c, DISCONNECT_APP, 'feeler', now);
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
      if (c.dir === 'out' && failure !== 'self-connection') this.dialFailedAt(c.address, now);
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
    // Dialled and bound to its identity: an address hearsay will not replace (an inbound peer's listen address is its claim).
    this.peerAddresses.note(peer, listen, c.dir === 'out' && c.proven);
    if (c.dir === 'in' && this.establishedIn >= this.cfg.maxInbound) {
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
    // Nobody lost, most ticks: redialLost's closures (and the context they need) are not made.
    if (this.reconnect.size > 0) this.redialLost(now);
    if (this.cfg.autoDial) this.fillOutbound(now);
    if (this.mixer) this.mixTick(this.mixer, now);
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

  private redialLost(now: TimeUs): void {
    this.reconnect.redial(
      now,
      this.book,
      (a) => this.isLinkedTo(a),
      () => this.outboundBusy(),
      (a) => this.startDial(a, now),
    );
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
    if (want > 0) this.dialMore(now, want);
  }

  /** Apart from fillOutbound, which runs every tick: its closure would make V8 allocate a context there each time. */
  private dialMore(now: TimeUs, want: number): void {
    for (const a of this.book.dialCandidates(now, want, (x) => this.isLinkedTo(x))) this.startDial(a, now);
  }
}
