import { createServer, connect, type Server, type Socket } from 'node:net';
import type { TimeUs } from '../../engine/time.ts';
import type { Rng } from '../../engine/rng.ts';
import { NetCounters } from '../../net/counters.ts';
import type { HostContext } from '../../net/world-types.ts';
import type { Address, CloseReason, ConnId, Direction, MessageSizer, PeerActions, PeerProtocol, TimerId } from '../../sans-io/protocol.ts';
import { FrameCounter } from './frame-counter.ts';
import { addressOfIp, hostIp, InboundMatcher } from './inbound.ts';
import { LatenessHistogram } from './starvation.ts';

/** Loopback only: live peers never listen on or dial anything else. */
export const LOOPBACK_HOST = '127.0.0.1';
/** Bytes queued on one socket beyond which the reader is too slow and the link is dropped. */
export const MAX_WRITE_QUEUE_BYTES = 8 * 1024 * 1024;
/** After close(), queued bytes get this long to flush before the socket is destroyed. */
export const CLOSE_FLUSH_MS = 2_000;
/** Timers one host may have pending (the peer manager and its app hold a handful). */
export const MAX_TIMERS_PER_HOST = 100_000;

export class BindError extends Error {}

interface LiveConn {
  id: ConnId;
  host: Address;
  remote: Address;
  dir: Direction;
  state: 'dialing' | 'open' | 'closed';
  socket: Socket;
  counter: FrameCounter;
  /** With a latency model: chunks held until their time, in stream order, and the timer of the first. */
  held: { at: TimeUs; b: Buffer }[];
  heldTimer: NodeJS.Timeout | undefined;
}

interface LiveHost {
  address: Address;
  protocol: PeerProtocol<Uint8Array>;
  server: Server | undefined;
  port: number;
  up: boolean;
  /** Runs in another worker: dialled at its port, never started here. */
  remote: boolean;
  conns: Set<ConnId>;
  timers: Map<TimerId, NodeJS.Timeout>;
}

export interface LiveNetOptions {
  sizer: MessageSizer<unknown>;
  dialTimeoutUs: number;
  maxFrameBytes: number;
  /** One-way delay added to every chunk from `from` to `to` (µs); absent: none beyond loopback's own. */
  latencyUs?: (from: Address, to: Address) => number;
  /** Whether traffic between two hosts is cut (a partition): dials fail, data is dropped. */
  blocked?: (from: Address, to: Address) => boolean;
  /**
   * Each host dials from its own loopback IP (hostIp), so an acceptor knows
   * the dialer from the socket's remote address as a kernel tells an IP, in
   * any process (workers); without it, dialers are matched by port pairs
   * within this process (InboundMatcher). Linux routes all of 127/8 to lo.
   */
  sourceIps?: boolean;
  /** A protocol callback threw: the host is stopped, the process goes on. */
  onProtocolError?: (address: Address, e: unknown) => void;
}

/**
 * A real transport for sans-IO peers: each host listens on 127.0.0.1 (port
 * chosen by the OS), its dials are node:net sockets, its timers real timers,
 * and `now` is integer µs of a monotonic clock since the net was created.
 * Hosts keep the simulator's integer addresses; the transport maps them to
 * ports, and an accepted socket to the dialing host by its source port (the
 * dialer is in this process), as a kernel would tell an IP. Sockets from
 * outside get a foreign address per remote IP. Every protocol call happens
 * from an I/O or timer callback, never inside another protocol call.
 */
export class LiveNet {
  readonly counters = new NetCounters();
  eventsProcessed = 0;
  protocolErrors = 0;
  /** How late each protocol timer fired (gossip flushes, pings, ticks): the event loop's lag as the protocol feels it. */
  readonly timerLateness = new LatenessHistogram();
  private readonly startNs = process.hrtime.bigint();
  private readonly hosts: LiveHost[] = [];
  private readonly conns = new Map<ConnId, LiveConn>();
  private readonly sockets = new Set<Socket>();
  private readonly inbound = new InboundMatcher();
  private nextConn = 1;
  private nextTimer = 1;
  private closed = false;

  constructor(private readonly opts: LiveNetOptions) {}

  /** µs since start, integer, monotonic. */
  now(): TimeUs {
    return Number((process.hrtime.bigint() - this.startNs) / 1000n);
  }

