import { type RngStreams, type Rng } from '../engine/rng.ts';
import { Scheduler, type Dispatcher } from '../engine/scheduler.ts';
import type { TimeUs } from '../engine/time.ts';
import type { Address, CloseReason, ConnId, MessageSizer, PeerActions, PeerProtocol, TimerId } from '../protocols/protocol.ts';
import { ConnectionTable, SIDE_CLOSED, SIDE_DIALING, SIDE_OPEN } from './connections.ts';
import { CLOSE_REASONS, NetCounters, REASON_CODE } from './counters.ts';
import { EV_ACTION, EV_DELIVER, EV_DIAL_FAIL, EV_FIN, EV_RST, EV_START, EV_SYN, EV_SYNACK, EV_TIMER } from './event-kinds.ts';
import type { LatencyModel } from './latency.ts';

/** What a protocol factory receives for one host. */
export interface HostContext<M> {
  readonly address: Address;
  readonly io: PeerActions<M>;
  /** The host's own named stream: `peer/<address>/<subsystem>`. */
  rng(subsystem: string): Rng;
}

export type ProtocolFactory<M> = (ctx: HostContext<M>) => PeerProtocol<M>;

/** Decides the fate of each packet after the latency model: the underlay's fault chain plugs in here. */
export interface Transit {
  /** Arrival time (≥ departure) of a packet of `size` bytes, or -1 to drop it. */
  arrival(from: Address, to: Address, size: number, departUs: TimeUs, latencyUs: number): TimeUs;
  /** Whether a dial from → to can reach its target at all (NAT, partitions). */
  canDial(from: Address, to: Address, now: TimeUs): boolean;
}

export interface WorldOptions<M> {
  rng: RngStreams;
  latency: LatencyModel;
  sizer: MessageSizer<M>;
  transit?: Transit;
  /** Bound on pending events (default 2^24). */
  maxPendingEvents?: number;
  /** Bound on concurrent connections (default 2^21). */
  maxConnections?: number;
  /** Delay before a dial to a host that is down, absent or unreachable fails (default 5 s). */
  dialTimeoutUs?: number;
}

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
export class World<M> implements Dispatcher {
  readonly scheduler: Scheduler;
  readonly counters = new NetCounters();
  readonly conns: ConnectionTable;
  private readonly protocols: PeerProtocol<M>[] = [];
  private readonly ios: HostIo<M>[] = [];
  private hostUp = new Uint8Array(HOSTS_INITIAL);
  /** Bumped at every stop or crash: timers of an older incarnation are dropped. */
  private hostEpoch = new Int32Array(HOSTS_INITIAL);
  /** Time at which each host's modelled CPU is free again (chargeCpu). */
  private cpuFreeAt = new Float64Array(HOSTS_INITIAL);
  /** Each host's open or opening connection ends, in creation order. */
  private readonly hostConns: Set<ConnId>[] = [];
  private readonly netRng: Rng;
  private readonly latency: LatencyModel;
  private readonly sizer: MessageSizer<M>;
  private readonly transit: Transit | undefined;
  private readonly dialTimeoutUs: number;

  constructor(readonly options: WorldOptions<M>) {
    this.scheduler = new Scheduler(4096, options.maxPendingEvents);
    this.scheduler.setDispatcher(this);
    this.conns = new ConnectionTable(1024, options.maxConnections);
    this.netRng = options.rng.stream('net/latency');
    this.latency = options.latency;
    this.sizer = options.sizer;
    this.transit = options.transit;
    this.dialTimeoutUs = options.dialTimeoutUs ?? 5_000_000;
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
    const rng = this.options.rng;
    this.ios.push(io);
    this.hostConns.push(new Set());
    this.protocols.push(factory({ address, io, rng: (sub) => rng.peer(address, sub) }));
    return address;
  }

  protocolOf(address: Address): PeerProtocol<M> {
    return this.protocols[address];
  }

  isUp(address: Address): boolean {
    return this.hostUp[address] === 1;
  }

  /** Open or opening connection ends of a host, in creation order. */
  connectionsOf(address: Address): ReadonlySet<ConnId> {
    return this.hostConns[address];
  }

