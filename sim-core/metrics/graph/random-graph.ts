import { csrFromEdges, type CsrGraph } from './csr.ts';
import type { IntSource } from './paths.ts';

/**
 * A random overlay like the ones peers build: every node dials `dials` others
 * chosen uniformly (not itself), and links are undirected, so degrees are
 * about 2·dials (12-regular-ish for dials = 6). For tests and benches.
 */
export function randomOverlay(n: number, dials: number, rng: IntSource): CsrGraph {
  const { a, b, count } = randomDials(n, dials, rng);
  return csrFromEdges(n, a, b, count);
}

/** The connection pairs behind randomOverlay: a[k] dialled b[k]. */
export function randomDials(n: number, dials: number, rng: IntSource): { a: Int32Array; b: Int32Array; count: number } {
  const count = n > 1 ? n * dials : 0;
  const a = new Int32Array(count);
  const b = new Int32Array(count);
  for (let u = 0, k = 0; u < n && n > 1; u++) {
    for (let j = 0; j < dials; j++, k++) {
      const v = rng.int(n - 1);
      a[k] = u;
      b[k] = v >= u ? v + 1 : v;
    }
  }
  return { a, b, count };
}
