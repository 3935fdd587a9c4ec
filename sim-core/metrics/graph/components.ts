import { liveSubgraph, type CsrGraph } from './csr.ts';

export interface Components {
  /** Number of connected components among live nodes (an isolated live node is one). */
  count: number;
  /** sizes[c] = number of nodes with label c. */
  sizes: number[];
  /** Per original node: its component label, -1 for dead nodes. Labels follow the lowest node index of each component. */
  labels: Int32Array;
  /** Label of the largest component (ties: the lowest label), -1 if there are no live nodes. */
  largest: number;
  largestSize: number;
}

/** Connected components of the live nodes, by breadth-first search in node-index order. */
export function connectedComponents(graph: CsrGraph): Components {
  const { graph: g, ids } = liveSubgraph(graph);
  const c = componentsLive(g, new Int32Array(g.n));
  if (ids === null) return c;
  const labels = new Int32Array(graph.n).fill(-1);
  for (let i = 0; i < g.n; i++) labels[ids[i]] = c.labels[i];
  return { ...c, labels };
}

/** Original indices of the nodes of the largest connected component, ascending. */
export function largestComponentNodes(graph: CsrGraph): Int32Array {
  const c = connectedComponents(graph);
  const out = new Int32Array(c.largestSize);
  for (let u = 0, w = 0; u < graph.n; u++) if (c.largest >= 0 && c.labels[u] === c.largest) out[w++] = u;
  return out;
}

/** componentsLive on a live-only graph; `queue` (length ≥ n) is scratch space. */
export function componentsLive(g: CsrGraph, queue: Int32Array): Components {
  const { n, offsets, targets } = g;
  const labels = new Int32Array(n).fill(-1);
  const sizes: number[] = [];
  let largest = -1;
  let largestSize = 0;
  for (let s = 0; s < n; s++) {
    if (labels[s] !== -1) continue;
    const label = sizes.length;
    labels[s] = label;
    queue[0] = s;
    let head = 0;
    let tail = 1;
    // Each node enters the queue once, so head < tail ≤ n bounds this loop.
    while (head < tail) {
      const u = queue[head++];
      for (let k = offsets[u]; k < offsets[u + 1]; k++) {
        const v = targets[k];
        if (labels[v] === -1) {
          labels[v] = label;
          queue[tail++] = v;
        }
      }
    }
    sizes.push(tail);
    if (tail > largestSize) {
      largestSize = tail;
      largest = label;
    }
  }
  return { count: sizes.length, sizes, labels, largest, largestSize };
}
