/**
 * Smallest and largest of a list, in a loop. `Math.min(...values)` passes
 * every value as an argument, and how many arguments a call may take is
 * the engine's choice (about 65,536 in JavaScriptCore, ~120,000 in V8
 * depending on its stack, 500,000 in SpiderMonkey): past it the call
 * throws, so a long run's metrics would fail in one engine and not in
 * another. Same results as Math.min/max (NaN wins, −0 below +0; ±∞ for none).
 */
export function minOf(values: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < values.length; i++) m = Math.min(m, values[i]);
  return m;
}

export function maxOf(values: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) m = Math.max(m, values[i]);
  return m;
}
