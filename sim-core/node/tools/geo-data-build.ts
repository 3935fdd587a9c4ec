/**
 * Pure part of the geo data generator (no I/O, so the freshness test can
 * re-run it): WonderNetwork CSVs → text of the two generated modules
 * (`wondernetwork-2018-cities.gen.ts`, `wondernetwork-2018-pairs.gen.ts`).
 * The CLI is `build-geo-data.ts` next to this file.
 */
import { encodeVarints, toBase64 } from '../../net/geo/data/codec.ts';

/** RFC 4180-ish: quoted fields (pings.csv has "1,407.07"), CRLF or LF. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    const fields: string[] = [];
    let i = 0;
    while (i <= line.length) {
      if (line[i] === '"') {
        const end = line.indexOf('"', i + 1);
        if (end < 0) throw new SyntaxError(`unterminated quote: ${line}`);
        fields.push(line.slice(i + 1, end));
        i = end + 2;
      } else {
        const end = line.indexOf(',', i) < 0 ? line.length : line.indexOf(',', i);
        fields.push(line.slice(i, end));
        i = end + 1;
      }
    }
    rows.push(fields);
  }
  return rows;
}

/** "1,407.07" → 140707 (hundredths of a ms); exact, no float parsing. */
export function centis(field: string): number {
  const m = /^(\d+)\.(\d\d)$/.exec(field.replace(/,/g, ''));
  if (!m) throw new SyntaxError(`expected a number with 2 decimals, got ${JSON.stringify(field)}`);
  return Number(m[1]) * 100 + Number(m[2]);
}

const EARTH_RADIUS_KM = 6371; // the radius the dataset's distance_km column agrees with
const RAD = Math.PI / 180;

export function haversineKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const h = Math.sin(((lat2 - lat1) * RAD) / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(((lon2 - lon1) * RAD) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(Math.min(1, h)));
}

/**
 * Cities whose published coordinates are a geocoding slip (a namesake
 * elsewhere, e.g. Halifax in England, or a country centroid) while the
 * dataset's own distance_km column places them where the servers are. They
 * get coordinates re-fitted to distance_km. Tunis and Panama also disagree
 * with distance_km but keep theirs: there the published point is the city
 * and distance_km points at a centroid / another country.
 */
export const COORD_FIXES = [
  'Brasilia', 'Brunswick', 'Charlotte', 'Cromwell', 'Fremont', 'Halifax', 'Maidstone',
  'Malaysia', 'Monticello', 'Portland', 'Salem', 'San Jose', 'St Louis', 'Toledo',
];

export interface CityRow {
  name: string;
  country: string;
  continent: string;
  lat: number;
  lon: number;
  population: number;
}

export interface PingRow {
  src: number;
  dst: number;
  avg: number; // centi-ms
  min: number;
  max: number;
  mdev: number;
  km: number;
}

export function parseCities(text: string): CityRow[] {
  const [header, ...rows] = parseCsv(text);
  if (header.join() !== 'city,country,continent,lat,lon,population') throw new SyntaxError(`cities.csv header: ${header.join()}`);
  return rows.map(([name, country, continent, lat, lon, population]) => ({
    name, country, continent, lat: Number(lat), lon: Number(lon), population: Number(population),
  }));
}

export function parsePings(text: string, cities: readonly CityRow[]): PingRow[] {
  const index = new Map(cities.map((c, i) => [c.name, i]));
  const [header, ...rows] = parseCsv(text);
  if (header.join() !== 'source,destination,avg_ms,min_ms,max_ms,mdev_ms,distance_km') throw new SyntaxError(`pings.csv header: ${header.join()}`);
  return rows.map(([s, d, avg, min, max, mdev, km]) => {
    const src = index.get(s);
    const dst = index.get(d);
    if (src === undefined || dst === undefined) throw new SyntaxError(`unknown city in ${s},${d}`);
    if (!/^\d+$/.test(km)) throw new SyntaxError(`distance_km: ${km}`);
    return { src, dst, avg: centis(avg), min: centis(min), max: centis(max), mdev: centis(mdev), km: Number(km) };
  });
}

/** Least-squares position from distances to anchors: 5° grid, then pattern search. */
export function multilaterate(anchors: readonly { lat: number; lon: number; km: number }[]): [number, number] {
  const cost = (lat: number, lon: number): number => {
    let s = 0;
    for (const a of anchors) s += (haversineKm(lat, lon, a.lat, a.lon) - a.km) ** 2;
    return s;
  };
  let best = { lat: 0, lon: 0, c: Infinity };
  for (let lat = -85; lat <= 85; lat += 5) {
    for (let lon = -180; lon < 180; lon += 5) {
      const c = cost(lat, lon);
      if (c < best.c) best = { lat, lon, c };
    }
  }
  for (let step = 2.5; step > 1e-5; ) {
    let moved = false;
    for (const [dl, dn] of [[step, 0], [-step, 0], [0, step], [0, -step]]) {
      const c = cost(best.lat + dl, best.lon + dn);
      if (c < best.c) {
        best = { lat: best.lat + dl, lon: best.lon + dn, c };
        moved = true;
      }
    }
    if (!moved) step /= 2;
  }
  return [Math.round(best.lat * 1e4) / 1e4, Math.round(best.lon * 1e4) / 1e4];
}

