/**
 * Compressed sparse row (CSR) form of an undirected simple graph over typed
 * arrays: the neighbours of node u are targets[offsets[u] .. offsets[u+1]).
 * Every undirected link appears in both endpoints' lists, each list is sorted
 * ascending with no duplicates and no self-loops (what `csrFromEdges` builds).
 */
export interface CsrGraph {
  readonly n: number;
  /** Length n + 1; offsets[0] = 0, offsets[n] = targets.length. */
  readonly offsets: Int32Array;
  readonly targets: Int32Array;
  /** Optional liveness mask (length n): 0 = dead. Dead nodes and their edges are ignored by every metric. */
  readonly alive?: Uint8Array;
}

/** Largest number of input pairs: both directions must fit an Int32Array index. */
export const MAX_EDGE_PAIRS = 2 ** 29;

/**
 * Builds a CSR graph from connection pairs (a[i], b[i]) for i < count: the
 * pairs are symmetrised (a→b and b→a become one undirected link), duplicates
 * and self-loops dropped, neighbour lists sorted. Two stable counting-sort
 * passes (by target, then by source) sort all lists in O(n + count) with no
 * per-node allocation, so the output order depends only on the input set.
 */
export function csrFromEdges(n: number, edgesA: Int32Array, edgesB: Int32Array, count: number, alive?: Uint8Array): CsrGraph {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 2) throw new RangeError(`csrFromEdges: n must be an integer in [0, 2^31-2], got ${n}`);
  if (!Number.isInteger(count) || count < 0 || count > edgesA.length || count > edgesB.length || count > MAX_EDGE_PAIRS) {
    throw new RangeError(`csrFromEdges: count ${count} must be an integer ≤ both array lengths (${edgesA.length}, ${edgesB.length}) and ≤ 2^29`);
  }
  if (alive !== undefined && alive.length !== n) throw new RangeError(`csrFromEdges: alive has length ${alive.length}, expected ${n}`);
  // Both directions of every non-loop pair.
  let m = 0;
  for (let i = 0; i < count; i++) {
    const a = edgesA[i];
    const b = edgesB[i];
    if (a < 0 || a >= n || b < 0 || b >= n) throw new RangeError(`csrFromEdges: pair ${i} (${a}, ${b}) is out of range [0, ${n})`);
    if (a !== b) m += 2;
  }
  const src = new Int32Array(m);
  const dst = new Int32Array(m);
  for (let i = 0, k = 0; i < count; i++) {
    const a = edgesA[i];
    const b = edgesB[i];
    if (a === b) continue;
    src[k] = a;
    dst[k++] = b;
    src[k] = b;
    dst[k++] = a;
  }
  // LSD radix: stable sort by dst, then by src ⇒ ordered by (src, dst).
  const bucket = new Int32Array(n + 1);
  const src2 = new Int32Array(m);
  const dst2 = new Int32Array(m);
  countingSort(dst, src, dst, src2, dst2, bucket, n);
  countingSort(src2, src2, dst2, src, dst, bucket, n);
  // Drop consecutive duplicates while building offsets.
  const offsets = new Int32Array(n + 1);
  let w = 0;
  for (let k = 0; k < m; k++) {
    if (k > 0 && src[k] === src[k - 1] && dst[k] === dst[k - 1]) continue;
    dst[w++] = dst[k];
    offsets[src[k] + 1]++;
  }
  for (let u = 0; u < n; u++) offsets[u + 1] += offsets[u];
  return alive === undefined ? { n, offsets, targets: dst.slice(0, w) } : { n, offsets, targets: dst.slice(0, w), alive };
}

/** Stable counting sort of (inSrc, inDst) rows by `key` (values in [0, n)) into (outSrc, outDst). */
function countingSort(key: Int32Array, inSrc: Int32Array, inDst: Int32Array, outSrc: Int32Array, outDst: Int32Array, bucket: Int32Array, n: number): void {
  bucket.fill(0);
  const m = key.length;
  for (let k = 0; k < m; k++) bucket[key[k] + 1]++;
  for (let v = 0; v < n; v++) bucket[v + 1] += bucket[v];
  for (let k = 0; k < m; k++) {
    const p = bucket[key[k]]++;
    outSrc[p] = inSrc[k];
    outDst[p] = inDst[k];
  }
}

