import { Rng } from '../../sim-core/engine/rng.ts';
import { KernelRangeError } from './errors.ts';

/** A fixed undirected overlay in CSR form, with a seeded delay per link (same both ways). */
export interface Graph {
  n: number;
  /** Neighbours of p: adj[off[p] .. off[p + 1]). */
  off: Int32Array;
  adj: Int32Array;
  /** For the directed edge at index e = off[p] + j (p → q): j' such that adj[off[q] + j'] = p. */
  rev: Int32Array;
  delayUs: Int32Array;
}

/**
 * A random near-regular graph: peers in a shuffled order each draw random
 * partners that still have room until they have `degree` links (a few end
 * one short). Deterministic for a seed (alea streams as in the simulator).
 */
export function randomRegularGraph(n: number, degree: number, seed: string, minDelayUs: number, maxDelayUs: number): Graph {
  if (!(n >= 2 && degree >= 1 && degree < n)) throw new KernelRangeError('graph', `need 1 ≤ degree (${degree}) < peers (${n})`);
  const rng = new Rng(`${seed}/graph`);
  const nbrs: number[][] = Array.from({ length: n }, () => []);
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  for (const p of order) {
    for (let tries = 0; nbrs[p].length < degree && tries < 64 * degree; tries++) {
      const q = rng.int(n);
      if (q === p || nbrs[q].length >= degree || nbrs[p].includes(q)) continue;
      nbrs[p].push(q);
      nbrs[q].push(p);
    }
  }
  const off = new Int32Array(n + 1);
  for (let p = 0; p < n; p++) off[p + 1] = off[p] + nbrs[p].length;
  const adj = new Int32Array(off[n]);
  const rev = new Int32Array(off[n]);
  const delayUs = new Int32Array(off[n]);
  const drng = new Rng(`${seed}/delays`);
  for (let p = 0; p < n; p++) nbrs[p].forEach((q, j) => (adj[off[p] + j] = q));
  for (let p = 0; p < n; p++) {
    for (let j = 0; j < nbrs[p].length; j++) {
      const q = nbrs[p][j];
      const jr = nbrs[q].indexOf(p);
      rev[off[p] + j] = jr;
      if (p < q) {
        const d = drng.intBetween(minDelayUs, maxDelayUs);
        delayUs[off[p] + j] = d;
        delayUs[off[q] + jr] = d;
      }
    }
  }
  return { n, off, adj, rev, delayUs };
}
