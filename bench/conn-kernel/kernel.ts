import { Rng } from '../../sim-core/engine/rng.ts';
import { Scheduler, type Dispatcher } from '../../sim-core/engine/scheduler.ts';
import { ConnKernelCapacityError } from './errors.ts';
import { ID_WORDS, NodeBlocks, NodeConnRows, RoutingRows } from './tables.ts';

export interface ConnKernelParams {
  peers: number;
  durationS: number;
  seed: string;
  /** Peers start evenly over this many seconds. */
  joinOverS: number;
  /** Lookups started per peer per second (each one queries until no closer peer comes back). */
  lookupsPerPeerPerS: number;
  /** Connections per node at most (in + out), and outbound lookup connections at most. */
  maxConns: number;
  maxOutbound: number;
  /** Bucket size and nodes per KadNodes answer. */
  k: number;
  /** Queries one lookup sends at most. */
  maxLookupSteps: number;
}

export const DEFAULT_CONN_KERNEL: Omit<ConnKernelParams, 'peers' | 'durationS' | 'seed'> = {
  joinOverS: 60,
  lookupsPerPeerPerS: 0.1,
  maxConns: 64,
  maxOutbound: 21,
  k: 20,
  maxLookupSteps: 11,
};

// Timings of the peer manager and Kademlia app defaults (µs).
const TICK_US = 1_000_000;
const PING_INTERVAL_US = 30_000_000;
const STALE_US = 90_000_000;
const HANDSHAKE_TIMEOUT_US = 10_000_000;
const IDLE_US = 30_000_000;
const REQUEST_TIMEOUT_US = 5_000_000;
const RPC_IDLE_US = 5_000_000;
const LATENCY_MIN_US = 20_000;
const LATENCY_SPAN_US = 130_000;
const JITTER_US = 5_000;
const BUCKET_CAPACITY = 200;
const BUCKET_REFILL_PER_US = 50 / 1e6;

// Engine event kinds.
const EV_LOOKUP = 1;
const EV_TICK = 2;
const EV_SYN = 3;
const EV_SYNACK = 4;
const EV_MSG = 5;
const EV_FIN = 6;
const FIN_REFUSED = 2;

// Message types (low 3 bits of an EV_MSG's d; the rest is the argument).
export const M_VERSION = 1;
export const M_VERACK = 2;
export const M_PING = 3;
export const M_PONG = 4;
export const M_FIND = 5;
export const M_NODES = 6;
export const M_DISCONNECT = 7;

// Side states.
const S_CLOSED = 0;
const S_DIALING = 1;
const S_HANDSHAKE = 2;
const S_UP = 3;

export interface ConnKernelStats {
  dials: number;
  refused: number;
  established: number;
  messages: number;
  byType: number[];
  closedIdle: number;
  closedEvicted: number;
  closedStale: number;
  closedTimeout: number;
  requestTimeouts: number;
  lookups: number;
  lookupsAbandoned: number;
  badSignatures: number;
  staleEvents: number;
  rateLimited: number;
  connsPeak: number;
}

/**
 * The peer manager's connection cycle and Kademlia's requests on it, with
 * every per-connection and per-node field in typed arrays: a connection is a
 * row index (with a generation so late events of a reused row are ignored),
 * a node's connections a fixed row of cells, routing tables one array, a
 * KadNodes answer a block of k ints. Each dial goes SYN, SYNACK, VERSION ×2,
 * VERACK ×2, PING/PONG, FIND/NODES, DISCONNECT and FIN like the real stack,
 * on the real engine (Scheduler, trace hash). No object per connection,
 * message or event.
 */
