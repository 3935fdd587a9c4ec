import { F_CONNECT, newer } from '../../sim-core/protocols/globalmap/record.ts';
import { eventKey } from '../../sim-core/protocols/globalmap/event-table.ts';
import { SeenCache } from './seen-cache.ts';
import type { Graph } from './graph.ts';
import { newStats, type GossipModel, type GossipParams, type GossipStats, type Net } from './model.ts';

interface Ev {
  origin: number;
  peer: number;
  flags: number;
  ts: number;
  ttl: number;
}

interface Register {
  flags: number;
  ts: number;
}

interface Peer {
  /** exact: every event key ever seen; windowed: today's SeenCache (30 s window, 2048 hashes). */
  seen: Set<string> | SeenCache;
  map: Map<number, Map<number, Register>>;
  outbox: Ev[];
  excluded: (number | number[])[];
  index: Map<string, number>;
}

export type Dedupe = 'exact' | 'windowed';

/**
 * The same gossip written the plain way, as the simulator does it today:
 * event objects cloned at every hop, a string key per receipt, a Set (or
 * the windowed SeenCache) for dedupe, Maps for the map and the outbox
 * index. The kernel must reproduce its counts and maps exactly (with exact
 * dedupe); the windowed mode shows how far today's cache is from exact.
 */
export class ReferenceModel implements GossipModel {
  readonly stats: GossipStats = newStats();
  private readonly peers: Peer[];
  private readonly inFlight = new Map<number, Ev[]>();
  private nextHandle = 0;

  constructor(
    private readonly g: Graph,
    private readonly net: Net,
    private readonly params: GossipParams,
    dedupe: Dedupe = 'exact',
    /** Hashes the windowed cache holds (today's default 2048). */
    windowCapacity = 2048,
  ) {
    this.peers = Array.from({ length: g.n }, () => ({
      seen: dedupe === 'exact' ? new Set<string>() : new SeenCache(30e6, windowCapacity),
      map: new Map(),
      outbox: [],
      excluded: [],
      index: new Map(),
    }));
  }

  originate(now: number, origin: number, peer: number, flags: number): void {
    const e: Ev = { origin, peer, flags, ts: now, ttl: this.params.ttl };
    this.checkAndAdd(this.peers[origin], e, now);
    this.apply(origin, e);
    this.stats.originated++;
    this.add(origin, e, -1);
  }

  deliver(now: number, p: number, j: number, handle: number): void {
    const events = this.inFlight.get(handle)!;
    this.inFlight.delete(handle);
    const from = this.g.adj[this.g.off[p] + j];
    const me = this.peers[p];
    this.stats.receipts += events.length;
    for (const e of events) {
      const k = key(e);
      const i = me.index.get(k);
      if (i !== undefined) this.exclude(me, i, from);
      if (e.origin === p || this.checkAndAdd(me, e, now)) {
        this.stats.duplicates++;
        continue;
      }
      const r = this.apply(p, e);
      if (r === 'stale') this.stats.stale++;
      else if (r === 'excessive') this.stats.excessive++;
      else {
        this.stats.applied++;
        if (e.ttl > 1) this.add(p, { ...e, ttl: e.ttl - 1 }, from);
      }
    }
  }

  flush(p: number): void {
    const me = this.peers[p];
    if (me.outbox.length === 0) return;
    const events = me.outbox;
    const excluded = me.excluded;
    me.outbox = [];
    me.excluded = [];
    me.index.clear();
    const { off, adj } = this.g;
    for (let j = 0; j < off[p + 1] - off[p]; j++) {
      const n = adj[off[p] + j];
      const batch: Ev[] = [];
      for (let i = 0; i < events.length; i++) {
        const x = excluded[i];
        if (x === n || (typeof x !== 'number' && x.includes(n))) continue;
        batch.push(events[i]);
      }
      if (batch.length === 0) continue;
      const h = this.nextHandle++;
      this.inFlight.set(h, batch);
      this.stats.messages++;
      this.stats.forwarded += batch.length;
      this.net.send(p, j, h);
    }
  }

  entries(p: number, origin: number): [number, number, number][] {
    const rec = this.peers[p].map.get(origin);
    if (!rec) return [];
    return [...rec].sort((a, b) => a[0] - b[0]).map(([peer, r]) => [peer, r.flags, r.ts]);
  }

  private checkAndAdd(me: Peer, e: Ev, now: number): boolean {
    if (me.seen instanceof SeenCache) return me.seen.checkAndAdd(eventKey(e.origin, e.peer, e.flags, e.ts), now);
    const k = key(e);
    if (me.seen.has(k)) return true;
    me.seen.add(k);
    return false;
  }

  private apply(p: number, e: Ev): 'applied' | 'stale' | 'excessive' {
    const map = this.peers[p].map;
    let rec = map.get(e.origin);
    const old = rec?.get(e.peer);
    if (old && !newer(e.ts, e.flags, old.ts, old.flags)) return 'stale';
    let connects = 0;
    if (rec) for (const r of rec.values()) connects += r.flags & F_CONNECT;
    const delta = (e.flags & F_CONNECT) - (old ? old.flags & F_CONNECT : 0);
    if (connects + delta > this.params.maxClaims) return 'excessive';
    if (!rec) map.set(e.origin, (rec = new Map()));
    rec.set(e.peer, { flags: e.flags, ts: e.ts });
    return 'applied';
  }

  private add(p: number, e: Ev, except: number): void {
    const me = this.peers[p];
    me.index.set(key(e), me.outbox.length);
    me.outbox.push(e);
    me.excluded.push(except);
    if (me.outbox.length >= this.params.batchSize) this.flush(p);
    else this.net.arm(p);
  }

  private exclude(me: Peer, i: number, peer: number): void {
    const x = me.excluded[i];
    if (x === peer || (Array.isArray(x) && x.includes(peer))) return;
    me.excluded[i] = Array.isArray(x) ? (x.push(peer), x) : x === -1 ? peer : [x, peer];
    this.stats.suppressed++;
  }
}

function key(e: Ev): string {
  return `${e.origin},${e.peer},${e.flags},${e.ts}`;
}
