import { VarintReader, fromBase64 } from './data/codec.ts';
import { CITIES, COORD_FIXES, DATASET_NAME } from './data/wondernetwork-2018-cities.gen.ts';
import { PAIRS_B64 } from './data/wondernetwork-2018-pairs.gen.ts';

/**
 * Typed access to the WonderNetwork 2018 city-to-city pings, with the
 * fallbacks its README prescribes. Pair tables are flat, indexed a * n + b.
 */

export type RttSource = 'measured' | 'reverse' | 'fitted' | 'intra-city';
export const SRC_MEASURED = 0;
export const SRC_REVERSE = 1;
export const SRC_FITTED = 2;
export const SRC_INTRA_CITY = 3;
export const RTT_SOURCES: readonly RttSource[] = ['measured', 'reverse', 'fitted', 'intra-city'];

export interface City {
  readonly index: number;
  readonly name: string;
  readonly country: string;
  /** WonderNetwork's label: Africa, Eurasia, North America, Oceania, South America. */
  readonly continent: string;
  /** Best-known position: published, or re-fitted to distance_km where the published one is a geocoding slip. */
  readonly lat: number;
  readonly lon: number;
  readonly publishedLat: number;
  readonly publishedLon: number;
  readonly coordsCorrected: boolean;
  readonly population: number;
}

/** Round-trip figures in ms. */
export interface Rtt {
  readonly avgMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly mdevMs: number;
  readonly source: RttSource;
}

export interface IntraCityRtt {
  avgMs: number;
  minMs: number;
  maxMs: number;
  mdevMs: number;
}

/** Same-city RTT: a metro network (the closest measured pairs, Tokyo–Koto and Manhattan–Secaucus, are 1.0–1.5 ms). */
export const DEFAULT_INTRA_CITY: Readonly<IntraCityRtt> = { avgMs: 2, minMs: 1, maxMs: 4, mdevMs: 0.5 };

/** avg_ms ≈ interceptMs + msPerKm · distance_km (least squares over the measured directed pairs). */
export interface DistanceFit {
  readonly interceptMs: number;
  readonly msPerKm: number;
  readonly pairs: number;
  readonly r2: number;
  /** Medians over measured pairs of min/avg, max/avg, mdev/avg: the shape given to fitted pairs. */
  readonly minRatio: number;
  readonly maxRatio: number;
  readonly mdevRatio: number;
}

interface Raw {
  n: number;
  cities: City[];
  /** Measured pairs in centi-ms; minC = -1 where not measured. */
  minC: Int32Array;
  avgC: Int32Array;
  maxC: Int32Array;
  mdevC: Int32Array;
  km: Int32Array;
  fit: DistanceFit;
}

let raw: Raw | undefined;

/** Decodes the generated module once per process (a few ms). */
function decode(): Raw {
  if (raw) return raw;
  const n = CITIES.length;
  const fixes = new Map(COORD_FIXES.map(([i, lat, lon]) => [i, [lat, lon]]));
  const cities = CITIES.map(([name, country, continent, lat, lon, population], index): City => {
    const fix = fixes.get(index);
    return {
      index, name, country, continent, population,
      lat: fix ? fix[0] : lat, lon: fix ? fix[1] : lon,
      publishedLat: lat, publishedLon: lon, coordsCorrected: fix !== undefined,
    };
  });
  const minC = new Int32Array(n * n).fill(-1);
  const avgC = new Int32Array(n * n);
  const maxC = new Int32Array(n * n);
  const mdevC = new Int32Array(n * n);
  const km = new Int32Array(n * n);
  const r = new VarintReader(fromBase64(PAIRS_B64));
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b) continue;
      const k = a * n + b;
      const min1 = r.next();
      if (min1 > 0) {
        minC[k] = min1 - 1;
        avgC[k] = minC[k] + r.next();
        maxC[k] = avgC[k] + r.next();
        mdevC[k] = r.next();
      }
      km[k] = r.next();
    }
  }
  if (!r.done) throw new Error('geo data: trailing bytes in the pair stream');
  raw = { n, cities, minC, avgC, maxC, mdevC, km, fit: fitDistance(n, minC, avgC, maxC, mdevC, km) };
  return raw;
}