export class ConnKernel implements Dispatcher {
  readonly stats: ConnKernelStats;
  readonly scheduler = new Scheduler(1 << 16);
  readonly rt: RoutingRows;
  readonly rows: NodeConnRows;
  private readonly blocks: NodeBlocks;
  private readonly rng: Rng;
  private readonly n: number;
  private readonly cap: number;
  // Connection c: dialer side 2c, acceptor side 2c + 1.
  private readonly dialer: Int32Array;
  private readonly acceptor: Int32Array;
  private readonly gen: Int32Array;
  private readonly st: Uint8Array;
  private readonly nonce: Int32Array;
  private readonly openedUs: Float64Array;
  private readonly lastRecvUs: Float64Array;
  private readonly tokens: Float64Array;
  private readonly fillUs: Float64Array;
  private readonly pingNonce: Int32Array;
  private readonly pingSentUs: Float64Array;
  private readonly rttUs: Float64Array;
  private readonly inFlight: Uint8Array;
  private readonly lastUseUs: Float64Array;
  private readonly pendingTarget: Int32Array;
  private readonly freeConns: Int32Array;
  private freeTop: number;
  // Node u: its lookup in progress.
  private readonly lookupTarget: Int32Array;
  private readonly lookupLast: Int32Array;
  private readonly lookupSteps: Uint8Array;
  private readonly outbound: Int32Array;
  private readonly scratch: Int32Array;
  private live = 0;

  constructor(readonly p: ConnKernelParams) {
    const n = (this.n = p.peers);
    this.rng = new Rng(`${p.seed}/conn-kernel`);
    const ids = new Uint32Array(n * ID_WORDS);
    for (let i = 0; i < ids.length; i++) ids[i] = this.rng.uint32();
    this.rt = new RoutingRows(n, p.k, ids);
    const cap = (this.cap = n * p.maxConns);
    this.dialer = new Int32Array(cap);
    this.acceptor = new Int32Array(cap);
    this.rows = new NodeConnRows(n, 128, (c, node) => (this.dialer[c] === node ? this.acceptor[c] : this.dialer[c]));
    this.blocks = new NodeBlocks(n * p.maxOutbound * 2, p.k);
    this.gen = new Int32Array(cap);
    this.st = new Uint8Array(2 * cap);
    this.nonce = new Int32Array(2 * cap);
    this.openedUs = new Float64Array(cap);
    this.lastRecvUs = new Float64Array(2 * cap);
    this.tokens = new Float64Array(2 * cap);
    this.fillUs = new Float64Array(2 * cap);
    this.pingNonce = new Int32Array(2 * cap);
    this.pingSentUs = new Float64Array(2 * cap);
    this.rttUs = new Float64Array(cap);
    this.inFlight = new Uint8Array(cap);
    this.lastUseUs = new Float64Array(cap);
    this.pendingTarget = new Int32Array(cap);
    this.freeConns = new Int32Array(cap);
    for (let i = 0; i < cap; i++) this.freeConns[i] = cap - 1 - i;
    this.freeTop = cap;
    this.lookupTarget = new Int32Array(n).fill(-1);
    this.lookupLast = new Int32Array(n);
    this.lookupSteps = new Uint8Array(n);
    this.outbound = new Int32Array(n);
    this.scratch = new Int32Array(p.k);
    this.stats = {
      dials: 0, refused: 0, established: 0, messages: 0, byType: new Array(8).fill(0),
      closedIdle: 0, closedEvicted: 0, closedStale: 0, closedTimeout: 0, requestTimeouts: 0,
      lookups: 0, lookupsAbandoned: 0, badSignatures: 0, staleEvents: 0, rateLimited: 0, connsPeak: 0,
    };
    this.scheduler.setDispatcher(this);
  }

  /** Starts every peer (evenly over joinOverS), runs to durationS; returns the trace hash. */
  run(): string {
    const joinUs = this.p.joinOverS * 1e6;
    const boot = Math.min(3, this.n - 1);
    for (let u = 0; u < this.n; u++) {
      for (let b = 0; b < boot; b++) if (b !== u) this.rt.touch(u, b);
      const at = Math.floor((u * joinUs) / this.n);
      this.scheduler.schedule(at, EV_LOOKUP, u, 1, 0, 0);
      this.scheduler.schedule(at + 1 + this.rng.int(TICK_US), EV_TICK, u, 0, 0, 0);
    }
    this.scheduler.run(this.p.durationS * 1e6);
    return this.scheduler.trace.hex();
  }

  get events(): number {
    return this.scheduler.eventsProcessed;
  }

  /** Connections with at least one side open. */
  get openConns(): number {
    return this.live;
  }

