/**
 * Aggregation of run metrics over seeds: mean ± 95% confidence interval
 * (Student t, df = n − 1) for every numeric leaf, element-wise means for
 * histograms, and per-time means for time series. Generic over the metric
 * tree, so new metric sections are picked up without changes here.
 */
import { maxOf } from '../engine/extremes.ts';

/** Mean ± half-width of the 95% confidence interval over `n` seeds; `ci95` is null for n < 2. */
export interface Stat {
  mean: number;
  ci95: number | null;
  min: number;
  max: number;
  n: number;
}

/** Element-wise mean of a histogram over the runs that report it (missing bins count as 0). */
export interface HistogramStat {
  mean: number[] | Record<string, number>;
  n: number;
}

export interface Aggregate {
  /** Dotted metric path → statistics, keys sorted. */
  metrics: Record<string, Stat>;
  /** Dotted histogram path → element-wise mean, keys sorted. */
  histograms: Record<string, HistogramStat>;
}

// Two-sided 95% Student t critical values t(0.975, df), df = 1..30, then sparse points.
const T_SMALL = [
  12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139, 2.200985, 2.178813, 2.160369, 2.144787,
  2.13145, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407,
  2.04523, 2.042272,
];
const T_LARGE: [number, number][] = [
  [30, 2.042272],
  [40, 2.021075],
  [60, 2.000298],
  [120, 1.979930],
  [Infinity, 1.959964],
];

/** t(0.975, df): exact table up to df 30, beyond interpolated linearly in 1/df (error < 1e-4). */
export function tCritical95(df: number): number {
  if (!(df >= 1)) throw new RangeError(`degrees of freedom must be ≥ 1, got ${df}`);
  const d = Math.floor(df);
  if (d <= 30) return T_SMALL[d - 1];
  for (let i = 1; i < T_LARGE.length; i++) {
    const [d1, t1] = T_LARGE[i];
    if (d <= d1) {
      const [d0, t0] = T_LARGE[i - 1];
      const x = 1 / d;
      const x0 = 1 / d0;
      const x1 = 1 / d1; // 0 for Infinity
      return t0 + ((t1 - t0) * (x - x0)) / (x1 - x0);
    }
  }
  return 1.959964;
}

/** Mean, 95% CI half-width, min, max of finite samples. Empty input gives n = 0 and zeros. */
export function meanCi(values: readonly number[]): Stat {
  // Sorted, so the sums (and so the output bits) do not depend on run order; -0 as 0, since
  // the sort holds them equal and min/max would otherwise be whichever came first.
  const xs = values
    .filter((v) => Number.isFinite(v))
    .map((v) => (v === 0 ? 0 : v))
    .sort((a, b) => a - b);
  const n = xs.length;
  if (n === 0) return { mean: 0, ci95: null, min: 0, max: 0, n: 0 };
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = sum / n;
  if (n < 2) return { mean, ci95: null, min, max, n };
  let ss = 0;
  for (const x of xs) ss += (x - mean) ** 2;
  const sd = Math.sqrt(ss / (n - 1));
  return { mean, ci95: (tCritical95(n - 1) * sd) / Math.sqrt(n), min, max, n };
}

/** Top-level metric keys that are not per-run figures (the time series is aggregated separately). */
const SKIPPED_TOP = new Set(['series']);

/** An object-valued histogram: a key named `histogram` or ending in `Histogram` whose values are all numbers. */
function isHistogramKey(key: string): boolean {
  return key === 'histogram' || key.endsWith('Histogram');
}

function isNumberRecord(v: unknown): v is Record<string, number> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'number');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

type Histogram = number[] | Record<string, number>;

/**
 * One run's metric tree flattened: numeric leaves and histograms by dotted
 * path. Skipped: `series`, booleans, strings, nulls, non-finite numbers and
 * arrays holding anything but numbers (per-node rows, adversary reports).
 */
export function flattenMetrics(metrics: Record<string, unknown>): { scalars: Map<string, number>; histograms: Map<string, Histogram> } {
  const scalars = new Map<string, number>();
  const histograms = new Map<string, Histogram>();
  const walk = (value: unknown, path: string, key: string): void => {
    if (typeof value === 'number') {
      if (Number.isFinite(value)) scalars.set(path, value);
    } else if (Array.isArray(value)) {
      if (value.every((x) => typeof x === 'number')) histograms.set(path, value as number[]);
    } else if (isPlainObject(value)) {
      if (isHistogramKey(key) && isNumberRecord(value)) {
        histograms.set(path, value);
        return;
      }
      for (const k of Object.keys(value)) walk(value[k], path ? `${path}.${k}` : k, k);
    }
  };
  for (const k of Object.keys(metrics)) if (!SKIPPED_TOP.has(k)) walk(metrics[k], k, k);
  return { scalars, histograms };
}