  get hostCount(): number {
    return this.hosts.length;
  }

  isUp(a: Address): boolean {
    return this.hosts[a]?.up === true;
  }

  protocolOf(a: Address): PeerProtocol<unknown> {
    return this.hosts[a].protocol as PeerProtocol<unknown>;
  }

  portOf(a: Address): number {
    return this.hosts[a].port;
  }

  /** Sockets not yet closed (the test checks 0 after close()). */
  get openSockets(): number {
    return this.sockets.size;
  }

  /** Accepted sockets no dialer of ours claimed (foreign clients). */
  get foreignAccepted(): number {
    return this.inbound.foreignAccepted;
  }

  /** Open connections, each counted once as the simulator does (both ends of ours are in this process). */
  get openConnections(): number {
    let n = 0;
    for (const c of this.conns.values()) if (c.state === 'open' && (c.dir === 'out' || !(c.remote < this.hosts.length))) n++;
    return n;
  }

  /** A host, not listening yet; `rngOf` gives its named streams (as the World's HostContext). */
  addHost(make: (ctx: HostContext<Uint8Array>) => PeerProtocol<Uint8Array>, rngOf: (address: Address, sub: string) => Rng): Address {
    const address = this.hosts.length;
    const io = this.ioFor(address);
    const host: LiveHost = { address, protocol: undefined as never, server: undefined, port: 0, up: false, remote: false, conns: new Set(), timers: new Map() };
    this.hosts.push(host);
    host.protocol = make({ address, io, rng: (sub) => rngOf(address, sub) });
    return address;
  }