  dispatch(kind: number, a: number, b: number, c: number, d: number): void {
    const now = this.scheduler.now;
    if (kind === EV_MSG) return this.onMessage(now, a, b, c, d);
    if (kind === EV_TICK) return this.onTick(now, a);
    if (kind === EV_LOOKUP) return this.onLookupTimer(now, a, b);
    if (this.gen[a] !== b) return void this.stats.staleEvents++;
    if (kind === EV_SYN) return this.onSyn(now, a);
    if (kind === EV_SYNACK) return this.onSynAck(now, a);
    if (kind === EV_FIN) return this.onFin(a, c);
  }

  /** Broken invariants of the tables (empty when consistent): each open side sits in its node's row once, and only there. */
  checkInvariants(): string[] {
    const bad: string[] = [];
    const sides = new Int32Array(this.n);
    let live = 0;
    for (let c = 0; c < this.cap; c++) {
      const d = this.st[2 * c] !== S_CLOSED;
      const a = this.st[2 * c + 1] !== S_CLOSED;
      if (!d && !a) continue;
      live++;
      if (d) {
        sides[this.dialer[c]]++;
        if (this.rows.get(this.dialer[c], this.acceptor[c]) !== c) bad.push(`conn ${c}: dialer ${this.dialer[c]}'s row misses it`);
      }
      if (a) {
        sides[this.acceptor[c]]++;
        if (this.rows.get(this.acceptor[c], this.dialer[c]) !== c) bad.push(`conn ${c}: acceptor ${this.acceptor[c]}'s row misses it`);
      }
    }
    if (live !== this.live) bad.push(`live ${this.live}, counted ${live}`);
    for (let u = 0; u < this.n; u++) if (sides[u] !== this.rows.count[u]) bad.push(`node ${u}: row count ${this.rows.count[u]}, open sides ${sides[u]}`);
    return bad;
  }

  // ---- lookups ----

  private onLookupTimer(now: number, u: number, first: number): void {
    const mean = 1e6 / this.p.lookupsPerPeerPerS;
    this.scheduler.schedule(now + 1 + Math.floor(this.rng.exponential(mean)), EV_LOOKUP, u, 0, 0, 0);
    if (this.lookupTarget[u] >= 0) return; // one lookup at a time per node
    const target = first === 1 ? u : this.rng.int(this.n);
    const got = this.rt.closest(u, target, this.scratch, 0);
    if (got === 0) return;
    this.lookupTarget[u] = target;
    this.lookupSteps[u] = 0;
    this.lookupLast[u] = this.scratch[0];
    this.query(now, u, this.scratch[0], target);
  }

  private query(now: number, u: number, q: number, target: number): void {
    this.lookupSteps[u]++;
    const c = this.rows.get(u, q);
    if (c < 0) return this.dial(now, u, q, target);
    const s = this.dialer[c] === u ? 2 * c : 2 * c + 1;
    if (this.st[s] === S_UP) return this.sendFind(now, c, s, target);
    if (this.pendingTarget[c] >= 0) return this.endLookup(u, false);
    this.pendingTarget[c] = target;
  }

  private sendFind(now: number, c: number, s: number, target: number): void {
    this.inFlight[c]++;
    this.lastUseUs[c] = now;
    this.send(now, c, s, M_FIND, target);
  }

  private onNodes(now: number, c: number, s: number, block: number): void {
    const u = s === 2 * c ? this.dialer[c] : this.acceptor[c];
    if (this.inFlight[c] > 0) this.inFlight[c]--;
    this.lastUseUs[c] = now;
    const k = this.p.k;
    const len = this.blocks.len[block];
    const data = this.blocks.data;
    const target = this.lookupTarget[u];
    const last = this.lookupLast[u];
    // Next: the nearest answer no farther than the last one asked (the shortlist's head, α = 1).
    let next = -1;
    for (let i = 0; i < len; i++) {
      const x = data[block * k + i];
      if (x === u) continue;
      this.rt.touch(u, x);
      if (next < 0 && target >= 0 && x !== last && this.rt.bucketOf(target, x) <= this.rt.bucketOf(target, last)) next = x;
    }
    this.blocks.release(block);
    if (target < 0) return;
    if (next < 0 || this.lookupSteps[u] >= this.p.maxLookupSteps) return this.endLookup(u, true);
    this.lookupLast[u] = next;
    this.query(now, u, next, target);
  }