/** Compares dotted paths segment by segment, numeric segments numerically, so `a.2` < `a.10`. */
export function comparePaths(a: string, b: string): number {
  const as = a.split('.');
  const bs = b.split('.');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const c = compareKeys(as[i], bs[i]);
    if (c !== 0) return c;
  }
  return as.length - bs.length;
}

function compareKeys(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return Number(a) - Number(b);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Element-wise mean of histograms; arrays are padded with zeros to the longest. */
export function averageHistograms(hs: readonly Histogram[]): Histogram {
  if (hs.length === 0) return [];
  if (hs.every(Array.isArray)) {
    const arrays = hs as number[][];
    const len = maxOf(arrays.map((h) => h.length));
    const out = new Array<number>(len).fill(0);
    for (const h of arrays) for (let i = 0; i < h.length; i++) out[i] += h[i];
    return out.map((s) => s / arrays.length);
  }
  // Objects (or a mix): average by key; an array counts as an object with keys "0", "1", ...
  const sums = new Map<string, number>();
  for (const h of hs) for (const [k, v] of Object.entries(h)) sums.set(k, (sums.get(k) ?? 0) + v);
  const out: Record<string, number> = {};
  for (const k of [...sums.keys()].sort(compareKeys)) out[k] = (sums.get(k) ?? 0) / hs.length;
  return out;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Aggregates the metric trees of several runs (one per seed). Keys are sorted, so the output is independent of run order. */
export function aggregateMetrics(runs: readonly Record<string, unknown>[]): Aggregate {
  const scalarValues = new Map<string, number[]>();
  const histValues = new Map<string, Histogram[]>();
  for (const m of runs) {
    const flat = flattenMetrics(m);
    for (const [p, v] of flat.scalars) pushTo(scalarValues, p, v);
    for (const [p, h] of flat.histograms) pushTo(histValues, p, h);
  }
  const metrics: Record<string, Stat> = {};
  for (const p of [...scalarValues.keys()].sort(comparePaths)) metrics[p] = meanCi(scalarValues.get(p) ?? []);
  const histograms: Record<string, HistogramStat> = {};
  for (const p of [...histValues.keys()].sort(comparePaths)) {
    // Skip paths that were never a non-empty histogram (e.g. an always-empty adversary list).
    const hs = histValues.get(p) ?? [];
    if (hs.every((h) => Object.keys(h).length === 0)) continue;
    histograms[p] = { mean: averageHistograms(hs), n: hs.length };
  }
  return { metrics, histograms };
}

/** One point of a series aggregated over seeds. */
export interface SeriesStat {
  tS: number;
  mean: number;
  min: number;
  max: number;
  n: number;
}

type SeriesSample = { tS: number } & Record<string, unknown>;

/**
 * `key` of each run's time series, averaged over the runs at each sample
 * time. `rate` turns a cumulative counter into a per-second rate between
 * consecutive samples (placed at the later sample). Runs lacking the key
 * contribute nothing; an all-missing key gives [].
 */
export function aggregateSeries(runs: readonly (readonly SeriesSample[])[], key: string, mode: 'value' | 'rate' = 'value'): SeriesStat[] {
  const byTime = new Map<number, number[]>();
  const add = (t: number, v: number) => {
    if (Number.isFinite(t) && Number.isFinite(v)) pushTo(byTime, t, v);
  };
  for (const series of runs) {
    let prev: { t: number; v: number } | undefined;
    for (const s of series) {
      const v = s[key];
      if (typeof v !== 'number') continue;
      if (mode === 'value') add(s.tS, v);
      else {
        if (prev && s.tS > prev.t) add(s.tS, (v - prev.v) / (s.tS - prev.t));
        prev = { t: s.tS, v };
      }
    }
  }
  return [...byTime.keys()]
    .sort((a, b) => a - b)
    .map((tS) => {
      const st = meanCi(byTime.get(tS) ?? []);
      return { tS, mean: st.mean, min: st.min, max: st.max, n: st.n };
    });
}