function median(values: Float64Array): number {
  const s = values.slice().sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Centred least squares in a fixed (matrix) order, so every engine gets the same bits. */
function fitDistance(n: number, minC: Int32Array, avgC: Int32Array, maxC: Int32Array, mdevC: Int32Array, km: Int32Array): DistanceFit {
  const idx: number[] = [];
  for (let k = 0; k < n * n; k++) if (minC[k] >= 0) idx.push(k);
  let sx = 0;
  let sy = 0;
  for (const k of idx) {
    sx += km[k];
    sy += avgC[k] / 100;
  }
  const mx = sx / idx.length;
  const my = sy / idx.length;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const k of idx) {
    const dx = km[k] - mx;
    const dy = avgC[k] / 100 - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const msPerKm = sxy / sxx;
  const ratio = (num: Int32Array) => median(Float64Array.from(idx, (k) => num[k] / avgC[k]));
  return {
    interceptMs: my - msPerKm * mx,
    msPerKm,
    pairs: idx.length,
    r2: (sxy * sxy) / (sxx * syy),
    minRatio: ratio(minC),
    maxRatio: ratio(maxC),
    mdevRatio: ratio(mdevC),
  };
}

export interface GeoDatasetOptions {
  /** RTT between two hosts of the same city (default DEFAULT_INTRA_CITY). */
  intraCity?: Partial<IntraCityRtt>;
}

/** The dataset with every ordered city pair resolved (measured, reverse, fitted or intra-city). */
export class GeoDataset {
  readonly name = DATASET_NAME;
  readonly n: number;
  readonly cities: readonly City[];
  /** Sorted distinct names; cityCountry / cityContinent index into them. */
  readonly countries: readonly string[];
  readonly continents: readonly string[];
  readonly cityCountry: Int32Array;
  readonly cityContinent: Int32Array;
  readonly fit: DistanceFit;
  readonly intraCity: Readonly<IntraCityRtt>;
  /** Resolved RTT (ms) and its source code (SRC_*) per ordered city pair, index a * n + b. */
  readonly avgMs: Float64Array;
  readonly minMs: Float64Array;
  readonly maxMs: Float64Array;
  readonly mdevMs: Float64Array;
  readonly source: Uint8Array;
  /** Great-circle km: distance_km where measured, else from the (corrected) coordinates. */
  readonly distanceKm: Int32Array;
  /** How many rtt() calls on this instance needed each fallback. */
  readonly fallbacksUsed = { reverse: 0, fitted: 0, intraCity: 0 };
  private readonly byName: Map<string, number>;

  constructor(options: GeoDatasetOptions = {}) {
    const d = decode();
    const n = (this.n = d.n);
    this.cities = d.cities;
    this.fit = d.fit;
    this.distanceKm = d.km;
    const intra = (this.intraCity = { ...DEFAULT_INTRA_CITY, ...options.intraCity });
    if (!(intra.minMs > 0 && intra.minMs <= intra.avgMs && intra.avgMs <= intra.maxMs && intra.mdevMs >= 0)) {
      throw new RangeError(`intraCity: need 0 < minMs ≤ avgMs ≤ maxMs and mdevMs ≥ 0, got ${JSON.stringify(intra)}`);
    }
    this.byName = new Map(d.cities.map((c) => [c.name, c.index]));
    this.countries = [...new Set(d.cities.map((c) => c.country))].sort();
    this.continents = [...new Set(d.cities.map((c) => c.continent))].sort();
    this.cityCountry = Int32Array.from(d.cities, (c) => this.countries.indexOf(c.country));
    this.cityContinent = Int32Array.from(d.cities, (c) => this.continents.indexOf(c.continent));
    this.avgMs = new Float64Array(n * n);
    this.minMs = new Float64Array(n * n);
    this.maxMs = new Float64Array(n * n);
    this.mdevMs = new Float64Array(n * n);
    this.source = new Uint8Array(n * n);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const k = a * n + b;
        const rev = b * n + a;
        const from = d.minC[k] >= 0 ? k : d.minC[rev] >= 0 ? rev : -1;
        if (a === b) {
          this.set(k, SRC_INTRA_CITY, intra.avgMs, intra.minMs, intra.maxMs, intra.mdevMs);
        } else if (from >= 0) {
          this.set(k, from === k ? SRC_MEASURED : SRC_REVERSE, d.avgC[from] / 100, d.minC[from] / 100, d.maxC[from] / 100, d.mdevC[from] / 100);
        } else {
          const f = d.fit;
          const avg = f.interceptMs + f.msPerKm * d.km[k];
          this.set(k, SRC_FITTED, avg, avg * f.minRatio, avg * f.maxRatio, avg * f.mdevRatio);
        }
      }
    }
  }

  private set(k: number, source: number, avg: number, min: number, max: number, mdev: number): void {
    this.source[k] = source;
    this.avgMs[k] = avg;
    this.minMs[k] = min;
    this.maxMs[k] = max;
    this.mdevMs[k] = mdev;
  }

  /** City index by exact name, or -1. */
  cityIndex(name: string): number {
    return this.byName.get(name) ?? -1;
  }

  /** RTT from city a to city b, with its source; counts the fallbacks used. */
  rtt(a: number, b: number): Rtt {
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0 && a < this.n && b < this.n)) {
      throw new RangeError(`city index out of range: ${a}, ${b} (0..${this.n - 1})`);
    }
    const k = a * this.n + b;
    const source = this.source[k];
    if (source === SRC_REVERSE) this.fallbacksUsed.reverse++;
    else if (source === SRC_FITTED) this.fallbacksUsed.fitted++;
    else if (source === SRC_INTRA_CITY) this.fallbacksUsed.intraCity++;
    return { avgMs: this.avgMs[k], minMs: this.minMs[k], maxMs: this.maxMs[k], mdevMs: this.mdevMs[k], source: RTT_SOURCES[source] };
  }

  /** How many ordered city pairs (diagonal included) resolve through each source. */
  coverage(): Record<RttSource, number> {
    const counts = [0, 0, 0, 0];
    for (let k = 0; k < this.source.length; k++) counts[this.source[k]]++;
    return { measured: counts[0], reverse: counts[1], fitted: counts[2], 'intra-city': counts[3] };
  }
}

/** The WonderNetwork 2018 dataset (241 cities). Cheap after the first call. */
export function wonderNetwork2018(options: GeoDatasetOptions = {}): GeoDataset {
  return new GeoDataset(options);
}