  private endLookup(u: number, done: boolean): void {
    if (this.lookupTarget[u] < 0) return;
    this.lookupTarget[u] = -1;
    if (done) this.stats.lookups++;
    else this.stats.lookupsAbandoned++;
  }

  // ---- connections ----

  private dial(now: number, u: number, q: number, target: number): void {
    if (this.outbound[u] >= this.p.maxOutbound && !this.evictIdle(now, u)) return this.endLookup(u, false);
    if (this.rows.count[u] >= this.p.maxConns) return this.endLookup(u, false);
    if (this.freeTop === 0) throw new ConnKernelCapacityError('conns', this.cap);
    const c = this.freeConns[--this.freeTop];
    this.gen[c] = (this.gen[c] + 1) | 0;
    this.dialer[c] = u;
    this.acceptor[c] = q;
    this.st[2 * c] = S_DIALING;
    this.st[2 * c + 1] = S_CLOSED;
    this.openedUs[c] = now;
    this.inFlight[c] = 0;
    this.lastUseUs[c] = now;
    this.pendingTarget[c] = target;
    this.rttUs[c] = 0;
    this.rows.add(u, q, c);
    this.outbound[u]++;
    this.stats.dials++;
    if (++this.live > this.stats.connsPeak) this.stats.connsPeak = this.live;
    this.scheduler.schedule(now + this.latencyUs(u, q), EV_SYN, c, this.gen[c], 0, 0);
  }

  private onSyn(now: number, c: number): void {
    const u = this.dialer[c];
    const v = this.acceptor[c];
    if (this.rows.count[v] >= this.p.maxConns || this.rows.get(v, u) >= 0) {
      this.stats.refused++;
      return void this.scheduler.schedule(now + this.latencyUs(v, u), EV_FIN, c, this.gen[c], FIN_REFUSED, 0);
    }
    this.rows.add(v, u, c);
    this.openSide(now, 2 * c + 1, S_HANDSHAKE);
    this.scheduler.schedule(now + this.latencyUs(v, u), EV_SYNACK, c, this.gen[c], 0, 0);
  }

  private onSynAck(now: number, c: number): void {
    if (this.st[2 * c] !== S_DIALING) return;
    this.openSide(now, 2 * c, S_HANDSHAKE);
    this.sendVersion(now, c, 2 * c);
  }

  private openSide(now: number, s: number, state: number): void {
    this.st[s] = state;
    this.lastRecvUs[s] = now;
    this.tokens[s] = BUCKET_CAPACITY;
    this.fillUs[s] = now;
    this.pingNonce[s] = -1;
    this.pingSentUs[s] = now;
  }

  private sendVersion(now: number, c: number, s: number): void {
    const nonce = this.rng.uint32() | 0;
    this.nonce[s] = nonce;
    const self = s === 2 * c ? this.dialer[c] : this.acceptor[c];
    this.send(now, c, s, M_VERSION, this.sign(self, nonce) >>> 4);
  }

  /** A model signature: a mix of the signer's id words and the nonce (stands for the real signer's transcript hash). */
  private sign(signer: number, nonce: number): number {
    let h = nonce ^ 0x9e3779b1;
    const ids = this.rt.ids;
    for (let w = 0; w < ID_WORDS; w++) h = Math.imul((h << 5) | (h >>> 27), 0x85ebca77) ^ ids[signer * ID_WORDS + w];
    return h;
  }

  // ---- messages ----

  private send(now: number, c: number, s: number, type: number, arg: number): void {
    const from = s === 2 * c ? this.dialer[c] : this.acceptor[c];
    const to = s === 2 * c ? this.acceptor[c] : this.dialer[c];
    this.stats.messages++;
    this.stats.byType[type]++;
    this.scheduler.schedule(now + this.latencyUs(from, to), EV_MSG, c, this.gen[c], s ^ 1, type | (arg << 3));
  }

