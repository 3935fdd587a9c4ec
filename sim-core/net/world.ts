import type { Rng } from '../engine/rng.ts';
import { Scheduler, type Dispatcher } from '../engine/scheduler.ts';
import type { TimeUs } from '../engine/time.ts';
import type { Address, CloseReason, ConnId, MessageSizer, PeerProtocol, TimerId } from '../sans-io/protocol.ts';
import { growF64, growI32, growU8 } from '../engine/typed-grow.ts';
import { HostEnds } from './host-ends.ts';
import { CONN_REC, C_HOST, C_INFLIGHT, C_STATE, C_VIA, ConnectionTable, OPEN_DIAL, OPEN_PUNCH, OPEN_RELAY, SIDE_CLOSED, SIDE_DIALING, SIDE_OPEN, type OpenMode } from './connections.ts';
import { CLOSE_REASONS, NetCounters, REASON_CODE } from './counters.ts';
import { EV_ACTION, EV_DATAGRAM, EV_DELIVER, EV_DIAL_FAIL, EV_FIN, EV_RST, EV_START, EV_SYN, EV_SYNACK, EV_TIMER } from './event-kinds.ts';
import { HostIo, type HostWorld } from './host-io.ts';
import type { HostContext, ProtocolFactory, Transit, WorldOptions } from './world-types.ts';
import type { LatencyModel } from './latency.ts';
import { release, retain } from '../sans-io/release.ts';
import { MessageLog } from './message-log.ts';

export type { HostContext, ProtocolFactory, Transit, WorldOptions } from './world-types.ts';

const HOSTS_INITIAL = 1024;

const DIALER = 0;
const ACCEPTOR = 1;

/**
 * The simulated world: it owns the scheduler, the hosts and their protocol
 * state machines, the connection table, the latency model and the network
 * random stream. Hosts are addressed by index. Connections behave like TCP:
 * a dial is a SYN one way then a SYN-ACK back; each direction is FIFO; a
 * close is a FIN after the link delay; a packet reaching an end that no longer
 * exists on a live host draws an RST; a host that is down answers nothing
 * (dials to it time out, packets to it vanish).
 */
export class World<M> implements Dispatcher, HostWorld<M> {
  readonly scheduler: Scheduler;
  readonly counters = new NetCounters();
  readonly conns: ConnectionTable;
  private readonly protocols: PeerProtocol<M>[] = [];
  private readonly factories: ProtocolFactory<M>[] = [];
  /** Times each host's protocol object was replaced by resetHost. */
  private readonly resets: number[] = [];
  private readonly ios: HostIo<M>[] = [];
  private hostUp = new Uint8Array(HOSTS_INITIAL);
  /** Per host, 1 if what it sends goes through the sizer's check (see checkSends). */
  private sendsChecked = new Uint8Array(HOSTS_INITIAL);
  /** Bumped at every stop or crash: timers of an older incarnation are dropped. */
  private hostEpoch = new Int32Array(HOSTS_INITIAL);
  /** Time at which each host's modelled CPU is free again (chargeCpu). */
  private cpuFreeAt = new Float64Array(HOSTS_INITIAL);
  /** Each host's open or opening connection ends, in creation order. */
  private readonly hostConns = new HostEnds();
  private readonly netRng: Rng;
  private readonly latency: LatencyModel;
  private readonly sizer: MessageSizer<M>;
  private readonly transit: Transit | undefined;
  private readonly dialTimeoutUs: number;
  private msgLog: MessageLog | undefined;
  /** LAN segment per host (-1: none) and each segment's hosts in joining order. */
  private readonly lanSegment: number[] = [];
  private readonly lanMembers = new Map<number, Address[]>();
  private readonly lanIndex: number[] = [];

  constructor(readonly options: WorldOptions<M>) {
    this.scheduler = new Scheduler(4096, options.maxPendingEvents);
    this.scheduler.setDispatcher(this);
    this.conns = new ConnectionTable(1024, options.maxConnections);
    this.netRng = options.rng.stream('net/latency');
    this.latency = options.latency;
    this.sizer = options.sizer;
    this.transit = options.transit;
    this.dialTimeoutUs = options.dialTimeoutUs ?? 5_000_000;
    const transit = this.transit;
    if (transit?.releaseRelay) this.conns.onRelayFree = (relay) => transit.releaseRelay!(relay);
  }

