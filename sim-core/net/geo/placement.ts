import type { Rng } from '../../engine/rng.ts';
import { pairHash } from '../latency.ts';
import type { GeoDataset } from './dataset.ts';
import { detPow } from '../../engine/det-math.ts';

/** Where hosts live: cities drawn i.i.d. from weights. */
export type PlacementMode =
  /** Weight = city population (default). */
  | { kind: 'population' }
  /** Share per continent (normalised; unlisted continents get none), population-weighted within it. */
  | { kind: 'continents'; shares: Readonly<Record<string, number>> }
  /** Explicit cities with weights. */
  | { kind: 'cities'; weights: readonly { city: string; weight: number }[] };

/** Synthetic autonomous systems: per country, a Zipf-sized list. */
export interface AsOptions {
  /** ASes per country: clamp(ceil(log2(1 + countryPopulation / 100k)), min, max). Defaults 3 and 16. */
  minPerCountry?: number;
  maxPerCountry?: number;
  /** Share of the AS of rank r ∝ r^-exponent (default 1.2: a few big ISPs, a long tail). */
  zipfExponent?: number;
}

export interface PlacementOptions {
  mode?: PlacementMode;
  as?: AsOptions;
}

/** Synthetic ASNs live in the private 32-bit range 4200000000–4294967294 (RFC 6996). */
const ASN_BASE = 4_200_000_000;
const ASN_SPAN = 94_967_295;

/**
 * Per-host geography, struct-of-arrays: host h lives in city[h], which is in
 * country[h] and continent[h]; it sits in AS as[h]. Indices point into the
 * dataset's cities / countries / continents and into this table's AS arrays.
 */
export class HostGeo {
  readonly count: number;
  readonly country: Int32Array;
  readonly continent: Int32Array;

  constructor(
    readonly dataset: GeoDataset,
    readonly city: Int32Array,
    readonly as: Int32Array,
    /** Per AS: its ASN, its country index, its rank within the country (1 = largest). */
    readonly asn: Uint32Array,
    readonly asCountry: Int32Array,
    readonly asRank: Int32Array,
  ) {
    this.count = city.length;
    this.country = city.map((c) => dataset.cityCountry[c]);
    this.continent = city.map((c) => dataset.cityContinent[c]);
  }

  cityName(host: number): string {
    return this.dataset.cities[this.city[host]].name;
  }
  countryName(host: number): string {
    return this.dataset.countries[this.country[host]];
  }
  continentName(host: number): string {
    return this.dataset.continents[this.continent[host]];
  }
  asnOf(host: number): number {
    return this.asn[this.as[host]];
  }
  /** e.g. "AS4212345678 (Germany #2)". */
  asName(asIndex: number): string {
    return `AS${this.asn[asIndex]} (${this.dataset.countries[this.asCountry[asIndex]]} #${this.asRank[asIndex]})`;
  }
}

/** Per-city weights for a mode, validated, in city index order. */
export function cityWeights(dataset: GeoDataset, mode: PlacementMode = { kind: 'population' }): Float64Array {
  const w = new Float64Array(dataset.n);
  if (mode.kind === 'population') {
    for (const c of dataset.cities) w[c.index] = c.population;
  } else if (mode.kind === 'continents') {
    const continentPop = new Float64Array(dataset.continents.length);
    for (const c of dataset.cities) continentPop[dataset.cityContinent[c.index]] += c.population;
    const share = new Float64Array(dataset.continents.length);
    for (const name of Object.keys(mode.shares).sort()) {
      const i = dataset.continents.indexOf(name);
      if (i < 0) throw new RangeError(`placement: unknown continent ${JSON.stringify(name)}; known: ${dataset.continents.join(', ')}`);
      share[i] = checkWeight(mode.shares[name], `continent ${name}`);
    }
    for (const c of dataset.cities) {
      const k = dataset.cityContinent[c.index];
      w[c.index] = (share[k] * c.population) / continentPop[k];
    }
  } else {
    const listed = new Set<number>();
    for (const { city, weight } of mode.weights) {
      const i = dataset.cityIndex(city);
      if (i < 0) throw new RangeError(`placement: unknown city ${JSON.stringify(city)}`);
      if (listed.has(i)) throw new RangeError(`placement: city ${city} listed twice`);
      listed.add(i);
      w[i] = checkWeight(weight, `city ${city}`);
    }
  }
  if (!(w.reduce((s, x) => s + x, 0) > 0)) throw new RangeError('placement: all weights are zero');
  return w;
}

