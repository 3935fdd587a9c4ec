/**
 * A fixed set of inputs for detLog/detLog1p/detExp/detPow/detCos/detSin,
 * over the domains the draws use and beyond, and a digest of the outputs'
 * bits: the same digest in Node and in a browser means the same draws.
 * The inputs come from a 32-bit xorshift (no library), so a page can
 * rebuild them from this file and det-math alone.
 */

import { fromWords, hiWord, loWord } from './det-math.ts';

export interface MathImpl {
  log(x: number): number;
  log1p(x: number): number;
  exp(x: number): number;
  pow(x: number, y: number): number;
  cos(x: number): number;
  sin(x: number): number;
}

/** Samples per domain. */
export const SAMPLES_PER_DOMAIN = 20_000;

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/** One input domain: a name, and a draw of the function's result from `u` (uniforms in [0, 1)). */
interface Domain {
  name: string;
  eval(m: MathImpl, u: () => number): number;
}

/** Any double at all (NaN, infinities and subnormals included), from 64 random bits (low word drawn first). */
function anyDouble(u: () => number): number {
  const lo = (u() * 2 ** 32) >>> 0;
  return fromWords((u() * 2 ** 32) >>> 0, lo);
}

/** FNV-1a step over the two words of `x`, low first; a NaN's bits are the engine's choice (the standard allows any), so every NaN hashes as one fixed pair. */
function mixDouble(h: number, x: number): number {
  const nan = Number.isNaN(x);
  h = Math.imul(h ^ (nan ? 0 : loWord(x)), 0x01000193);
  return Math.imul(h ^ (nan ? 0x7ff80000 : hiWord(x)), 0x01000193);
}

export const DOMAINS: readonly Domain[] = [
  { name: 'log (0, 1]: exponential and normal draws', eval: (m, u) => m.log(1 - u()) },
  { name: 'log over 2^±1000', eval: (m, u) => m.log(m.exp((u() - 0.5) * 1400)) },
  { name: 'log any', eval: (m, u) => m.log(anyDouble(u)) },
  { name: 'log1p −2^-k: proof-of-work grinds', eval: (m, u) => m.log1p(-m.pow(2, -1 - Math.floor(u() * 60))) },
  { name: 'log1p (−1, 1)', eval: (m, u) => m.log1p(2 * u() - 1) },
  { name: 'log1p any', eval: (m, u) => m.log1p(anyDouble(u)) },
  { name: 'exp [−750, 750]', eval: (m, u) => m.exp((u() - 0.5) * 1500) },
  { name: 'exp [−2, 2]', eval: (m, u) => m.exp((u() - 0.5) * 4) },
  { name: 'exp any', eval: (m, u) => m.exp(anyDouble(u)) },
  { name: 'pow Pareto (1 − u)^(−1/α)', eval: (m, u) => m.pow(1 - u(), -1 / (1.01 + u() * 5)) },
  { name: 'pow Weibull t^(1/k)', eval: (m, u) => m.pow(u() * 20, 1 / (0.2 + u() * 5)) },
  { name: 'pow 2^(fraction): ban-score decay', eval: (m, u) => m.pow(2, -u() * 40) },
  { name: 'pow rank^−s: Zipf placement', eval: (m, u) => m.pow(1 + Math.floor(u() * 1000), -u() * 3) },
  { name: 'pow cube', eval: (m, u) => m.pow(1 + (u() - 0.5), 3) },
  { name: 'pow negative base, integer exponent', eval: (m, u) => m.pow((u() - 0.5) * 10, Math.floor((u() - 0.5) * 40)) },
  { name: 'pow any', eval: (m, u) => m.pow(anyDouble(u), anyDouble(u)) },
  { name: 'cos [0, 2π): normal draws', eval: (m, u) => m.cos(2 * Math.PI * u()) },
  { name: 'cos ±5·10^4', eval: (m, u) => m.cos((u() - 0.5) * 1e5) },
  { name: 'sin ±8·10^5', eval: (m, u) => m.sin((u() - 0.5) * 1.6e6) },
];

/** FNV-1a over the two 32-bit words of each result (low word first), per domain; hex. */
export function detMathDigest(m: MathImpl, perDomain = SAMPLES_PER_DOMAIN): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [i, d] of DOMAINS.entries()) {
    const u = xorshift(0x9e3779b9 + i);
    let h = 0x811c9dc5;
    for (let k = 0; k < perDomain; k++) h = mixDouble(h, d.eval(m, u));
    out[d.name] = (h >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

/** Stand-ins for the simulator's draws, fed by one seeded stream: returns the digest of their raw values. */
export interface DrawSources {
  exponential(mean: number): number;
  normal(): number;
  weibull: { draw(): number; residual(): number };
  pareto: { draw(): number; residual(): number };
  powTrials(difficulty: number): number;
}

/** FNV-1a over the bits of `n` rounds of every draw. */
export function drawsDigest(d: DrawSources, n = 20_000): string {
  let h = 0x811c9dc5;
  const mix = (x: number) => (h = mixDouble(h, x));
  for (let i = 0; i < n; i++) {
    mix(d.exponential(1000));
    mix(d.normal());
    mix(d.weibull.draw());
    mix(d.weibull.residual());
    mix(d.pareto.draw());
    mix(d.pareto.residual());
    mix(d.powTrials(1 + (i % 24)));
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}