  get now(): TimeUs {
    return this.scheduler.now;
  }

  get hostCount(): number {
    return this.protocols.length;
  }

  /** Adds a host (down until started) and returns its address. */
  addHost(factory: ProtocolFactory<M>): Address {
    const address = this.protocols.length;
    if (address === this.hostUp.length) this.growHosts();
    const io = new HostIo<M>(this, this.scheduler, address);
    this.ios.push(io);
    this.factories.push(factory);
    this.resets.push(0);
    const seg = this.options.lanSegmentOf?.(address) ?? -1;
    this.lanSegment.push(seg);
    this.lanIndex.push(-1);
    if (seg >= 0) {
      let members = this.lanMembers.get(seg);
      if (!members) this.lanMembers.set(seg, (members = []));
      this.lanIndex[address] = members.length;
      members.push(address);
    }
    this.protocols.push(factory(this.contextOf(address)));
    return address;
  }

  /**
   * Replaces a host's protocol object with a fresh one from its factory: a
   * restart that lost its state. The host is crashed first if it is up; start
   * it again with startAt. The fresh object's streams are new
   * (`peer/<address>/<subsystem>/r<n>` after the n-th reset), so it does not
   * replay its first life's draws.
   */
  resetHost(address: Address): void {
    this.crashHost(address);
    this.resets[address]++;
    this.protocols[address] = this.factories[address](this.contextOf(address));
  }

  private contextOf(address: Address): HostContext<M> {
    const rng = this.options.rng;
    const n = this.resets[address];
    const io = this.ios[address];
    return { address, io, rng: n === 0 ? (sub) => rng.peer(address, sub) : (sub) => rng.stream(`peer/${address}/${sub}/r${n}`) };
  }

  /**
   * Every message `address` sends from now on must pass the sizer's check
   * (a field with no encoding throws at the send): for hosts whose code is
   * an attacker's, so that receivers only ever see what a decoder produces.
   */
  checkSends(address: Address): void {
    this.sendsChecked[address] = 1;
  }

  protocolOf(address: Address): PeerProtocol<M> {
    return this.protocols[address];
  }

  isUp(address: Address): boolean {
    return this.hostUp[address] === 1;
  }

  /** Open or opening connection ends of a host, in creation order. */
  connectionsOf(address: Address): readonly ConnId[] {
    return this.hostConns.handles(address);
  }

  /** Starts a host at absolute time `at` (no-op if it is up then). */
  startAt(address: Address, at: TimeUs): void {
    this.scheduler.schedule(at, EV_START, address, 0, 0, 0);
  }

  /** Starts recording sends in a ring of `capacity` entries (idempotent; the first capacity wins). Observers only. */
  enableMessageLog(capacity = 4096): MessageLog {
    this.msgLog ??= new MessageLog(capacity, this.hostUp.length);
    return this.msgLog;
  }

  /** The message log, if enabled. */
  get messageLog(): MessageLog | undefined {
    return this.msgLog;
  }

  /** Runs `fn` at absolute time `at` (scenario actions). */
  at(at: TimeUs, fn: (world: World<M>) => void): void {
    this.scheduler.schedule(at, EV_ACTION, 0, 0, 0, 0, fn);
  }

  /** Orderly stop: the host closes its connections (peers get a FIN) and forgets its timers. */
  stopHost(address: Address): void {
    if (this.hostUp[address] === 0) return;
    for (const conn of this.hostConns.handles(address)) this.closeConn(address, conn);
    this.takeDown(address);
  }

  /** Crash: the host vanishes without a word; its peers find out by timeouts or RSTs. */
  crashHost(address: Address): void {
    if (this.hostUp[address] === 0) return;
    const c = this.conns;
    for (const conn of this.hostConns.handles(address)) {
      const slot = c.slotOf(conn);
      if (slot < 0) continue;
      c.setState(slot, conn % 2, SIDE_CLOSED);
      c.maybeFree(slot);
    }
    this.hostConns.clear(address);
    this.takeDown(address);
  }

  // ---- actions, called through HostIo ----

