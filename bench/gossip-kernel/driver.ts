import { EventQueue } from '../../sim-core/engine/event-queue.ts';
import { Rng } from '../../sim-core/engine/rng.ts';
import { F_CONNECT, F_OUT } from '../../sim-core/protocols/globalmap/record.ts';
import { SlotStack } from './slot-stack.ts';
import type { Graph } from './graph.ts';
import type { GossipModel, Net } from './model.ts';

export interface Workload {
  durationS: number;
  /** Peers start (announce all their links) at uniform times in [0, joinS). */
  joinS: number;
  /** Then each re-announces all its links every refreshS (first after refreshS + U(0, refreshS), as the app does). */
  refreshS: number;
  /** Link flaps per peer per hour: a disconnect event, then a connect reconnectS later. */
  flapsPerPeerHour: number;
  reconnectS: number;
  flushS: number;
  seed: string;
  /** Engine events pending at once. */
  maxPending: number;
}

const K_DELIVER = 0;
const K_FLUSH = 1;
const K_JOIN = 2;
const K_REFRESH = 3;
const K_FLAP = 4;
const K_RECONNECT = 5;

/**
 * A stand-alone discrete-event loop for the gossip alone: a fixed overlay,
 * a per-link delay, flush timers and a link-event workload. Engine events
 * are slots in typed columns, ordered by the simulator's EventQueue. Times
 * in µs; originations at joins and refreshes fall on even µs and flaps on
 * odd µs, so no origin ever announces the same (peer, flags, time) twice.
 */
export class Driver implements Net {
  readonly queue: EventQueue;
  private readonly kind: Uint8Array;
  private readonly a: Int32Array;
  private readonly b: Int32Array;
  private readonly c: Int32Array;
  private readonly free: SlotStack;
  private readonly armed: Uint8Array;
  private readonly rngs: Rng[];
  private now = 0;
  model!: GossipModel;
  engineEvents = 0;

  constructor(
    private readonly g: Graph,
    private readonly w: Workload,
  ) {
    const cap = w.maxPending;
    this.queue = new EventQueue(Math.min(cap, 1 << 16), cap);
    this.kind = new Uint8Array(cap);
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.c = new Int32Array(cap);
    this.free = new SlotStack(cap, 'maxPending');
    this.armed = new Uint8Array(g.n);
    this.rngs = Array.from({ length: g.n }, (_, p) => new Rng(`${w.seed}/peer/${p}/workload`));
  }

  /** Schedules every peer's join, then runs until durationS. */
  run(model: GossipModel): void {
    this.model = model;
    for (let p = 0; p < this.g.n; p++) this.at(2 * Math.floor(this.rngs[p].next() * this.w.joinS * 5e5), K_JOIN, p, 0, 0);
    const end = this.w.durationS * 1e6;
    const q = this.queue;
    while (q.length > 0 && q.peekTimeUnchecked() <= end) {
      this.now = q.peekTimeUnchecked();
      const s = q.pop();
      const k = this.kind[s];
      const a = this.a[s];
      const b = this.b[s];
      const c = this.c[s];
      this.free.give(s);
      this.engineEvents++;
      if (k === K_DELIVER) model.deliver(this.now, a, b, c);
      else if (k === K_FLUSH) {
        this.armed[a] = 0;
        model.flush(a);
      } else this.workload(k, a, b);
    }
  }

  send(p: number, j: number, handle: number): void {
    const e = this.g.off[p] + j;
    this.at(this.now + this.g.delayUs[e], K_DELIVER, this.g.adj[e], this.g.rev[e], handle);
  }

  arm(p: number): void {
    if (this.armed[p]) return;
    this.armed[p] = 1;
    this.at(this.now + this.w.flushS * 1e6, K_FLUSH, p, 0, 0);
  }

  private workload(k: number, p: number, j: number): void {
    const { off, adj } = this.g;
    const deg = off[p + 1] - off[p];
    const rng = this.rngs[p];
    const R = this.w.refreshS * 1e6;
    if (k === K_JOIN || k === K_REFRESH) {
      for (let i = 0; i < deg; i++) this.model.originate(this.now, p, adj[off[p] + i], F_CONNECT | dir(p, adj[off[p] + i]));
      this.at(this.now + (k === K_JOIN ? R + 2 * Math.floor(rng.next() * R * 0.5) : R), K_REFRESH, p, 0, 0);
      if (k === K_JOIN && this.w.flapsPerPeerHour > 0) this.nextFlap(p, rng);
    } else if (k === K_FLAP) {
      if (deg > 0) {
        const i = rng.int(deg);
        this.model.originate(this.now, p, adj[off[p] + i], dir(p, adj[off[p] + i]));
        this.at(this.now + this.w.reconnectS * 1e6, K_RECONNECT, p, i, 0);
      }
      this.nextFlap(p, rng);
    } else if (k === K_RECONNECT) {
      this.model.originate(this.now, p, adj[off[p] + j], F_CONNECT | dir(p, adj[off[p] + j]));
    }
  }

  private nextFlap(p: number, rng: Rng): void {
    const gap = rng.exponential(3600e6 / this.w.flapsPerPeerHour);
    this.at(this.now + 2 * Math.floor(gap / 2) + 1 - (this.now % 2), K_FLAP, p, 0, 0);
  }

  private at(t: number, kind: number, a: number, b: number, c: number): void {
    const s = this.free.take();
    this.kind[s] = kind;
    this.a[s] = a;
    this.b[s] = b;
    this.c[s] = c;
    this.queue.push(t, s);
  }
}

/** The dialling side of a link is its lower-numbered peer. */
function dir(p: number, q: number): number {
  return p < q ? F_OUT : 0;
}
