import type { CsrGraph } from './csr.ts';

/** Local-moving passes per level and levels of aggregation: bounds on the work (Louvain usually needs a handful of each). */
const MAX_PASSES_PER_LEVEL = 64;
const MAX_LEVELS = 32;
/** A move must raise modularity by more than this (relative to 2m) to count, so floating-point noise cannot loop. */
const MIN_GAIN = 1e-12;

export interface Communities {
  /** Community of each node (0..count-1, numbered by lowest member); -1 for dead nodes. */
  membership: Int32Array;
  count: number;
  /** Newman–Girvan modularity of that split (0 for a graph without edges). */
  modularity: number;
}

/** A weighted graph of one Louvain level: both directions of every link, plus each node's internal (self) weight. */
interface Level {
  n: number;
  offsets: Int32Array;
  targets: Int32Array;
  weights: Float64Array;
  /** Σ over ordered pairs (u, v) inside the node: twice its internal links. */
  self: Float64Array;
}

/**
 * Newman–Girvan modularity of `membership` over the live nodes of `g`:
 * Q = Σ_c [ L_c / m − (d_c / 2m)² ], L_c the links inside community c, d_c
 * the sum of its degrees, m the links. Dead nodes and their links are ignored.
 */
export function modularity(g: CsrGraph, membership: ArrayLike<number>): number {
  let twoM = 0;
  let inside = 0;
  const deg = new Map<number, number>();
  for (let u = 0; u < g.n; u++) {
    if (g.alive && g.alive[u] === 0) continue;
    let d = 0;
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
      const v = g.targets[e];
      if (g.alive && g.alive[v] === 0) continue;
      d++;
      if (membership[u] === membership[v]) inside++;
    }
    twoM += d;
    deg.set(membership[u], (deg.get(membership[u]) ?? 0) + d);
  }
  if (twoM === 0) return 0;
  let expected = 0;
  for (const d of deg.values()) expected += (d / twoM) ** 2;
  return inside / twoM - expected;
}

/**
 * Communities by the Louvain method (Blondel, Guillaume, Lambiotte and
 * Lefebvre 2008): nodes move one at a time, in index order, to the
 * neighbouring community with the largest modularity gain (ties: the
 * lower-numbered community) until no move helps; communities then become
 * the nodes of the next level; it stops when a level moves nothing.
 * Deterministic (no shuffling): the same graph gives the same split.
 * Bounded: ≤ MAX_LEVELS levels of ≤ MAX_PASSES_PER_LEVEL passes, each O(links).
 */
export function louvain(g: CsrGraph): Communities {
  const n = g.n;
  const membership = new Int32Array(n).fill(-1);
  // level 0: the live subgraph, unit weights
  const live: number[] = [];
  const local = new Int32Array(n).fill(-1);
  for (let u = 0; u < n; u++) if (!g.alive || g.alive[u] !== 0) local[u] = live.push(u) - 1;
  const offsets = new Int32Array(live.length + 1);
  const tg: number[] = [];
  for (let i = 0; i < live.length; i++) {
    const u = live[i];
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) if (local[g.targets[e]] >= 0) tg.push(local[g.targets[e]]);
    offsets[i + 1] = tg.length;
  }
  let level: Level = { n: live.length, offsets, targets: Int32Array.from(tg), weights: new Float64Array(tg.length).fill(1), self: new Float64Array(live.length) };
  // node of the current level each live node belongs to
  const top = Int32Array.from(live, (_, i) => i);
  for (let l = 0; l < MAX_LEVELS; l++) {
    const comm = moveNodes(level);
    const { count, renum } = renumber(comm);
    if (count === level.n) break; // nobody moved
    for (let i = 0; i < top.length; i++) top[i] = renum[comm[top[i]]];
    level = aggregate(level, comm, renum, count);
  }
  // number communities by their lowest member
  const name = new Int32Array(live.length).fill(-1);
  let count = 0;
  for (let i = 0; i < live.length; i++) {
    if (name[top[i]] < 0) name[top[i]] = count++;
    membership[live[i]] = name[top[i]];
  }
  return { membership, count, modularity: modularity(g, membership) };
}

/** One level's local moving phase: the community of each node. */
function moveNodes(lv: Level): Int32Array {
  const { n, offsets, targets, weights, self } = lv;
  const comm = Int32Array.from({ length: n }, (_, i) => i);
  const k = new Float64Array(n);
  let twoM = 0;
  for (let u = 0; u < n; u++) {
    let s = self[u];
    for (let e = offsets[u]; e < offsets[u + 1]; e++) s += weights[e];
    k[u] = s;
    twoM += s;
  }
  if (twoM === 0) return comm;
  const tot = Float64Array.from(k);
  const toComm = new Float64Array(n); // weight from the moving node to each community (scratch)
  const touched: number[] = [];
  for (let pass = 0; pass < MAX_PASSES_PER_LEVEL; pass++) {
    let moved = false;
    for (let u = 0; u < n; u++) {
      const own = comm[u];
      touched.length = 0;
      for (let e = offsets[u]; e < offsets[u + 1]; e++) {
        const c = comm[targets[e]];
        if (toComm[c] === 0) touched.push(c);
        toComm[c] += weights[e];
      }
      tot[own] -= k[u];
      const scale = k[u] / twoM;
      let best = own;
      let bestGain = toComm[own] - tot[own] * scale;
      for (const c of touched) {
        const gain = toComm[c] - tot[c] * scale;
        if (gain > bestGain + MIN_GAIN * twoM || (Math.abs(gain - bestGain) <= MIN_GAIN * twoM && c < best && best !== own)) {
          best = c;
          bestGain = gain;
        }
      }
      tot[best] += k[u];
      if (best !== own) {
        comm[u] = best;
        moved = true;
      }
      for (const c of touched) toComm[c] = 0;
    }
    if (!moved) break;
  }
  return comm;
}

/** Dense numbers for the communities in use, in order of their lowest node. */
function renumber(comm: Int32Array): { count: number; renum: Int32Array } {
  const renum = new Int32Array(comm.length).fill(-1);
  let count = 0;
  for (let u = 0; u < comm.length; u++) if (renum[comm[u]] < 0) renum[comm[u]] = count++;
  return { count, renum };
}

/** The next level: one node per community; link weights summed, links inside a community become its self weight. */
function aggregate(lv: Level, comm: Int32Array, renum: Int32Array, count: number): Level {
  const self = new Float64Array(count);
  const rows: Map<number, number>[] = Array.from({ length: count }, () => new Map());
  for (let u = 0; u < lv.n; u++) {
    const cu = renum[comm[u]];
    self[cu] += lv.self[u];
    const row = rows[cu];
    for (let e = lv.offsets[u]; e < lv.offsets[u + 1]; e++) {
      const cv = renum[comm[lv.targets[e]]];
      if (cv === cu) self[cu] += lv.weights[e];
      else row.set(cv, (row.get(cv) ?? 0) + lv.weights[e]);
    }
  }
  const offsets = new Int32Array(count + 1);
  let m = 0;
  for (let c = 0; c < count; c++) offsets[c + 1] = m += rows[c].size;
  const targets = new Int32Array(m);
  const weights = new Float64Array(m);
  for (let c = 0, w = 0; c < count; c++) {
    for (const v of [...rows[c].keys()].sort((a, b) => a - b)) {
      targets[w] = v;
      weights[w++] = rows[c].get(v)!;
    }
  }
  return { n: count, offsets, targets, weights, self };
}