  send(from: Address, conn: ConnId, msg: M): void {
    retain(msg); // the network holds it until delivery or drop, even if the sender got it from elsewhere (a relay)
    const c = this.conns;
    const slot = c.slotOf(conn);
    const side = conn % 2;
    if (slot < 0 || !this.ownsOpenEnd(from, slot, side)) {
      this.counters.droppedClosed++;
      release(msg);
      return;
    }
    if (this.sendsChecked[from] === 1) this.sizer.check?.(msg);
    const type = this.sizer.typeOf(msg);
    const size = this.sizer.sizeOf(msg);
    this.counters.sentCount[type]++;
    this.counters.sentBytes[type] += size;
    const to = c.rec[slot * CONN_REC + C_HOST + 1 - side];
    const arrival = this.packetArrival(from, to, size, slot, 1 - side);
    if (arrival < 0) {
      this.counters.droppedInTransit++;
      release(msg);
      return;
    }
    c.rec[slot * CONN_REC + C_INFLIGHT]++;
    this.scheduler.schedule(arrival, EV_DELIVER, from, to, slot * 2 + (1 - side), (type << 24) | (size & 0xffffff), msg);
    if (this.msgLog !== undefined) this.msgLog.sent(from, to, type, this.scheduler.now, arrival);
  }

  dial(from: Address, to: Address): ConnId {
    return this.open(from, to, OPEN_DIAL, -1);
  }

  /**
   * A LAN multicast (seed 003 beacons): one datagram to every other live host
   * of the sender's segment, at most lanMaxRecipients (the next ones after
   * the sender in joining order, wrapping); each
   * copy takes the pair's delay and the transit rules (loss, partitions).
   * Counted once as sent (one frame on the LAN), once per delivery. Returns
   * the number of hosts it went to, or -1 if the host has no LAN (nothing sent).
   */
  beacon(from: Address, msg: M): number {
    const seg = this.lanSegment[from] ?? -1;
    const members = seg >= 0 ? this.lanMembers.get(seg) : undefined;
    if (!members || this.hostUp[from] === 0) return -1;
    if (this.sendsChecked[from] === 1) this.sizer.check?.(msg);
    const type = this.sizer.typeOf(msg);
    const size = this.sizer.sizeOf(msg);
    this.counters.sentCount[type]++;
    this.counters.sentBytes[type] += size;
    const now = this.scheduler.now;
    const depart = Math.max(now, this.cpuFreeAt[from]);
    const max = this.options.lanMaxRecipients ?? 256;
    let sent = 0;
    // From the sender's place in the segment onwards (wrapping): with a bound, each host reaches its own neighbourhood.
    const start = this.lanIndex[from];
    for (let k = 1; k < members.length && sent < max; k++) {
      const to = members[(start + k) % members.length];
      if (this.hostUp[to] === 0) continue;
      sent++;
      const latency = this.linkUs(from, to, -1);
      const arrival = this.transit ? this.transit.arrival(from, to, size, depart, latency, -1) : depart + latency;
      if (arrival < 0) {
        this.counters.droppedInTransit++;
        continue;
      }
      this.scheduler.schedule(arrival, EV_DATAGRAM, from, to, 0, (type << 24) | (size & 0xffffff), msg);
    }
    return sent;
  }

  /**
   * Coordinated hole punch, called once both sides have exchanged addresses
   * through the overlay: both dial at once and, if the transit's punch table
   * says it works, they get one normal connection. `initiator` is the 'out'
   * side, as in libp2p DCUtR where the side that started the upgrade acts as
   * the dialer; `responder` gets onConnected('in'). On failure the initiator
   * gets onDialFailed('unreachable') after the dial timeout; the responder
   * sees nothing (its own overlay timeout covers it).
   */
  /** What an AutoNAT/STUN-like probe tells host `h` about itself (public unless the underlay says otherwise). */
  reachability(h: Address): { reachable: boolean; relay: boolean } {
    return this.options.transit?.reachability?.(h) ?? { reachable: true, relay: false };
  }

  punch(initiator: Address, responder: Address): ConnId {
    return this.open(initiator, responder, OPEN_PUNCH, -1);
  }

  /**
   * A connection through `relay` (circuit-relay style): a normal connection
   * whose packets take both legs, from → relay → to. Fails as unreachable if
   * the relay is down or refuses (not a relay, no free slot). Packets on it
   * are lost while the relay is down.
   */
  dialViaRelay(from: Address, to: Address, relay: Address): ConnId {
    return this.open(from, to, OPEN_RELAY, relay);
  }