/** Corrected coordinates of COORD_FIXES, from their rows to cities not in the list. */
export function coordinateFixes(cities: readonly CityRow[], pings: readonly PingRow[]): [number, number, number][] {
  const fixed = COORD_FIXES.map((name) => {
    const i = cities.findIndex((c) => c.name === name);
    if (i < 0) throw new Error(`COORD_FIXES: no city ${name}`);
    return i;
  });
  const skip = new Set([...fixed, ...['Tunis', 'Panama'].map((n) => cities.findIndex((c) => c.name === n))]);
  return fixed.map((i) => {
    const anchors = pings
      .filter((p) => (p.src === i && !skip.has(p.dst)) || (p.dst === i && !skip.has(p.src)))
      .map((p) => {
        const o = cities[p.src === i ? p.dst : p.src];
        return { lat: o.lat, lon: o.lon, km: p.km };
      });
    const [lat, lon] = multilaterate(anchors);
    return [i, lat, lon];
  });
}

/**
 * Pair stream, directed pairs in matrix order (a, b), a ≠ b:
 * varint(min + 1, or 0 if not measured), then if measured avg − min,
 * max − avg, mdev (all centi-ms); then always distance_km (for unmeasured
 * pairs the great circle between the corrected coordinates, rounded).
 */
/** The generated modules' file names, in sim-core/net/geo/data/. */
export const CITIES_MODULE = 'wondernetwork-2018-cities.gen.ts';
export const PAIRS_MODULE = 'wondernetwork-2018-pairs.gen.ts';

/** Characters of base64 per source line of the pairs module (keeps it a few hundred lines). */
const B64_LINE = 2000;

/** The two generated modules: cities (readable rows, coordinate fixes) and pairs (the opaque varint stream). */
export function renderModules(citiesCsv: string, pingsCsv: string): { cities: string; pairs: string; bytes: number } {
  const cities = parseCities(citiesCsv);
  const pings = parsePings(pingsCsv, cities);
  const n = cities.length;
  const fixes = coordinateFixes(cities, pings);
  const lat = cities.map((c) => c.lat);
  const lon = cities.map((c) => c.lon);
  for (const [i, la, lo] of fixes) {
    lat[i] = la;
    lon[i] = lo;
  }
  const byPair = new Map<number, PingRow>();
  for (const p of pings) {
    if (p.src === p.dst || byPair.has(p.src * n + p.dst)) throw new Error(`bad or duplicate pair ${p.src},${p.dst}`);
    if (!(p.min <= p.avg && p.avg <= p.max)) throw new Error(`min ≤ avg ≤ max violated for ${p.src},${p.dst}`);
    byPair.set(p.src * n + p.dst, p);
  }
  const values: number[] = [];
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b) continue;
      const p = byPair.get(a * n + b);
      if (p) values.push(p.min + 1, p.avg - p.min, p.max - p.avg, p.mdev, p.km);
      else values.push(0, Math.round(haversineKm(lat[a], lon[a], lat[b], lon[b])));
    }
  }
  const bytes = encodeVarints(values);
  const b64 = toBase64(bytes);
  const chunks: string[] = [];
  for (let i = 0; i < b64.length; i += B64_LINE) chunks.push(`  '${b64.slice(i, i + B64_LINE)}',`);
  const cityLines = cities.map((c) => `  ${JSON.stringify([c.name, c.country, c.continent, c.lat, c.lon, c.population])},`);
  const header = [
    '// GENERATED by sim-core/node/tools/build-geo-data.ts from data/wondernetwork-2018/*.csv. Do not edit.',
    '// Ping data by WonderNetwork (wondernetwork.com), 2018-11-10, via Consensys/wittgenstein, Apache-2.0.',
    '',
  ];
  const citiesText = [
    ...header,
    'export const DATASET_NAME = \'wondernetwork-2018\';',
    '',
    '/** cities.csv rows as published: name, country, continent, lat, lon, population. */',
    'export const CITIES: readonly (readonly [string, string, string, number, number, number])[] = [',
    ...cityLines,
    '];',
    '',
    '/** [city index, lat, lon] replacing published coordinates that disagree with distance_km (see the tool). */',
    'export const COORD_FIXES: readonly (readonly [number, number, number])[] = [',
    ...fixes.map((f) => `  ${JSON.stringify(f)},`),
    '];',
    '',
  ].join('\n');
  const pairsText = [
    ...header,
    `/** ${pings.length} measured directed pairs; varint stream documented in the tool (renderModule). */`,
    'export const PAIRS_B64: string = [',
    ...chunks,
    "].join('');",
    '',
  ].join('\n');
  return { cities: citiesText, pairs: pairsText, bytes: bytes.length };
}
