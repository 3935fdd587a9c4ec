import { STATE_DOWN, STATE_UP, STATE_WAITING, type ReplayDelta, type ReplayKey } from './format.ts';
import type { ReplayData } from './reader.ts';

/** The topology at one instant of a replay: honest peers and their undirected links (DIR_* by link key). */
export interface ReplayState {
  tUs: number;
  /** Index of the next delta to apply, in file order (deltas at one instant may straddle a keyframe). */
  next: number;
  addresses: number[];
  state: number[];
  /** Link key (lo * LINK_KEY_BASE + hi) → DIR_*. */
  links: Map<number, number>;
}

/** Partitions in force: their names, and the side (1 = A, 2 = B) of each host address on one. */
export interface ReplayCut {
  names: string[];
  sides: ReadonlyMap<number, number>;
}

const NO_CUT: ReplayCut = { names: [], sides: new Map() };

/** Link keys pack two peer indices (< 2^21) into one exact double. */
export const LINK_KEY_BASE = 0x200000;

/** A scenario action or a fault on the timeline. */
export interface ReplayMarker {
  tS: number;
  kind: 'action' | 'fault';
  /** e.g. "partition eu-cut" or "outage africa-dark". */
  label: string;
}

/** Index of the last item with tUs ≤ t (-1 if none); items sorted by tUs. */
function lastAtOrBefore(items: readonly { tUs: number }[], t: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid].tUs <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * A validated replay, ready to seek: `at(t)` starts from the last keyframe at
 * or before t and applies the deltas after it, so any time costs at most one
 * keyframe interval of deltas. `advance` moves a state forward (playing).
 */
export class Replay {
  readonly series: Record<string, number>[];
  /** Messages sent per type name in each sample interval, with the time of the sample. */
  readonly messages: { tS: number; byType: Record<string, number> }[] = [];
  readonly markers: ReplayMarker[];
  /** Changes of the partitions in force, in time order (from the deltas that carry one). */
  private readonly cuts: { tUs: number; state: ReplayCut }[] = [];

  constructor(readonly data: ReplayData) {
    for (const d of data.deltas) {
      if (!d.partition) continue;
      const sides = new Map<number, number>();
      for (const h of d.partition.b) sides.set(h, 2);
      for (const h of d.partition.a) sides.set(h, 1); // a host on both counts as A, as in the network
      this.cuts.push({ tUs: d.tUs, state: { names: d.partition.names, sides } });
    }
    this.series = data.deltas.flatMap((d) => d.samples ?? []);
    const names = data.header.typeNames;
    for (const d of data.deltas) {
      if (!d.msgs || !d.samples?.length) continue;
      const byType: Record<string, number> = {};
      for (const [k, n] of Object.entries(d.msgs)) byType[names[k] ?? `type-${k}`] = n;
      this.messages.push({ tS: d.samples[d.samples.length - 1].tS, byType });
    }
    const actions: ReplayMarker[] = data.header.actions.map((a) => ({ tS: a.atS as number, kind: 'action', label: `${String(a.do)}${typeof a.name === 'string' ? ` ${a.name}` : ''}` }));
    const faults: ReplayMarker[] = data.deltas.flatMap((d) => (d.faults ?? []).map((f): ReplayMarker => ({ tS: f.tS, kind: 'fault', label: `${f.event} ${f.name}` })));
    this.markers = [...actions, ...faults].sort((a, b) => a.tS - b.tS);
  }

  /** The partitions in force at `tUs` (as the last capture at or before it saw them). */
  partitionAt(tUs: number): ReplayCut {
    const k = lastAtOrBefore(this.cuts, tUs);
    return k < 0 ? NO_CUT : this.cuts[k].state;
  }

  get startUs(): number {
    return this.data.keys[0].tUs;
  }

  /** The last recorded time (the end of the run, or where it was interrupted). */
  get endUs(): number {
    return this.data.end?.tUs ?? this.data.keys[this.data.keys.length - 1].tUs;
  }

  /** The topology at `tUs` (clamped to the recording). */
  at(tUs: number): ReplayState {
    const t = Math.max(this.startUs, Math.min(tUs, this.endUs));
    const k = Math.max(0, lastAtOrBefore(this.data.keys, t));
    // The deltas the file wrote before the keyframe are in it; the ones after it (even at its own instant) are not.
    const s = fromKey(this.data.keys[k], this.data.keyDeltas[k]);
    return this.advance(s, t);
  }

  /** Time of the last keyframe at or before `tUs` (the first keyframe's if none). */
  keyframeAtOrBefore(tUs: number): number {
    return this.data.keys[Math.max(0, lastAtOrBefore(this.data.keys, tUs))].tUs;
  }

  /** Moves `s` forward to `tUs` (never backwards: seek with `at`), in place. */
  advance(s: ReplayState, tUs: number): ReplayState {
    const deltas = this.data.deltas;
    while (s.next < deltas.length && deltas[s.next].tUs <= tUs) applyDelta(s, deltas[s.next++]);
    s.tUs = Math.max(s.tUs, Math.min(tUs, this.endUs));
    return s;
  }
}

function fromKey(k: ReplayKey, next: number): ReplayState {
  const links = new Map<number, number>();
  for (let i = 0; i < k.edges.length; i += 3) links.set(k.edges[i] * LINK_KEY_BASE + k.edges[i + 1], k.edges[i + 2]);
  return { tUs: k.tUs, next, addresses: [...k.addresses], state: [...k.state], links };
}

function applyDelta(s: ReplayState, d: ReplayDelta): void {
  const p = d.peers ?? [];
  for (let i = 0; i < p.length; i += 2) {
    s.addresses.push(p[i + 1]);
    s.state.push(STATE_WAITING);
  }
  for (const i of d.up ?? []) s.state[i] = STATE_UP;
  for (const i of d.down ?? []) s.state[i] = STATE_DOWN;
  const up = d.linkUp ?? [];
  for (let i = 0; i < up.length; i += 3) s.links.set(up[i] * LINK_KEY_BASE + up[i + 1], up[i + 2]);
  const down = d.linkDown ?? [];
  for (let i = 0; i < down.length; i += 2) s.links.delete(down[i] * LINK_KEY_BASE + down[i + 1]);
  s.tUs = d.tUs;
}

/** The state's links as CSR over its peers (both directions, sorted lists): what the dashboard draws. */
export function stateCsr(s: ReplayState): { n: number; offsets: Int32Array; targets: Int32Array } {
  const n = s.addresses.length;
  const deg = new Int32Array(n + 1);
  for (const key of s.links.keys()) {
    deg[Math.floor(key / LINK_KEY_BASE)]++;
    deg[key % LINK_KEY_BASE]++;
  }
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + deg[i];
  const fill = offsets.slice(0, n);
  const targets = new Int32Array(offsets[n]);
  for (const key of s.links.keys()) {
    const lo = Math.floor(key / LINK_KEY_BASE);
    const hi = key % LINK_KEY_BASE;
    targets[fill[lo]++] = hi;
    targets[fill[hi]++] = lo;
  }
  for (let i = 0; i < n; i++) targets.subarray(offsets[i], offsets[i + 1]).sort();
  return { n, offsets, targets };
}