  private open(from: Address, to: Address, mode: OpenMode, via: Address): ConnId {
    this.counters.dials++;
    const c = this.conns;
    const slot = c.alloc(from, to, mode);
    if (slot < 0) {
      this.counters.connectionTableFull++;
      return -1;
    }
    const handle = c.handle(slot, DIALER);
    this.hostConns.add(from, slot * 2 + DIALER, handle);
    c.rec[slot * CONN_REC + C_INFLIGHT]++;
    const now = this.scheduler.now;
    const n = this.protocols.length;
    const t = this.transit;
    let reachable = to >= 0 && to < n;
    if (reachable && mode === OPEN_DIAL) reachable = t?.canDial(from, to, now) ?? true;
    else if (reachable && mode === OPEN_PUNCH) reachable = t?.canPunch?.(from, to, now) ?? true;
    else if (reachable) {
      reachable = via >= 0 && via < n && this.hostUp[via] === 1 && (t?.canRelay?.(from, to, via, now) ?? true);
      if (reachable) c.setVia(slot, via); // from here on, freeing the slot releases the relay's circuit
    }
    const arrival = reachable ? this.packetArrival(from, to, 0, slot, ACCEPTOR) : -1;
    if (arrival < 0) {
      this.scheduler.schedule(now + this.dialTimeoutUs, EV_DIAL_FAIL, to, from, slot * 2 + DIALER, REASON_CODE.unreachable);
    } else {
      this.scheduler.schedule(arrival, EV_SYN, from, to, slot * 2 + ACCEPTOR, 0);
    }
    return handle;
  }

  closeConn(from: Address, conn: ConnId): void {
    const c = this.conns;
    const slot = c.slotOf(conn);
    if (slot < 0) return;
    const side = conn % 2;
    if (c.hostOf(slot, side) !== from) return;
    const state = c.stateOf(slot, side);
    if (state === SIDE_CLOSED) return;
    c.setState(slot, side, SIDE_CLOSED);
    this.hostConns.remove(from, slot * 2 + side, conn);
    // While dialing, the FIN goes out when the SYN-ACK arrives (see onSynAck).
    if (state === SIDE_OPEN) {
      this.counters.connectionsClosed++;
      this.sendControl(EV_FIN, slot, from, c.hostOf(slot, 1 - side), 1 - side);
    }
    c.maybeFree(slot);
  }

  setTimer(host: Address, delayUs: number, tag: number): TimerId {
    return this.scheduler.schedule(this.scheduler.now + delayUs, EV_TIMER, host, 0, tag, this.hostEpoch[host]);
  }

  chargeCpu(host: Address, us: number): void {
    if (!(us > 0)) return;
    this.cpuFreeAt[host] = Math.max(this.cpuFreeAt[host], this.scheduler.now) + Math.round(us);
  }

  // ---- event dispatch ----

  dispatch(kind: number, a: number, b: number, c: number, d: number, payload: unknown): void {
    switch (kind) {
      case EV_DELIVER:
        return this.onDeliver(a, b, c, d, payload as M);
      case EV_TIMER:
        return this.onTimer(a, c, d);
      case EV_SYN:
        return this.onSyn(a, b, c);
      case EV_SYNACK:
        return this.onSynAck(a, b, c);
      case EV_DIAL_FAIL:
        return this.onDialFail(b, c, d);
      case EV_FIN:
        return this.onEnd(b, c, 'remote');
      case EV_RST:
        return this.onEnd(b, c, 'reset');
      case EV_START:
        return this.onStart(a);
      case EV_ACTION:
        return (payload as (w: World<M>) => void)(this);
      case EV_DATAGRAM:
        return this.onDatagram(a, b, payload as M);
      default:
        throw new Error(`unknown event kind ${kind}`);
    }
  }

  private onStart(host: Address): void {
    if (this.hostUp[host] === 1) return;
    this.hostUp[host] = 1;
    this.protocols[host].onStart(this.scheduler.now);
  }

  private onTimer(host: Address, tag: number, epoch: number): void {
    // A stop bumps the epoch, so this also drops timers of a host that is down.
    if (this.hostEpoch[host] !== epoch) return;
    this.protocols[host].onTimer(this.scheduler.now, tag);
  }