function checkWeight(x: number, what: string): number {
  if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`placement: weight of ${what} must be a finite number ≥ 0, got ${x}`);
  return x;
}

/** Cumulative sums, for inverse-CDF draws. */
function cumulative(w: ArrayLike<number>): Float64Array {
  const c = new Float64Array(w.length);
  let s = 0;
  for (let i = 0; i < w.length; i++) c[i] = s += w[i];
  return c;
}

/** Index i with cum[i-1] ≤ u·total < cum[i], skipping zero-weight entries. */
function draw(cum: Float64Array, from: number, to: number, rng: Rng): number {
  const base = from > 0 ? cum[from - 1] : 0;
  const x = base + rng.next() * (cum[to - 1] - base);
  let lo = from;
  let hi = to - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Places `count` hosts: city from the mode's weights, then an AS of that
 * city's country by Zipf share. The AS table covers every country of the
 * dataset (so AS indices do not depend on the host count); ASNs come from a
 * salt drawn first from `rng`, so they are stable for a seed.
 */
export function placeHosts(dataset: GeoDataset, count: number, rng: Rng, options: PlacementOptions = {}): HostGeo {
  if (!(Number.isInteger(count) && count >= 0)) throw new RangeError(`placement: host count must be an integer ≥ 0, got ${count}`);
  const minAs = options.as?.minPerCountry ?? 3;
  const maxAs = options.as?.maxPerCountry ?? 16;
  const s = options.as?.zipfExponent ?? 1.2;
  if (!(Number.isInteger(minAs) && minAs >= 1 && Number.isInteger(maxAs) && maxAs >= minAs)) {
    throw new RangeError(`placement: need integers 1 ≤ minPerCountry ≤ maxPerCountry, got ${minAs}, ${maxAs}`);
  }
  if (!(Number.isFinite(s) && s >= 0)) throw new RangeError(`placement: zipfExponent must be ≥ 0, got ${s}`);
  const salt = rng.uint32();

  // AS table: countries in sorted order, ranks 1..k; ASes of country c are asStart[c] .. asStart[c+1]-1.
  const nCountries = dataset.countries.length;
  const countryPop = new Float64Array(nCountries);
  for (const c of dataset.cities) countryPop[dataset.cityCountry[c.index]] += c.population;
  const asStart = new Int32Array(nCountries + 1);
  for (let c = 0; c < nCountries; c++) {
    let k = 0; // ceil(log2(1 + pop/100k)), by doubling so it is exact
    while (2 ** k < 1 + countryPop[c] / 100_000) k++;
    k = Math.min(maxAs, Math.max(minAs, k));
    asStart[c + 1] = asStart[c] + k;
  }
  const nAs = asStart[nCountries];
  const asn = new Uint32Array(nAs);
  const asCountry = new Int32Array(nAs);
  const asRank = new Int32Array(nAs);
  const asWeight = new Float64Array(nAs);
  const taken = new Set<number>();
  for (let c = 0; c < nCountries; c++) {
    for (let a = asStart[c]; a < asStart[c + 1]; a++) {
      const rank = a - asStart[c] + 1;
      asCountry[a] = c;
      asRank[a] = rank;
      asWeight[a] = detPow(rank, -s);
      let id = ASN_BASE + (pairHash(c, rank, salt) % ASN_SPAN);
      while (taken.has(id)) id = id + 1 < ASN_BASE + ASN_SPAN ? id + 1 : ASN_BASE; // rare collision: probe
      taken.add(id);
      asn[a] = id;
    }
  }
  const asCum = cumulative(asWeight);

  const cityCum = cumulative(cityWeights(dataset, options.mode));
  const city = new Int32Array(count);
  const as = new Int32Array(count);
  for (let h = 0; h < count; h++) {
    const c = draw(cityCum, 0, dataset.n, rng);
    const country = dataset.cityCountry[c];
    city[h] = c;
    as[h] = draw(asCum, asStart[country], asStart[country + 1], rng);
  }
  return new HostGeo(dataset, city, as, asn, asCountry, asRank);
}
