import { EventTable } from './event-table.ts';
import { KernelRangeError } from './errors.ts';
import type { Graph } from './graph.ts';
import { MessageArena } from './message-arena.ts';
import { newStats, type GossipModel, type GossipParams, type GossipStats, type Net } from './model.ts';
import { APPLIED, STALE, VersionStore } from './version-store.ts';

export interface KernelCapacities {
  /** Live events at once (slots of the event table). */
  events: number;
  /** Map versions alive at once. */
  versions: number;
  /** Event ids in flight at once (arena slots) and messages in flight at once. */
  arenaSlots: number;
  messages: number;
}

/**
 * The global map's gossip on dense ids: events are interned at origination,
 * dedupe is one bit per (event, peer), the maps are shared typed-array
 * versions, each peer's outbox is a fixed row of (id, ttl, exclusion mask)
 * and a flush writes each neighbour's ids into the shared message arena.
 * No object is allocated per event, receipt or message.
 */
export class GossipKernel implements GossipModel {
  readonly stats: GossipStats = newStats();
  readonly ev: EventTable;
  readonly store: VersionStore;
  readonly arena: MessageArena;
  /** Outbox of p: rows p * batchSize .. + obLen[p]. The mask has bit j set when neighbour j must not get the event. */
  private readonly obId: Int32Array;
  private readonly obTtl: Uint8Array;
  private readonly obMask: Int32Array;
  private readonly obLen: Int32Array;
  /** Per peer, 64 buckets by the id's low bits: 1 + outbox row of the id last queued there (checked against obId; a miss falls back to a scan). */
  private readonly obPos: Uint8Array;
  private readonly B: number;

  constructor(
    private readonly g: Graph,
    private readonly net: Net,
    private readonly params: GossipParams,
    caps: KernelCapacities,
  ) {
    for (let p = 0; p < g.n; p++) {
      if (g.off[p + 1] - g.off[p] > 32) throw new KernelRangeError('degree', `peer ${p} has ${g.off[p + 1] - g.off[p]} neighbours; exclusion masks hold 32`);
    }
    if (!(params.ttl >= 1 && params.ttl <= 255)) throw new KernelRangeError('ttl', `${params.ttl} is not in 1..255`);
    this.B = params.batchSize;
    this.ev = new EventTable(g.n, caps.events);
    this.store = new VersionStore(g.n, caps.versions, params.maxEntries, params.maxClaims);
    this.arena = new MessageArena(caps.arenaSlots, caps.messages);
    this.obId = new Int32Array(g.n * this.B);
    this.obTtl = new Uint8Array(g.n * this.B);
    this.obMask = new Int32Array(g.n * this.B);
    this.obLen = new Int32Array(g.n);
    this.obPos = new Uint8Array(g.n * 64);
    if (this.B > 255) throw new KernelRangeError('batchSize', `${this.B} is above 255 (outbox positions are bytes)`);
  }

  originate(now: number, origin: number, peer: number, flags: number): void {
    const ev = this.ev;
    const id = ev.intern(origin, peer, flags, now);
    this.store.apply(origin, origin, peer, flags, now, ev.serial[id]);
    this.stats.originated++;
    this.enqueue(origin, id, this.params.ttl, 0);
  }

  deliver(_now: number, p: number, j: number, m: number): void {
    const ev = this.ev;
    const arena = this.arena;
    const ids = arena.ids;
    const seen = ev.seen;
    const pending = ev.pending;
    const W = ev.words;
    const pw = p >>> 5;
    const pb = 1 << (p & 31);
    const start = arena.off[m];
    const end = start + arena.len[m];
    const st = this.stats;
    st.receipts += end - start;
    // Each id's reference is dropped as soon as it is handled (a forward has taken its own first).
    for (let k = start; k < end; k++) {
      const id = ids[k];
      const w = id * W + pw;
      if ((pending[w] & pb) !== 0) this.exclude(p, id, j);
      const s = seen[w];
      if ((s & pb) !== 0) {
        st.duplicates++;
        ev.release(id);
        continue;
      }
      seen[w] = s | pb;
      const r = this.store.apply(p, ev.origin[id], ev.peer[id], ev.flags[id], ev.ts[id], ev.serial[id]);
      if (r === APPLIED) {
        st.applied++;
        const ttl = arena.ttls[k];
        if (ttl > 1) this.enqueue(p, id, ttl - 1, 1 << j);
      } else if (r === STALE) st.stale++;
      else st.excessive++;
      ev.release(id);
    }
    arena.free(m);
  }

  flush(p: number): void {
    const n = this.obLen[p];
    if (n === 0) return;
    this.obLen[p] = 0;
    const ev = this.ev;
    const arena = this.arena;
    const base = p * this.B;
    const deg = this.g.off[p + 1] - this.g.off[p];
    const st = this.stats;
    for (let j = 0; j < deg; j++) {
      const bit = 1 << j;
      const m = arena.alloc(n);
      const first = arena.off[m];
      let at = first;
      for (let i = base; i < base + n; i++) {
        if ((this.obMask[i] & bit) !== 0) continue;
        const id = this.obId[i];
        arena.ids[at] = id;
        arena.ttls[at++] = this.obTtl[i];
      }
      const count = at - first;
      arena.shrinkLast(m, count);
      if (count === 0) {
        arena.free(m);
        continue;
      }
      st.messages++;
      st.forwarded += count;
      this.net.send(p, j, m);
    }
    // Each entry: one reference per copy sent (counted from its mask), minus the outbox's own.
    const W = ev.words;
    const pw = p >>> 5;
    const clear = ~(1 << (p & 31));
    const all = deg === 32 ? -1 : (1 << deg) - 1;
    for (let i = base; i < base + n; i++) {
      const id = this.obId[i];
      ev.pending[id * W + pw] &= clear;
      const refs = ev.refs[id] + deg - popcount(this.obMask[i] & all) - 1;
      ev.refs[id] = refs;
      if (refs === 0) ev.recycle(id);
    }
  }

  entries(p: number, origin: number): [number, number, number][] {
    return this.store.entries(p, origin);
  }

  /** Bytes of all typed arrays the kernel holds. */
  get bytes(): number {
    return this.ev.bytes + this.store.bytes + this.arena.bytes + this.g.n * (this.B * 9 + 4);
  }

  private enqueue(p: number, id: number, ttl: number, mask: number): void {
    const n = this.obLen[p];
    const i = p * this.B + n;
    this.obId[i] = id;
    this.obTtl[i] = ttl;
    this.obMask[i] = mask;
    this.obLen[p] = n + 1;
    this.obPos[(p << 6) | (id & 63)] = n + 1;
    const ev = this.ev;
    ev.refs[id]++;
    ev.pending[id * ev.words + (p >>> 5)] |= 1 << (p & 31);
    if (n + 1 >= this.B) this.flush(p);
    else this.net.arm(p);
  }

  /** Neighbour j sent p an event still in p's outbox: j will not get it from p. */
  private exclude(p: number, id: number, j: number): void {
    const base = p * this.B;
    const end = base + this.obLen[p];
    const bit = 1 << j;
    const hint = base + this.obPos[(p << 6) | (id & 63)] - 1;
    if (hint >= base && hint < end && this.obId[hint] === id) {
      if ((this.obMask[hint] & bit) === 0) {
        this.obMask[hint] |= bit;
        this.stats.suppressed++;
      }
      return;
    }
    for (let i = base; i < end; i++) {
      if (this.obId[i] !== id) continue;
      if ((this.obMask[i] & bit) === 0) {
        this.obMask[i] |= bit;
        this.stats.suppressed++;
      }
      return;
    }
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
}