  private onDeliver(from: Address, to: Address, end: number, typeSize: number, msg: M): void {
    const c = this.conns;
    const slot = end >> 1;
    const side = end & 1;
    const r = c.rec;
    const o = slot * CONN_REC;
    r[o + C_INFLIGHT]--;
    if (r[o + C_STATE + side] !== SIDE_OPEN) {
      this.counters.droppedClosed++;
      this.resetIfAlive(slot, to, from, 1 - side);
      c.maybeFree(slot);
      release(msg);
      return;
    }
    // The type was sized at send and travels in the event (typeSize = type << 24 | size): no second look at the message.
    this.counters.deliveredCount[typeSize >>> 24]++;
    if (this.msgLog !== undefined) this.msgLog.delivered(to);
    this.protocols[to].onMessage(this.scheduler.now, c.handle(slot, side), msg);
    release(msg);
  }

  private onDatagram(from: Address, to: Address, msg: M): void {
    if (this.hostUp[to] === 0) return; // nobody listening: a datagram just vanishes
    this.counters.deliveredCount[this.sizer.typeOf(msg)]++;
    this.protocols[to].onDatagram?.(this.scheduler.now, from, msg);
  }

  private onSyn(dialer: Address, acceptor: Address, end: number): void {
    const c = this.conns;
    const slot = end >> 1;
    const o = slot * CONN_REC;
    c.rec[o + C_INFLIGHT]--;
    if (this.hostUp[acceptor] === 0) {
      // Nobody home: the dialer's SYNs go unanswered until its timeout.
      c.rec[o + C_INFLIGHT]++;
      this.scheduler.schedule(this.scheduler.now + this.dialTimeoutUs, EV_DIAL_FAIL, acceptor, dialer, slot * 2 + DIALER, REASON_CODE.unreachable);
      return;
    }
    const back = this.packetArrival(acceptor, dialer, 0, slot, DIALER);
    if (back < 0) {
      c.rec[o + C_INFLIGHT]++;
      this.scheduler.schedule(this.scheduler.now + this.dialTimeoutUs, EV_DIAL_FAIL, acceptor, dialer, slot * 2 + DIALER, REASON_CODE.unreachable);
      return;
    }
    c.setState(slot, ACCEPTOR, SIDE_OPEN);
    c.rec[o + C_INFLIGHT]++;
    this.scheduler.schedule(back, EV_SYNACK, acceptor, dialer, slot * 2 + DIALER, 0);
    const handle = c.handle(slot, ACCEPTOR);
    this.hostConns.add(acceptor, slot * 2 + ACCEPTOR, handle);
    this.counters.connectionsOpened++;
    this.protocols[acceptor].onConnected(this.scheduler.now, handle, dialer, 'in');
  }

  private onSynAck(acceptor: Address, dialer: Address, end: number): void {
    const c = this.conns;
    const slot = end >> 1;
    c.rec[slot * CONN_REC + C_INFLIGHT]--;
    if (c.stateOf(slot, DIALER) !== SIDE_DIALING) {
      // The dialer gave up (or crashed) meanwhile: tear the accepted end down.
      if (c.stateOf(slot, ACCEPTOR) === SIDE_OPEN) this.sendControl(this.hostUp[dialer] ? EV_FIN : EV_RST, slot, dialer, acceptor, ACCEPTOR);
      c.maybeFree(slot);
      return;
    }
    c.setState(slot, DIALER, SIDE_OPEN);
    this.counters.connectionsOpened++;
    this.transit?.dialOutcome?.(dialer, acceptor, c.modeOf(slot), true);
    this.protocols[dialer].onConnected(this.scheduler.now, c.handle(slot, DIALER), acceptor, 'out');
  }

  private onDialFail(dialer: Address, end: number, reasonCode: number): void {
    const c = this.conns;
    const slot = end >> 1;
    c.rec[slot * CONN_REC + C_INFLIGHT]--;
    const wasDialing = c.stateOf(slot, DIALER) === SIDE_DIALING;
    const handle = c.handle(slot, DIALER);
    const remote = c.acceptorOf(slot);
    const mode = c.modeOf(slot);
    c.setState(slot, DIALER, SIDE_CLOSED);
    if (c.stateOf(slot, ACCEPTOR) !== SIDE_OPEN) c.setState(slot, ACCEPTOR, SIDE_CLOSED);
    c.maybeFree(slot);
    if (!wasDialing) return;
    this.hostConns.remove(dialer, slot * 2 + DIALER, handle);
    this.counters.dialFailures++;
    this.transit?.dialOutcome?.(dialer, remote, mode, false);
    this.protocols[dialer].onDialFailed(this.scheduler.now, handle, remote, CLOSE_REASONS[reasonCode]);
  }