  private onMessage(now: number, c: number, g: number, s: number, d: number): void {
    const type = d & 7;
    const arg = d >>> 3;
    if (this.gen[c] !== g || this.st[s] === S_CLOSED || this.st[s] === S_DIALING) return this.drop(type, arg);
    const t = now - this.fillUs[s];
    const tok = Math.min(BUCKET_CAPACITY, this.tokens[s] + t * BUCKET_REFILL_PER_US);
    this.fillUs[s] = now;
    if (tok < 1) {
      this.stats.rateLimited++;
      return this.drop(type, arg);
    }
    this.tokens[s] = tok - 1;
    this.lastRecvUs[s] = now;
    if (type === M_NODES) return this.onNodes(now, c, s, arg);
    if (type === M_FIND) return this.onFind(now, c, s, arg);
    if (type === M_PING) return this.send(now, c, s, M_PONG, arg);
    if (type === M_PONG) return this.onPong(now, c, s, arg);
    if (type === M_VERSION) return this.onVersion(now, c, s, arg);
    if (type === M_VERACK) return this.onVerack(now, c, s);
    if (type === M_DISCONNECT) return this.closeSide(c, s);
  }

  /** A message nobody reads: a KadNodes answer gives its block back. */
  private drop(type: number, arg: number): void {
    this.stats.staleEvents++;
    if (type === M_NODES) this.blocks.release(arg);
  }

  private onVersion(now: number, c: number, s: number, tag: number): void {
    const other = s ^ 1;
    const signer = other === 2 * c ? this.dialer[c] : this.acceptor[c];
    if (this.sign(signer, this.nonce[other]) >>> 4 !== tag) {
      this.stats.badSignatures++;
      return this.close(now, c, s);
    }
    if (s === 2 * c + 1) this.sendVersion(now, c, s);
    this.send(now, c, s, M_VERACK, 0);
  }

  private onVerack(now: number, c: number, s: number): void {
    if (this.st[s] !== S_HANDSHAKE) return;
    this.st[s] = S_UP;
    this.stats.established++;
    const self = s === 2 * c ? this.dialer[c] : this.acceptor[c];
    const remote = s === 2 * c ? this.acceptor[c] : this.dialer[c];
    this.rt.touch(self, remote);
    if (s !== 2 * c) return;
    this.ping(now, c, s);
    const target = this.pendingTarget[c];
    if (target >= 0) {
      this.pendingTarget[c] = -1;
      this.sendFind(now, c, s, target);
    }
  }

  private ping(now: number, c: number, s: number): void {
    const nonce = this.rng.uint32() >>> 4;
    this.pingNonce[s] = nonce;
    this.pingSentUs[s] = now;
    this.send(now, c, s, M_PING, nonce);
  }

  private onPong(now: number, c: number, s: number, nonce: number): void {
    if (nonce !== this.pingNonce[s]) return;
    this.pingNonce[s] = -1;
    this.rttUs[c] = now - this.pingSentUs[s];
  }

  private onFind(now: number, c: number, s: number, target: number): void {
    this.lastUseUs[c] = now;
    const self = s === 2 * c ? this.dialer[c] : this.acceptor[c];
    const block = this.blocks.alloc();
    const k = this.p.k;
    this.blocks.len[block] = this.rt.closest(self, target, this.blocks.data, block * k);
    this.send(now, c, s, M_NODES, block);
  }

  /** Side s closes: tells the other side, then its FIN follows. */
  private close(now: number, c: number, s: number): void {
    if (this.st[s] === S_CLOSED) return;
    if (this.st[s ^ 1] !== S_CLOSED) this.send(now, c, s, M_DISCONNECT, 0);
    const from = s === 2 * c ? this.dialer[c] : this.acceptor[c];
    const to = s === 2 * c ? this.acceptor[c] : this.dialer[c];
    const g = this.gen[c];
    this.closeSide(c, s);
    this.scheduler.schedule(now + this.latencyUs(from, to) + 1, EV_FIN, c, g, (s ^ 1) & 1, 0);
  }

  /** `to`: 0 the dialer, 1 the acceptor, FIN_REFUSED the dialer of a refused dial. */
  private onFin(c: number, to: number): void {
    if (to === FIN_REFUSED) {
      if (this.st[2 * c] === S_DIALING) this.closeSide(c, 2 * c);
      return;
    }
    this.closeSide(c, 2 * c + to);
  }

