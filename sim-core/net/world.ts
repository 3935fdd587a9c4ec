import { type RngStreams, type Rng } from '../engine/rng.ts';
import { Scheduler, type Dispatcher } from '../engine/scheduler.ts';
import type { TimeUs } from '../engine/time.ts';
import type {
  Address,
  CloseReason,
  ConnId,
  MessageSizer,
  PeerActions,
  PeerProtocol,
  TimerId,
} from '../protocols/protocol.ts';
import { ConnectionTable, SIDE_CLOSED, SIDE_DIALING, SIDE_OPEN } from './connections.ts';
import { CLOSE_REASONS, NetCounters, REASON_CODE } from './counters.ts';
import { EV_ACTION, EV_DELIVER, EV_DIAL_FAIL, EV_FIN, EV_START, EV_SYN, EV_SYNACK, EV_TIMER } from './event-kinds.ts';
import type { LatencyModel } from './latency.ts';

/** What a protocol factory receives for one host. */
export interface HostContext<M> {
  readonly address: Address;
  readonly io: PeerActions<M>;
  /** The host's own named stream: `peer/<address>/<subsystem>`. */
  rng(subsystem: string): Rng;
}

export type ProtocolFactory<M> = (ctx: HostContext<M>) => PeerProtocol<M>;

export interface WorldOptions<M> {
  rng: RngStreams;
  latency: LatencyModel;
  sizer: MessageSizer<M>;
  /** Bound on pending events (default 2^24). */
  maxPendingEvents?: number;
  /** Bound on concurrent connections (default 2^21). */
  maxConnections?: number;
  /** Delay before a dial to an address nobody holds fails (default 5 s). */
  dialTimeoutUs?: number;
}

const HOSTS_INITIAL = 1024;

/**
 * The simulated world: it owns the scheduler, the hosts and their protocol
 * state machines, the connection table, the latency model and the network
 * random stream. Hosts are addressed by index. Connections behave like TCP:
 * dial = SYN one way then SYN-ACK back, per-direction FIFO delivery, close
 * = FIN after the link delay.
 */
export class World<M> implements Dispatcher {
  readonly scheduler: Scheduler;
  readonly counters = new NetCounters();
  readonly conns: ConnectionTable;
  /** Per host: its protocol; up flag and epoch (bumped at every stop, so events of an older incarnation are dropped); its open or opening connections in creation order. */
  private readonly protocols: PeerProtocol<M>[] = [];
  private hostUp = new Uint8Array(HOSTS_INITIAL);
  private hostEpoch = new Int32Array(HOSTS_INITIAL);
  private readonly hostConns: Set<number>[] = [];
  private readonly ios: HostIo<M>[] = [];
  private readonly netRng: Rng;
  private readonly latency: LatencyModel;
  private readonly sizer: MessageSizer<M>;
  private readonly dialTimeoutUs: number;

  constructor(readonly options: WorldOptions<M>) {
    this.scheduler = new Scheduler(4096, options.maxPendingEvents);
    this.scheduler.setDispatcher(this);
    this.conns = new ConnectionTable(1024, options.maxConnections);
    this.netRng = options.rng.stream('net/latency');
    this.latency = options.latency;
    this.sizer = options.sizer;
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
    if (address === this.hostUp.length) {
      const up = new Uint8Array(address * 2);
      up.set(this.hostUp);
      this.hostUp = up;
      const epoch = new Int32Array(address * 2);
      epoch.set(this.hostEpoch);
      this.hostEpoch = epoch;
    }
    const io = new HostIo<M>(this.scheduler, address);
    io.world = this;
    this.ios.push(io);
    const rng = this.options.rng;
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

  /** Current incarnation of a host (bumped at every stop). */
  epochOf(address: Address): number {
    return this.hostEpoch[address];
  }

  /** Starts a host at absolute time `at`. */
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
    this.hostUp[address] = 0;
    this.ios[address].epoch = ++this.hostEpoch[address];
  }

  // ---- actions, called through HostIo ----