  /** A FIN or RST reached `to`'s end. */
  private onEnd(to: Address, end: number, reason: CloseReason): void {
    const c = this.conns;
    const slot = end >> 1;
    const side = end & 1;
    c.rec[slot * CONN_REC + C_INFLIGHT]--;
    if (c.stateOf(slot, side) !== SIDE_OPEN) {
      c.maybeFree(slot);
      return;
    }
    c.setState(slot, side, SIDE_CLOSED);
    const handle = c.handle(slot, side);
    this.hostConns.remove(to, slot * 2 + side, handle);
    this.counters.connectionsClosed++;
    c.maybeFree(slot);
    this.protocols[to].onClosed(this.scheduler.now, handle, reason);
  }

  // ---- helpers ----

  private ownsOpenEnd(host: Address, slot: number, side: number): boolean {
    const r = this.conns.rec;
    const o = slot * CONN_REC;
    return r[o + C_HOST + side] === host && r[o + C_STATE + side] === SIDE_OPEN;
  }

  /** Arrival time of a packet on a connection towards `toSide`, FIFO per direction; -1 if dropped. */
  private packetArrival(from: Address, to: Address, size: number, slot: number, toSide: number): TimeUs {
    const c = this.conns;
    const now = this.scheduler.now;
    const depart = Math.max(now, this.cpuFreeAt[from]);
    const via = c.rec[slot * CONN_REC + C_VIA];
    if (via >= 0 && this.hostUp[via] === 0) return -1; // the relay is gone: its circuits carry nothing
    const latency = this.linkUs(from, to, via);
    let arrival = this.transit ? this.transit.arrival(from, to, size, depart, latency, via) : depart + latency;
    if (arrival < 0) return -1;
    const k = 2 * slot + toSide;
    arrival = Math.max(arrival, c.arrive[k]);
    c.arrive[k] = arrival;
    return arrival;
  }

  /** FIN or RST towards the end `toSide` (control packets are never dropped, to keep both ends consistent). */
  private sendControl(kind: number, slot: number, from: Address, to: Address, toSide: number): void {
    const c = this.conns;
    const now = this.scheduler.now;
    const k = 2 * slot + toSide;
    const last = c.arrive[k];
    const arrival = Math.max(now + this.linkUs(from, to, c.viaOf(slot)), last);
    c.arrive[k] = arrival;
    c.rec[slot * CONN_REC + C_INFLIGHT]++;
    this.scheduler.schedule(arrival, kind, from, to, slot * 2 + toSide, 0);
  }

  /** One-way delay from → to, through both legs when relayed. */
  private linkUs(from: Address, to: Address, via: Address): number {
    const lat = this.latency;
    return via < 0 ? lat.oneWayUs(from, to, this.netRng) : lat.oneWayUs(from, via, this.netRng) + lat.oneWayUs(via, to, this.netRng);
  }

  /** A packet hit a closed end on `host`: if that host is alive, RST the sender's end if it is still open. */
  private resetIfAlive(slot: number, host: Address, sender: Address, senderSide: number): void {
    if (this.hostUp[host] === 0) return;
    if (this.conns.stateOf(slot, senderSide) === SIDE_OPEN) this.sendControl(EV_RST, slot, host, sender, senderSide);
  }

  private takeDown(address: Address): void {
    this.hostUp[address] = 0;
    this.hostEpoch[address]++;
    this.cpuFreeAt[address] = 0;
    this.ios[address].epoch = this.hostEpoch[address];
  }

  private growHosts(): void {
    const n = this.hostUp.length * 2;
    this.hostUp = growU8(this.hostUp, n);
    this.sendsChecked = growU8(this.sendsChecked, n);
    this.hostEpoch = growI32(this.hostEpoch, n);
    this.cpuFreeAt = growF64(this.cpuFreeAt, n);
  }
}
