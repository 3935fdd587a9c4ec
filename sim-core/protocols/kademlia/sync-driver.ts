import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { KadId, KadIdTable } from './ids.ts';
import type { Lookup, LookupReport } from './lookup.ts';
import type { RoutingTable } from './routing-table.ts';

/**
 * An in-memory, synchronous driver for lookups: no simulator, no sockets.
 * Requests are answered instantly by the callee's routing table and the
 * answers delivered in (time, send order) after a round-trip time, so the
 * reported duration and rounds mean what they would on a real network with
 * those RTTs. For tests, benches, and building static networks by joins.
 */
export interface LookupEnvironment {
  /** `to` gets FIND_NODE(target) from `from`: its answer, or undefined if it never answers. */
  answer(to: PeerNum, from: PeerNum, target: KadId, now: TimeUs): readonly PeerNum[] | undefined;
  /** Round-trip time between two peers, integer µs > 0. */
  rttUs(from: PeerNum, to: PeerNum): TimeUs;
  onAnswer?(from: PeerNum, to: PeerNum, now: TimeUs): void;
  onFailure?(from: PeerNum, to: PeerNum, now: TimeUs): void;
}

interface Pending {
  at: TimeUs;
  seq: number;
  to: PeerNum;
  nodes: readonly PeerNum[] | undefined;
}

/** Runs `lookup` to completion from `startUs`; returns its report. */
export function runLookupSync(lookup: Lookup, env: LookupEnvironment, startUs: TimeUs): LookupReport {
  const self = lookup.initiator;
  const queue: Pending[] = []; // sorted by (at, seq); one entry per request, so ≤ maxLookupQueries
  let seq = 0;
  const post = (now: TimeUs, sends: ReturnType<Lookup['start']>): void => {
    for (const s of sends) {
      const rtt = env.rttUs(self, s.to);
      const answered = env.answer(s.to, self, lookup.target, now + Math.floor(rtt / 2));
      const late = answered === undefined || now + rtt > s.deadlineUs; // the timer fires first
      const at = late ? s.deadlineUs : now + rtt;
      const p: Pending = { at, seq: seq++, to: s.to, nodes: late ? undefined : answered };
      let i = queue.length;
      while (i > 0 && queue[i - 1].at > at) i--;
      queue.splice(i, 0, p);
    }
  };
  post(startUs, lookup.start(startUs));
  let now = startUs;
  while (queue.length > 0 && !lookup.done) {
    const ev = queue.shift()!;
    now = ev.at;
    if (ev.nodes === undefined) {
      env.onFailure?.(self, ev.to, now);
      post(now, lookup.onFailure(now, ev.to));
    } else {
      env.onAnswer?.(self, ev.to, now);
      post(now, lookup.onResponse(now, ev.to, ev.nodes));
    }
  }
  return lookup.report();
}

/**
 * `table.observe` with pings resolved on the spot by `alive` (in the
 * synchronous world a ping answers instantly). Bounded: one ping per call.
 */
export function observeResolved(table: RoutingTable, now: TimeUs, peer: PeerNum, alive: (p: PeerNum) => boolean): void {
  const r = table.observe(now, peer);
  if (r.kind === 'ping') table.pingResult(now, r.peer, alive(r.peer));
}

export interface SyncNetworkOptions {
  /** Constant RTT (default 100 ms). */
  rttUs?: TimeUs;
  /** Peers that answer (default all). */
  alive?: (peer: PeerNum) => boolean;
  /** Callees observe the caller and callers observe answerers, as Kademlia does (default true). */
  learn?: boolean;
}

/** A network of routing tables indexed by PeerNum, answering FIND_NODE with `closest(target, k)`. */
export class SyncNetwork implements LookupEnvironment {
  readonly tables: (RoutingTable | undefined)[] = [];
  private readonly rtt: TimeUs;
  private readonly alive: (peer: PeerNum) => boolean;
  private readonly learn: boolean;

  constructor(
    readonly ids: KadIdTable,
    opts: SyncNetworkOptions = {},
  ) {
    this.rtt = opts.rttUs ?? 100_000;
    this.alive = opts.alive ?? (() => true);
    this.learn = opts.learn ?? true;
  }

  answer(to: PeerNum, from: PeerNum, target: KadId, now: TimeUs): readonly PeerNum[] | undefined {
    const t = this.tables[to];
    if (t === undefined || !this.alive(to)) return undefined;
    if (this.learn) observeResolved(t, now, from, this.alive);
    return t.closest(target, t.config.k, from);
  }

  rttUs(): TimeUs {
    return this.rtt;
  }

  onAnswer(from: PeerNum, to: PeerNum, now: TimeUs): void {
    const t = this.tables[from];
    if (this.learn && t !== undefined) observeResolved(t, now, to, this.alive);
  }

  onFailure(from: PeerNum, to: PeerNum): void {
    const t = this.tables[from];
    if (this.learn && t !== undefined) t.remove(to);
  }
}