/**
 * Throws if `g` is not a valid CSR graph: array lengths, monotone offsets,
 * targets in range, strictly increasing neighbour lists (no duplicates), no
 * self-loops, and symmetry (checked by binary search, O(m log d)).
 */
export function checkCsr(g: CsrGraph): void {
  const { n, offsets, targets, alive } = g;
  const fail = (why: string): never => {
    throw new RangeError(`invalid CSR graph: ${why}`);
  };
  if (!Number.isInteger(n) || n < 0) fail(`n = ${n}`);
  if (offsets.length !== n + 1) fail(`offsets has length ${offsets.length}, expected n + 1 = ${n + 1}`);
  if (offsets[0] !== 0 || offsets[n] !== targets.length) fail(`offsets must run from 0 to targets.length = ${targets.length}`);
  if (alive !== undefined && alive.length !== n) fail(`alive has length ${alive.length}, expected ${n}`);
  for (let u = 0; u < n; u++) {
    const lo = offsets[u];
    const hi = offsets[u + 1];
    if (hi < lo) fail(`offsets decrease at node ${u}`);
    for (let k = lo; k < hi; k++) {
      const v = targets[k];
      if (v < 0 || v >= n) fail(`node ${u} has neighbour ${v} out of range`);
      if (v === u) fail(`node ${u} has a self-loop`);
      if (k > lo && targets[k - 1] >= v) fail(`neighbours of node ${u} are not strictly increasing`);
    }
  }
  for (let u = 0; u < n; u++) {
    for (let k = offsets[u]; k < offsets[u + 1]; k++) {
      if (!hasNeighbour(g, targets[k], u)) fail(`link ${u}–${targets[k]} is missing its reverse`);
    }
  }
}

/** Whether v is in u's sorted neighbour list (binary search). */
export function hasNeighbour(g: CsrGraph, u: number, v: number): boolean {
  let lo = g.offsets[u];
  let hi = g.offsets[u + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const t = g.targets[mid];
    if (t === v) return true;
    if (t < v) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** A graph restricted to its live nodes, relabelled 0..count-1 in index order. */
export interface LiveGraph {
  /** The live-only graph (no `alive` mask). */
  readonly graph: CsrGraph;
  /** ids[i] = original index of live node i; null when every node is live (identity). */
  readonly ids: Int32Array | null;
}

/**
 * Drops dead nodes and their links. Relabelling keeps index order, so sorted
 * neighbour lists stay sorted and results map back through `ids`.
 */
export function liveSubgraph(g: CsrGraph): LiveGraph {
  const { n, offsets, targets, alive } = g;
  let live = n;
  if (alive !== undefined) {
    live = 0;
    for (let u = 0; u < n; u++) if (alive[u] !== 0) live++;
  }
  if (alive === undefined || live === n) return { graph: { n, offsets, targets }, ids: null };
  const newId = new Int32Array(n).fill(-1);
  const ids = new Int32Array(live);
  for (let u = 0, i = 0; u < n; u++) {
    if (alive[u] === 0) continue;
    newId[u] = i;
    ids[i++] = u;
  }
  const off = new Int32Array(live + 1);
  let m = 0;
  for (let i = 0; i < live; i++) {
    const u = ids[i];
    for (let k = offsets[u]; k < offsets[u + 1]; k++) if (alive[targets[k]] !== 0) m++;
    off[i + 1] = m;
  }
  const tgt = new Int32Array(m);
  for (let i = 0, w = 0; i < live; i++) {
    const u = ids[i];
    for (let k = offsets[u]; k < offsets[u + 1]; k++) {
      const v = newId[targets[k]];
      if (v >= 0) tgt[w++] = v;
    }
  }
  return { graph: { n: live, offsets: off, targets: tgt }, ids };
}