  send(from: Address, conn: ConnId, msg: M): void {
    const slot = this.conns.slotOf(conn);
    const c = this.conns;
    const now = this.scheduler.now;
    if (slot < 0) {
      this.counters.droppedClosed++;
      return;
    }
    const type = this.sizer.typeOf(msg);
    const size = this.sizer.sizeOf(msg);
    let to: number;
    let arrival: number;
    if (c.dialer[slot] === from && c.dialerState[slot] === SIDE_OPEN) {
      to = c.acceptor[slot];
      arrival = Math.max(now + this.latency.oneWayUs(from, to, this.netRng), c.lastArrivalToAcceptor[slot]);
      c.lastArrivalToAcceptor[slot] = arrival;
    } else if (c.acceptor[slot] === from && c.acceptorState[slot] === SIDE_OPEN) {
      to = c.dialer[slot];
      arrival = Math.max(now + this.latency.oneWayUs(from, to, this.netRng), c.lastArrivalToDialer[slot]);
      c.lastArrivalToDialer[slot] = arrival;
    } else {
      this.counters.droppedClosed++;
      return;
    }
    this.counters.sentCount[type]++;
    this.counters.sentBytes[type] += size;
    c.inflight[slot]++;
    this.scheduler.schedule(arrival, EV_DELIVER, from, to, slot, (type << 24) | (size & 0xffffff), msg);
  }

  dial(from: Address, to: Address): ConnId {
    this.counters.dials++;
    const slot = this.conns.alloc(from, to);
    if (slot < 0) {
      this.counters.connectionTableFull++;
      return -1;
    }
    const now = this.scheduler.now;
    this.conns.inflight[slot]++;
    this.hostConns[from].add(this.conns.handle(slot));
    if (to < 0 || to >= this.protocols.length || to === from) {
      const reason = to === from ? REASON_CODE.refused : REASON_CODE.unreachable;
      this.scheduler.schedule(now + this.dialTimeoutUs, EV_DIAL_FAIL, to, from, slot, reason);
    } else {
      const arrival = now + this.latency.oneWayUs(from, to, this.netRng);
      this.conns.lastArrivalToAcceptor[slot] = arrival;
      this.scheduler.schedule(arrival, EV_SYN, from, to, slot, 0);
    }
    return this.conns.handle(slot);
  }

