/**
 * Growing the typed-array columns of the simulation's tables: a new array of
 * `n` elements holding the old one's, the rest zero (or `fill` for Int32
 * columns whose empty value is -1). Growth is rare (doubling), so one
 * helper per element type serves every table.
 */

export function growI32(a: Int32Array, n: number, fill = 0): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}

export function growF64(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

export function growU8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}

/** The first capacity past `index`, doubling from `cap` (≥ 1). */
export function doubledPast(cap: number, index: number): number {
  let n = Math.max(1, cap) * 2;
  while (n <= index) n *= 2;
  return n;
}