  /** Starts a host at absolute time `at` (no-op if it is up then). */
  startAt(address: Address, at: TimeUs): void {
    this.scheduler.schedule(at, EV_START, address, 0, 0, 0);
  }

  /** Runs `fn` at absolute time `at` (scenario actions). */
  at(at: TimeUs, fn: (world: World<M>) => void): void {
    this.scheduler.schedule(at, EV_ACTION, 0, 0, 0, 0, fn);
  }

  /** Orderly stop: the host closes its connections (peers get a FIN) and forgets its timers. */
  stopHost(address: Address): void {
    if (this.hostUp[address] === 0) return;
    for (const conn of [...this.hostConns[address]]) this.closeConn(address, conn);
    this.takeDown(address);
  }

  /** Crash: the host vanishes without a word; its peers find out by timeouts or RSTs. */
  crashHost(address: Address): void {
    if (this.hostUp[address] === 0) return;
    const c = this.conns;
    for (const conn of this.hostConns[address]) {
      const slot = c.slotOf(conn);
      if (slot < 0) continue;
      if (conn % 2 === DIALER) c.dialerState[slot] = SIDE_CLOSED;
      else c.acceptorState[slot] = SIDE_CLOSED;
      c.maybeFree(slot);
    }
    this.hostConns[address].clear();
    this.takeDown(address);
  }

  // ---- actions, called through HostIo ----

  send(from: Address, conn: ConnId, msg: M): void {
    const c = this.conns;
    const slot = c.slotOf(conn);
    const side = conn % 2;
    if (slot < 0 || !this.ownsOpenEnd(from, slot, side)) {
      this.counters.droppedClosed++;
      return;
    }
    const type = this.sizer.typeOf(msg);
    const size = this.sizer.sizeOf(msg);
    this.counters.sentCount[type]++;
    this.counters.sentBytes[type] += size;
    const to = side === DIALER ? c.acceptor[slot] : c.dialer[slot];
    const arrival = this.packetArrival(from, to, size, slot, 1 - side);
    if (arrival < 0) {
      this.counters.droppedInTransit++;
      return;
    }
    c.inflight[slot]++;
    this.scheduler.schedule(arrival, EV_DELIVER, from, to, slot * 2 + (1 - side), (type << 24) | (size & 0xffffff), msg);
  }

