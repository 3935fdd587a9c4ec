import type { CsrGraph } from './csr.ts';

/** Lanczos steps at most (memory: steps × nodes doubles); the two extreme eigenvalues converge in far fewer. */
const MAX_LANCZOS_STEPS = 160;
/** Converged once both Ritz values move less than this (relative) between checks. */
const RITZ_TOLERANCE = 1e-8;
const CHECK_EVERY_STEPS = 4;
/** Bisection iterations for a tridiagonal eigenvalue (each halves the interval). */
const BISECTION_STEPS = 200;
/** Seed of the start vector: fixed, so the figure depends only on the graph. */
const START_SEED = 0x9e3779b9;

export interface AdjacencySpectrum {
  /** Largest eigenvalue of the adjacency matrix of the given nodes' subgraph. */
  lambda1: number;
  /** Second largest (algebraic) eigenvalue. */
  lambda2: number;
  /** lambda1 − lambda2. */
  spectralGap: number;
  /** Lanczos steps taken. */
  steps: number;
}

/**
 * The two largest adjacency eigenvalues of the subgraph of `g` induced by
 * `nodes` (meant for one connected component: the LCC), by the Lanczos
 * method with full reorthogonalisation from a seeded random start vector,
 * stopped once both Ritz values settle or after MAX_LANCZOS_STEPS steps (or
 * as many steps as nodes: then exact up to rounding). Deterministic.
 */
export function adjacencySpectrum(g: CsrGraph, nodes: ArrayLike<number>): AdjacencySpectrum {
  const n = nodes.length;
  if (n <= 1) return { lambda1: 0, lambda2: 0, spectralGap: 0, steps: 0 };
  const local = new Map<number, number>();
  for (let i = 0; i < n; i++) local.set(nodes[i], i);
  // local CSR of the induced subgraph
  const offsets = new Int32Array(n + 1);
  const tg: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = nodes[i];
    for (let e = g.offsets[u]; e < g.offsets[u + 1]; e++) {
      const j = local.get(g.targets[e]);
      if (j !== undefined) tg.push(j);
    }
    offsets[i + 1] = tg.length;
  }
  const targets = Int32Array.from(tg);
  const steps = Math.min(n, MAX_LANCZOS_STEPS);
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  let q = new Float64Array(n);
  let s = START_SEED >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    q[i] = s / 2 ** 32 - 0.5;
  }
  scale(q, 1 / norm(q));
  let prev: [number, number] = [NaN, NaN];
  for (let j = 0; j < steps; j++) {
    basis.push(q);
    const w = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let e = offsets[i]; e < offsets[i + 1]; e++) acc += q[targets[e]];
      w[i] = acc;
    }
    alpha.push(dot(q, w));
    // full reorthogonalisation: keeps the basis orthogonal, so no spurious copies of converged eigenvalues
    for (const v of basis) axpy(w, v, -dot(v, w));
    const b = norm(w);
    const ritz = topTwo(alpha, beta);
    if (b < 1e-10 * Math.max(1, Math.abs(ritz[0]))) return result(ritz, j + 1); // invariant subspace: exact
    if ((j + 1) % CHECK_EVERY_STEPS === 0) {
      const tol = RITZ_TOLERANCE * Math.max(1, Math.abs(ritz[0]));
      if (Math.abs(ritz[0] - prev[0]) < tol && Math.abs(ritz[1] - prev[1]) < tol) return result(ritz, j + 1);
      prev = ritz;
    }
    beta.push(b);
    scale(w, 1 / b);
    q = w;
  }
  return result(topTwo(alpha, beta.slice(0, alpha.length - 1)), steps);
}

function result(r: [number, number], steps: number): AdjacencySpectrum {
  return { lambda1: r[0], lambda2: r[1], spectralGap: r[0] - r[1], steps };
}

/** The two largest eigenvalues of the symmetric tridiagonal matrix (diagonal a, off-diagonal b), by Sturm bisection. */
function topTwo(a: readonly number[], b: readonly number[]): [number, number] {
  const m = a.length;
  if (m === 1) return [a[0], a[0]];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < m; i++) {
    const r = (i > 0 ? Math.abs(b[i - 1]) : 0) + (i < m - 1 ? Math.abs(b[i]) : 0);
    lo = Math.min(lo, a[i] - r);
    hi = Math.max(hi, a[i] + r);
  }
  return [kthLargest(a, b, 1, lo, hi), kthLargest(a, b, 2, lo, hi)];
}

/** Eigenvalues below x (Sturm sequence count of negative pivots of T − xI). */
function countBelow(a: readonly number[], b: readonly number[], x: number): number {
  let count = 0;
  let d = 1;
  for (let i = 0; i < a.length; i++) {
    d = a[i] - x - (i > 0 ? (b[i - 1] * b[i - 1]) / d : 0);
    if (d === 0) d = -1e-300;
    if (d < 0) count++;
  }
  return count;
}

function kthLargest(a: readonly number[], b: readonly number[], k: number, lo: number, hi: number): number {
  const m = a.length;
  for (let it = 0; it < BISECTION_STEPS && hi - lo > 1e-13 * Math.max(1, Math.abs(hi)); it++) {
    const mid = (lo + hi) / 2;
    if (countBelow(a, b, mid) <= m - k) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

function norm(x: Float64Array): number {
  return Math.sqrt(dot(x, x));
}

function scale(x: Float64Array, c: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= c;
}

/** y += c·x */
function axpy(y: Float64Array, x: Float64Array, c: number): void {
  for (let i = 0; i < y.length; i++) y[i] += c * x[i];
}