  closeConn(from: Address, conn: ConnId): void {
    const slot = this.conns.slotOf(conn);
    if (slot < 0) return;
    const c = this.conns;
    if (c.dialer[slot] === from) {
      const st = c.dialerState[slot];
      if (st === SIDE_CLOSED) return;
      c.dialerState[slot] = SIDE_CLOSED;
      this.hostConns[from].delete(conn);
      // While dialing, the FIN is sent when the SYN-ACK arrives (see onSynAck).
      if (st === SIDE_OPEN) this.sendFin(slot, from, c.acceptor[slot], true);
    } else if (c.acceptor[slot] === from) {
      if (c.acceptorState[slot] !== SIDE_OPEN) return;
      c.acceptorState[slot] = SIDE_CLOSED;
      this.hostConns[from].delete(conn);
      this.sendFin(slot, from, c.dialer[slot], false);
    } else return;
    this.counters.connectionsClosed++;
    c.maybeFree(slot);
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
        return this.onFin(b, c);
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

  private onDeliver(from: Address, to: Address, slot: number, typeSize: number, msg: M): void {
    const c = this.conns;
    c.inflight[slot]--;
    const toDialer = c.dialer[slot] === to;
    const state = toDialer ? c.dialerState[slot] : c.acceptorState[slot];
    if (state !== SIDE_OPEN || this.hostUp[to] === 0) {
      this.counters.droppedClosed++;
      c.maybeFree(slot);
      return;
    }
    this.counters.deliveredCount[typeSize >>> 24]++;
    this.protocols[to].onMessage(this.scheduler.now, c.handle(slot), msg);
  }

  private onSyn(dialer: Address, acceptor: Address, slot: number): void {
    const c = this.conns;
    c.inflight[slot]--;
    const now = this.scheduler.now;
    const back = now + this.latency.oneWayUs(acceptor, dialer, this.netRng);
    if (this.hostUp[acceptor] === 0) {
      c.inflight[slot]++;
      this.scheduler.schedule(back, EV_DIAL_FAIL, acceptor, dialer, slot, REASON_CODE.refused);
      return;
    }
    c.acceptorState[slot] = SIDE_OPEN;
    c.lastArrivalToDialer[slot] = back;
    c.inflight[slot]++;
    this.scheduler.schedule(back, EV_SYNACK, acceptor, dialer, slot, 0);
    const handle = c.handle(slot);
    this.hostConns[acceptor].add(handle);
    this.counters.connectionsOpened++;
    this.protocols[acceptor].onConnected(now, handle, dialer, 'in');
  }

  private onSynAck(acceptor: Address, dialer: Address, slot: number): void {
    const c = this.conns;
    c.inflight[slot]--;
    if (c.dialerState[slot] !== SIDE_DIALING || this.hostUp[dialer] === 0) {
      // The dialer gave up (or went down) meanwhile: tear the other side down.
      if (c.dialerState[slot] !== SIDE_CLOSED) c.dialerState[slot] = SIDE_CLOSED;
      if (c.acceptorState[slot] === SIDE_OPEN) this.sendFin(slot, dialer, acceptor, true);
      c.maybeFree(slot);
      return;
    }
    c.dialerState[slot] = SIDE_OPEN;
    this.counters.connectionsOpened++;
    this.protocols[dialer].onConnected(this.scheduler.now, c.handle(slot), acceptor, 'out');
  }

  private onDialFail(dialer: Address, slot: number, reasonCode: number): void {
    const c = this.conns;
    c.inflight[slot]--;
    const wasDialing = c.dialerState[slot] === SIDE_DIALING;
    c.dialerState[slot] = SIDE_CLOSED;
    c.acceptorState[slot] = SIDE_CLOSED;
    const handle = c.handle(slot);
    const remote = c.acceptor[slot];
    this.hostConns[dialer].delete(handle);
    c.maybeFree(slot);
    if (!wasDialing || this.hostUp[dialer] === 0) return;
    this.counters.dialFailures++;
    this.protocols[dialer].onDialFailed(this.scheduler.now, handle, remote, CLOSE_REASONS[reasonCode]);
  }

  private onFin(to: Address, slot: number): void {
    const c = this.conns;
    c.inflight[slot]--;
    const toDialer = c.dialer[slot] === to;
    const state = toDialer ? c.dialerState[slot] : c.acceptorState[slot];
    if (state !== SIDE_OPEN) {
      c.maybeFree(slot);
      return;
    }
    if (toDialer) c.dialerState[slot] = SIDE_CLOSED;
    else c.acceptorState[slot] = SIDE_CLOSED;
    const handle = c.handle(slot);
    this.hostConns[to].delete(handle);
    this.counters.connectionsClosed++;
    c.maybeFree(slot);
    if (this.hostUp[to] === 1) this.protocols[to].onClosed(this.scheduler.now, handle, 'remote');
  }

  private sendFin(slot: number, from: Address, to: Address, toAcceptor: boolean): void {
    const c = this.conns;
    const now = this.scheduler.now;
    const last = toAcceptor ? c.lastArrivalToAcceptor[slot] : c.lastArrivalToDialer[slot];
    const arrival = Math.max(now + this.latency.oneWayUs(from, to, this.netRng), last);
    if (toAcceptor) c.lastArrivalToAcceptor[slot] = arrival;
    else c.lastArrivalToDialer[slot] = arrival;
    c.inflight[slot]++;
    this.scheduler.schedule(arrival, EV_FIN, from, to, slot, 0);
  }
}

/** The PeerActions one host's protocol sees: every call is stamped with that host. */
class HostIo<M> implements PeerActions<M> {
  /** Mirror of the host's epoch, so setTimer need not reach into the World. */
  epoch = 0;
  world!: World<M>;
  constructor(
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
}