  /** Binds the host's listening socket (port 0: the OS picks a free one). */
  listen(a: Address, port = 0): Promise<void> {
    const host = this.hosts[a];
    host.port = port;
    const server = createServer({ noDelay: true }, (s) => this.accept(host, s));
    host.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => reject(new BindError(`cannot listen on ${LOOPBACK_HOST}:${host.port} for peer ${a}: ${e.code ?? e.message}`)));
      server.listen({ host: LOOPBACK_HOST, port: host.port, exclusive: true }, () => {
        host.port = (server.address() as { port: number }).port;
        server.on('error', () => {}); // after binding, accept errors (EMFILE) only cost that socket
        resolve();
      });
    });
  }

  /** Host `a` runs in another worker and listens at `port`: dials go there; it is never started here. */
  setRemote(a: Address, port: number): void {
    const host = this.hosts[a];
    host.remote = true;
    host.port = port;
  }

  start(a: Address): void {
    const host = this.hosts[a];
    if (host.up || host.remote || this.closed) return;
    host.up = true;
    this.call(host, (p, now) => p.onStart(now));
  }

  /** Crash: every socket of the host is reset, its timers cleared; it stays bound (restart = start). */
  crash(a: Address): void {
    const host = this.hosts[a];
    if (!host.up) return;
    host.up = false;
    for (const t of host.timers.values()) clearTimeout(t);
    host.timers.clear();
    for (const id of [...host.conns]) {
      const c = this.conns.get(id)!;
      c.state = 'closed';
      c.socket.resetAndDestroy();
      this.forget(c);
    }
  }

  /** Stops every host and closes every socket and server; resolves once all are closed. */
  async close(): Promise<void> {
    this.closed = true;
    for (const h of this.hosts) this.crash(h.address);
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.hosts.map((h) => new Promise<void>((r) => (h.server?.listening ? h.server.close(() => r()) : r()))));
    while (this.sockets.size > 0) await new Promise((r) => setImmediate(r));
  }

  // ---- the actions one host's protocol sees ----

  private ioFor(a: Address): PeerActions<Uint8Array> {
    return {
      send: (conn, msg) => this.send(a, conn, msg),
      dial: (to) => this.dial(a, to),
      close: (conn) => this.closeConn(a, conn),
      setTimer: (delayUs, tag) => this.setTimer(a, delayUs, tag),
      cancelTimer: (id) => this.cancelTimer(a, id),
      chargeCpu: () => {}, // real CPU is spent for real
    };
  }

  private send(from: Address, id: ConnId, msg: Uint8Array): void {
    const c = this.conns.get(id);
    if (!c || c.host !== from || c.state !== 'open') return void this.counters.droppedClosed++;
    if (!(msg instanceof Uint8Array)) throw new TypeError('live transport: messages must be bytes (wire.materialize: true)');
    const type = this.opts.sizer.typeOf(msg);
    this.counters.sentCount[type]++;
    this.counters.sentBytes[type] += msg.length;
    if (this.opts.blocked?.(from, c.remote)) return void this.counters.droppedInTransit++;
    c.socket.write(msg);
    // A peer that does not read its socket must not make us buffer without bound.
    if (c.socket.writableLength > MAX_WRITE_QUEUE_BYTES) this.lose(c, 'reset');
  }

  private dial(from: Address, to: Address): ConnId {
    const id = this.nextConn++;
    const target = this.hosts[to];
    const refuse = (reason: CloseReason) => setImmediate(() => this.dialFailed(c, reason));
    const reachable = target && (target.up || target.remote) && !this.opts.blocked?.(from, to);
    const socket = reachable ? connect({ host: LOOPBACK_HOST, port: target.port, noDelay: true, localAddress: this.opts.sourceIps ? hostIp(from) : undefined }) : undefined;
    const c: LiveConn = { id, host: from, remote: to, dir: 'out', state: 'dialing', socket: socket as Socket, counter: this.counterFor(), held: [], heldTimer: undefined };
    this.conns.set(id, c);
    this.hosts[from].conns.add(id);
    this.counters.dials++;
    if (!socket) {
      refuse(target ? 'unreachable' : 'refused');
      return id;
    }
    this.track(socket);
    const timeout = setTimeout(() => this.dialFailed(c, 'unreachable'), Math.max(1, this.opts.dialTimeoutUs / 1000));
    socket.once('connect', () => {
      clearTimeout(timeout);
      this.inbound.dialed(socket, from, target.port);
      if (c.state !== 'dialing') return void socket.destroy(); // closed while dialing
      c.state = 'open';
      this.counters.connectionsOpened++;
      this.wire(c);
      this.call(this.hosts[from], (p, now) => p.onConnected(now, id, to, 'out'));
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timeout);
      if (c.state === 'dialing') this.dialFailed(c, e.code === 'ECONNREFUSED' ? 'refused' : 'unreachable');
    });
    return id;
  }

  private dialFailed(c: LiveConn, reason: CloseReason): void {
    if (c.state !== 'dialing') return;
    c.state = 'closed';
    c.socket?.destroy();
    this.forget(c);
    this.counters.dialFailures++;
    this.call(this.hosts[c.host], (p, now) => p.onDialFailed(now, c.id, c.remote, reason));
  }

  private closeConn(from: Address, id: ConnId): void {
    const c = this.conns.get(id);
    if (!c || c.host !== from || c.state === 'closed') return;
    const wasOpen = c.state === 'open';
    c.state = 'closed';
    this.forget(c);
    if (!wasOpen) return void c.socket?.destroy();
    this.counters.connectionsClosed++;
    // A Disconnect or Reject queued just before should still reach the peer: FIN after the queue drains.
    c.socket.end();
    setTimeout(() => c.socket.destroy(), CLOSE_FLUSH_MS).unref();
  }

  private setTimer(a: Address, delayUs: number, tag: number): TimerId {
    const host = this.hosts[a];
    if (host.timers.size >= MAX_TIMERS_PER_HOST) throw new RangeError(`live transport: host ${a} has ${MAX_TIMERS_PER_HOST} timers pending`);
    const id = this.nextTimer++;
    const due = this.now() + delayUs;
    // Node timers have 1 ms resolution: shorter delays fire after about 1 ms.
    const t = setTimeout(() => {
      host.timers.delete(id);
      this.timerLateness.add((this.now() - due) / 1000);
      this.call(host, (p, now) => p.onTimer(now, tag));
    }, Math.max(0, delayUs / 1000));
    host.timers.set(id, t);
    return id;
  }

  private cancelTimer(a: Address, id: TimerId): void {
    const host = this.hosts[a];
    const t = host.timers.get(id);
    if (t === undefined) return;
    clearTimeout(t);
    host.timers.delete(id);
  }

  // ---- sockets ----

  private accept(host: LiveHost, socket: Socket): void {
    this.track(socket);
    if (!host.up || this.closed) return void socket.destroy();
    const known = this.opts.sourceIps ? addressOfIp(socket.remoteAddress) : undefined;
    if (known !== undefined && known < this.hosts.length) return this.opened(host, socket, known, []);
    this.inbound.identify(socket, host.port, (remote, held) => (host.up ? this.opened(host, socket, remote, held) : socket.destroy()));
  }

  private opened(host: LiveHost, socket: Socket, remote: Address, held: Buffer[]): void {
    const id = this.nextConn++;
    const c: LiveConn = { id, host: host.address, remote, dir: 'in', state: 'open', socket, counter: this.counterFor(), held: [], heldTimer: undefined };
    this.conns.set(id, c);
    host.conns.add(id);
    this.counters.connectionsOpened++;
    this.call(host, (p, now) => p.onConnected(now, id, remote, 'in'));
    for (const b of held) this.receive(c, b);
    this.wire(c);
  }

  private wire(c: LiveConn): void {
    c.socket.on('data', (b: Buffer) => this.receive(c, b));
    c.socket.once('close', (hadError) => {
      // The end of the stream comes after the data still held for the pair's delay, as a FIN would.
      const last = c.held.at(-1);
      if (!last) return this.lose(c, hadError ? 'reset' : 'remote');
      setTimeout(() => this.lose(c, hadError ? 'reset' : 'remote'), Math.max(0, (last.at - this.now()) / 1000) + 1);
    });
    c.socket.on('error', () => {}); // 'close' follows and reports it
  }

  private receive(c: LiveConn, b: Buffer): void {
    if (c.state !== 'open') return;
    if (this.opts.blocked?.(c.remote, c.host)) return void this.counters.droppedInTransit++;
    const delay = this.opts.latencyUs?.(c.remote, c.host) ?? 0;
    if (delay <= 0 && c.held.length === 0) return this.deliver(c, b);
    // Per-pair delay, never reordering a stream: one timer per connection, for the oldest chunk held.
    c.held.push({ at: Math.max(this.now() + delay, c.held.at(-1)?.at ?? 0), b });
    if (c.heldTimer === undefined) this.armHeld(c);
  }

  private armHeld(c: LiveConn): void {
    const head = c.held[0];
    c.heldTimer = setTimeout(() => {
      c.heldTimer = undefined;
      const now = this.now();
      while (c.held.length > 0 && c.held[0].at <= now + 500 && c.state === 'open') this.deliver(c, c.held.shift()!.b);
      if (c.held.length > 0 && c.state === 'open') this.armHeld(c);
    }, Math.max(0, (head.at - this.now()) / 1000));
  }

  private deliver(c: LiveConn, b: Buffer): void {
    if (c.state !== 'open') return;
    c.counter.push(b);
    this.call(this.hosts[c.host], (p, now) => p.onMessage(now, c.id, b));
  }

  /** The connection ended under us (remote close, reset, or our write queue overflowed). */
  private lose(c: LiveConn, reason: CloseReason): void {
    if (c.state !== 'open') return;
    c.state = 'closed';
    c.socket.destroy();
    this.forget(c);
    this.counters.connectionsClosed++;
    setImmediate(() => this.call(this.hosts[c.host], (p, now) => p.onClosed(now, c.id, reason)));
  }

  private forget(c: LiveConn): void {
    if (c.heldTimer !== undefined) clearTimeout(c.heldTimer);
    c.held.length = 0;
    this.conns.delete(c.id);
    this.hosts[c.host].conns.delete(c.id);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
  }

  private counterFor(): FrameCounter {
    return new FrameCounter(this.opts.maxFrameBytes, (t) => this.counters.deliveredCount[t]++);
  }

  /** One protocol callback; a throw stops that host (a bug, reported) instead of the process. */
  private call(host: LiveHost, f: (p: PeerProtocol<Uint8Array>, now: TimeUs) => void): void {
    if (!host.up) return;
    this.eventsProcessed++;
    try {
      f(host.protocol, this.now());
    } catch (e) {
      this.protocolErrors++;
      this.opts.onProtocolError?.(host.address, e);
      this.crash(host.address);
    }
  }
}