  dial(from: Address, to: Address): ConnId {
    this.counters.dials++;
    const c = this.conns;
    const slot = c.alloc(from, to);
    if (slot < 0) {
      this.counters.connectionTableFull++;
      return -1;
    }
    const handle = c.handle(slot, DIALER);
    this.hostConns[from].add(handle);
    c.inflight[slot]++;
    const now = this.scheduler.now;
    const reachable = to >= 0 && to < this.protocols.length && (this.transit?.canDial(from, to, now) ?? true);
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
    const host = side === DIALER ? c.dialer[slot] : c.acceptor[slot];
    if (host !== from) return;
    const state = side === DIALER ? c.dialerState[slot] : c.acceptorState[slot];
    if (state === SIDE_CLOSED) return;
    if (side === DIALER) c.dialerState[slot] = SIDE_CLOSED;
    else c.acceptorState[slot] = SIDE_CLOSED;
    this.hostConns[from].delete(conn);
    // While dialing, the FIN goes out when the SYN-ACK arrives (see onSynAck).
    if (state === SIDE_OPEN) {
      this.counters.connectionsClosed++;
      this.sendControl(EV_FIN, slot, from, side === DIALER ? c.acceptor[slot] : c.dialer[slot], 1 - side);
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
        return this.onDeliver(a, b, c, payload as M);
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

  private onDeliver(from: Address, to: Address, end: number, msg: M): void {
    const c = this.conns;
    const slot = end >> 1;
    const side = end & 1;
    c.inflight[slot]--;
    const state = side === DIALER ? c.dialerState[slot] : c.acceptorState[slot];
    if (state !== SIDE_OPEN) {
      this.counters.droppedClosed++;
      this.resetIfAlive(slot, to, from, 1 - side);
      c.maybeFree(slot);
      return;
    }
    this.counters.deliveredCount[this.sizer.typeOf(msg)]++;
    this.protocols[to].onMessage(this.scheduler.now, c.handle(slot, side), msg);
  }

  private onSyn(dialer: Address, acceptor: Address, end: number): void {
    const c = this.conns;
    const slot = end >> 1;
    c.inflight[slot]--;
    if (this.hostUp[acceptor] === 0) {
      // Nobody home: the dialer's SYNs go unanswered until its timeout.
      c.inflight[slot]++;
      this.scheduler.schedule(this.scheduler.now + this.dialTimeoutUs, EV_DIAL_FAIL, acceptor, dialer, slot * 2 + DIALER, REASON_CODE.unreachable);
      return;
    }
    const back = this.packetArrival(acceptor, dialer, 0, slot, DIALER);
    if (back < 0) {
      c.inflight[slot]++;
      this.scheduler.schedule(this.scheduler.now + this.dialTimeoutUs, EV_DIAL_FAIL, acceptor, dialer, slot * 2 + DIALER, REASON_CODE.unreachable);
      return;
    }
    c.acceptorState[slot] = SIDE_OPEN;
    c.inflight[slot]++;
    this.scheduler.schedule(back, EV_SYNACK, acceptor, dialer, slot * 2 + DIALER, 0);
    const handle = c.handle(slot, ACCEPTOR);
    this.hostConns[acceptor].add(handle);
    this.counters.connectionsOpened++;
    this.protocols[acceptor].onConnected(this.scheduler.now, handle, dialer, 'in');
  }

  private onSynAck(acceptor: Address, dialer: Address, end: number): void {
    const c = this.conns;
    const slot = end >> 1;
    c.inflight[slot]--;
    if (c.dialerState[slot] !== SIDE_DIALING) {
      // The dialer gave up (or crashed) meanwhile: tear the accepted end down.
      if (c.acceptorState[slot] === SIDE_OPEN) this.sendControl(this.hostUp[dialer] ? EV_FIN : EV_RST, slot, dialer, acceptor, ACCEPTOR);
      c.maybeFree(slot);
      return;
    }
    c.dialerState[slot] = SIDE_OPEN;
    this.counters.connectionsOpened++;
    this.protocols[dialer].onConnected(this.scheduler.now, c.handle(slot, DIALER), acceptor, 'out');
  }

  private onDialFail(dialer: Address, end: number, reasonCode: number): void {
    const c = this.conns;
    const slot = end >> 1;
    c.inflight[slot]--;
    const wasDialing = c.dialerState[slot] === SIDE_DIALING;
    const handle = c.handle(slot, DIALER);
    const remote = c.acceptor[slot];
    c.dialerState[slot] = SIDE_CLOSED;
    if (c.acceptorState[slot] !== SIDE_OPEN) c.acceptorState[slot] = SIDE_CLOSED;
    c.maybeFree(slot);
    if (!wasDialing) return;
    this.hostConns[dialer].delete(handle);
    this.counters.dialFailures++;
    this.protocols[dialer].onDialFailed(this.scheduler.now, handle, remote, CLOSE_REASONS[reasonCode]);
  }

  /** A FIN or RST reached `to`'s end. */
  private onEnd(to: Address, end: number, reason: CloseReason): void {
    const c = this.conns;
    const slot = end >> 1;
    const side = end & 1;
    c.inflight[slot]--;
    const state = side === DIALER ? c.dialerState[slot] : c.acceptorState[slot];
    if (state !== SIDE_OPEN) {
      c.maybeFree(slot);
      return;
    }
    if (side === DIALER) c.dialerState[slot] = SIDE_CLOSED;
    else c.acceptorState[slot] = SIDE_CLOSED;
    const handle = c.handle(slot, side);
    this.hostConns[to].delete(handle);
    this.counters.connectionsClosed++;
    c.maybeFree(slot);
    this.protocols[to].onClosed(this.scheduler.now, handle, reason);
  }

  // ---- helpers ----

  private ownsOpenEnd(host: Address, slot: number, side: number): boolean {
    const c = this.conns;
    return side === DIALER
      ? c.dialer[slot] === host && c.dialerState[slot] === SIDE_OPEN
      : c.acceptor[slot] === host && c.acceptorState[slot] === SIDE_OPEN;
  }

  /** Arrival time of a packet on a connection towards `toSide`, FIFO per direction; -1 if dropped. */
  private packetArrival(from: Address, to: Address, size: number, slot: number, toSide: number): TimeUs {
    const c = this.conns;
    const now = this.scheduler.now;
    const depart = Math.max(now, this.cpuFreeAt[from]);
    const latency = this.latency.oneWayUs(from, to, this.netRng);
    let arrival = this.transit ? this.transit.arrival(from, to, size, depart, latency) : depart + latency;
    if (arrival < 0) return -1;
    if (toSide === ACCEPTOR) {
      arrival = Math.max(arrival, c.lastArrivalToAcceptor[slot]);
      c.lastArrivalToAcceptor[slot] = arrival;
    } else {
      arrival = Math.max(arrival, c.lastArrivalToDialer[slot]);
      c.lastArrivalToDialer[slot] = arrival;
    }
    return arrival;
  }

  /** FIN or RST towards the end `toSide` (control packets are never dropped, to keep both ends consistent). */
  private sendControl(kind: number, slot: number, from: Address, to: Address, toSide: number): void {
    const c = this.conns;
    const now = this.scheduler.now;
    const last = toSide === ACCEPTOR ? c.lastArrivalToAcceptor[slot] : c.lastArrivalToDialer[slot];
    const arrival = Math.max(now + this.latency.oneWayUs(from, to, this.netRng), last);
    if (toSide === ACCEPTOR) c.lastArrivalToAcceptor[slot] = arrival;
    else c.lastArrivalToDialer[slot] = arrival;
    c.inflight[slot]++;
    this.scheduler.schedule(arrival, kind, from, to, slot * 2 + toSide, 0);
  }

  /** A packet hit a closed end on `host`: if that host is alive, RST the sender's end if it is still open. */
  private resetIfAlive(slot: number, host: Address, sender: Address, senderSide: number): void {
    if (this.hostUp[host] === 0) return;
    const c = this.conns;
    const state = senderSide === DIALER ? c.dialerState[slot] : c.acceptorState[slot];
    if (state === SIDE_OPEN) this.sendControl(EV_RST, slot, host, sender, senderSide);
  }

  private takeDown(address: Address): void {
    this.hostUp[address] = 0;
    this.hostEpoch[address]++;
    this.cpuFreeAt[address] = 0;
    this.ios[address].epoch = this.hostEpoch[address];
  }

  private growHosts(): void {
    const n = this.hostUp.length * 2;
    const up = new Uint8Array(n);
    up.set(this.hostUp);
    this.hostUp = up;
    const epoch = new Int32Array(n);
    epoch.set(this.hostEpoch);
    this.hostEpoch = epoch;
    const cpu = new Float64Array(n);
    cpu.set(this.cpuFreeAt);
    this.cpuFreeAt = cpu;
  }
}

/** The PeerActions one host's protocol sees: every call is stamped with that host. */
class HostIo<M> implements PeerActions<M> {
  /** Mirror of the host's epoch, so setTimer need not reach into the World. */
  epoch = 0;
  constructor(
    private readonly world: World<M>,
    private readonly scheduler: Scheduler,
    private readonly host: Address,
  ) {}
  send(conn: ConnId, msg: M): void {
    this.world.send(this.host, conn, msg);
  }
  dial(to: Address): ConnId {
    return this.world.dial(this.host, to);
  }
  close(conn: ConnId): void {
    this.world.closeConn(this.host, conn);
  }
  setTimer(delayUs: number, tag: number): TimerId {
    const s = this.scheduler;
    return s.schedule(s.now + delayUs, EV_TIMER, this.host, 0, tag, this.epoch);
  }
  cancelTimer(id: TimerId): void {
    this.scheduler.cancel(id);
  }
  chargeCpu(us: number): void {
    this.world.chargeCpu(this.host, us);
  }
}