  private closeSide(c: number, s: number): void {
    if (this.st[s] === S_CLOSED) return;
    const dialerSide = s === 2 * c;
    const self = dialerSide ? this.dialer[c] : this.acceptor[c];
    const remote = dialerSide ? this.acceptor[c] : this.dialer[c];
    this.st[s] = S_CLOSED;
    this.rows.remove(self, remote);
    if (dialerSide) {
      this.outbound[self]--;
      if ((this.inFlight[c] > 0 || this.pendingTarget[c] >= 0) && this.lookupLast[self] === remote) this.endLookup(self, false);
    }
    if (this.st[s ^ 1] === S_CLOSED) this.freeConn(c);
  }

  private freeConn(c: number): void {
    this.gen[c] = (this.gen[c] + 1) | 0; // late events of this row no longer match
    this.freeConns[this.freeTop++] = c;
    this.live--;
  }

  // ---- maintenance ----

  /** Closes u's least recently used idle outbound connection; false when none is idle. */
  private evictIdle(now: number, u: number): boolean {
    const w = this.rows.width;
    let best = -1;
    for (let i = 0; i < w; i++) {
      const c = this.rows.cells[u * w + i];
      if (c < 0 || this.dialer[c] !== u || this.st[2 * c] !== S_UP || this.inFlight[c] !== 0) continue;
      if (best < 0 || this.lastUseUs[c] < this.lastUseUs[best]) best = c;
    }
    if (best < 0) return false;
    this.stats.closedEvicted++;
    this.close(now, best, 2 * best);
    return true;
  }

  private onTick(now: number, u: number): void {
    this.scheduler.schedule(now + TICK_US, EV_TICK, u, 0, 0, 0);
    const w = this.rows.width;
    const cells = this.rows.cells;
    // Closing shifts cells back, so the walk goes over a snapshot of the row.
    let n = 0;
    const snap = this.tickScratch;
    for (let i = 0; i < w; i++) if (cells[u * w + i] >= 0) snap[n++] = cells[u * w + i];
    for (let i = 0; i < n; i++) this.check(now, snap[i], this.dialer[snap[i]] === u ? 2 * snap[i] : 2 * snap[i] + 1);
  }

  private readonly tickScratch = new Int32Array(128);

  private check(now: number, c: number, s: number): void {
    const state = this.st[s];
    if (state === S_HANDSHAKE && now - this.openedUs[c] >= HANDSHAKE_TIMEOUT_US) {
      this.stats.closedTimeout++;
      return this.close(now, c, s);
    }
    if (state !== S_UP) return;
    if (now - this.lastRecvUs[s] >= STALE_US) {
      this.stats.closedStale++;
      return this.close(now, c, s);
    }
    if (s !== 2 * c) {
      // An inbound lookup connection closes once idle (the Kademlia app's RPC room).
      if (now - this.lastUseUs[c] >= RPC_IDLE_US) {
        this.stats.closedIdle++;
        this.close(now, c, s);
      }
      return;
    }
    if (this.inFlight[c] > 0 && now - this.lastUseUs[c] >= REQUEST_TIMEOUT_US) {
      this.stats.requestTimeouts++;
      this.inFlight[c] = 0;
      if (this.lookupLast[this.dialer[c]] === this.acceptor[c]) this.endLookup(this.dialer[c], false);
    }
    if (this.inFlight[c] === 0 && now - this.lastUseUs[c] >= IDLE_US) {
      this.stats.closedIdle++;
      return this.close(now, c, s);
    }
    if (this.pingNonce[s] < 0 && now - this.pingSentUs[s] >= PING_INTERVAL_US) this.ping(now, c, s);
  }

  /** Per-pair base latency (a hash of the pair, 20–150 ms) plus jitter (< 5 ms) from the kernel's stream. */
  private latencyUs(a: number, b: number): number {
    const lo = a < b ? a : b;
    const hi = a < b ? b : a;
    let h = Math.imul(lo ^ 0x27d4eb2d, 0x9e3779b1) ^ hi;
    h = Math.imul(h ^ (h >>> 15), 0x85ebca77);
    h ^= h >>> 13;
    return LATENCY_MIN_US + ((h >>> 0) % LATENCY_SPAN_US) + this.rng.int(JITTER_US);
  }
}
