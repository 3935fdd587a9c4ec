import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CITIES_MODULE, COORD_FIXES as FIX_NAMES, haversineKm, PAIRS_MODULE, renderModules } from '../../../node/tools/geo-data-build.ts';
import { wonderNetwork2018 } from '../dataset.ts';
import { encodeVarints, fromBase64, toBase64, VarintReader } from './codec.ts';

const dir = join('sim-core', 'net', 'geo', 'data');
const csv = (name: string) => readFileSync(join(dir, 'wondernetwork-2018', name), 'utf8');

/** An independent parse (not the tool's), char by char: quoted fields hold "1,407.07". */
function rows(text: string): string[][] {
  const out: string[][] = [];
  for (const line of text.split('\n')) {
    const l = line.replace(/\r$/, '');
    if (l === '') continue;
    const fields = [''];
    let quoted = false;
    for (const ch of l) {
      if (ch === '"') quoted = !quoted;
      else if (ch === ',' && !quoted) fields.push('');
      else fields[fields.length - 1] += ch;
    }
    out.push(fields);
  }
  return out.slice(1);
}
const ms = (s: string) => Number(s.replace(/,/g, ''));

describe('wondernetwork-2018 generated module', () => {
  const d = wonderNetwork2018();
  const cities = rows(csv('cities.csv'));
  const pings = rows(csv('pings.csv'));

  it('holds every city exactly as published', () => {
    expect(cities).toHaveLength(241);
    expect(d.cities).toHaveLength(241);
    cities.forEach(([name, country, continent, lat, lon, pop], i) => {
      const c = d.cities[i];
      expect([c.name, c.country, c.continent, c.publishedLat, c.publishedLon, c.population]).toEqual([name, country, continent, Number(lat), Number(lon), Number(pop)]);
      if (!c.coordsCorrected) expect([c.lat, c.lon]).toEqual([c.publishedLat, c.publishedLon]);
    });
  });

  it('holds every measured pair exactly, and only those', () => {
    expect(pings).toHaveLength(57_327);
    const n = d.n;
    const seen = new Uint8Array(n * n);
    const wrong: string[] = [];
    for (const row of pings) {
      const [src, dst, avg, min, max, mdev, km] = row;
      const k = d.cityIndex(src) * n + d.cityIndex(dst);
      seen[k] = 1;
      // The dataset stores centi-ms integers / 100: the same double as parsing the text.
      const got = [d.source[k], d.avgMs[k], d.minMs[k], d.maxMs[k], d.mdevMs[k], d.distanceKm[k]];
      const want = [0, ms(avg), ms(min), ms(max), ms(mdev), Number(km)];
      if (got.some((v, i) => v !== want[i])) wrong.push(`${row.join()} → ${got.join()}`);
    }
    expect(wrong).toEqual([]);
    let unmeasured = 0;
    for (let k = 0; k < n * n; k++) if (!seen[k] && d.source[k] !== 0) unmeasured++;
    expect(unmeasured).toBe(n * n - pings.length);
  });

  it('is what the generator makes from the committed CSVs (regenerate with the tool if this fails)', () => {
    const { cities, pairs } = renderModules(csv('cities.csv'), csv('pings.csv'));
    expect(cities === readFileSync(join(dir, CITIES_MODULE), 'utf8')).toBe(true);
    expect(pairs === readFileSync(join(dir, PAIRS_MODULE), 'utf8')).toBe(true);
  });

  it('stays reasonably small', () => {
    expect(readFileSync(join(dir, CITIES_MODULE)).length + readFileSync(join(dir, PAIRS_MODULE)).length).toBeLessThan(2_000_000);
  });

  it('corrected coordinates agree with distance_km; published ones of those cities did not', () => {
    const medianError = (i: number, lat: number, lon: number) => {
      const errs: number[] = [];
      for (let j = 0; j < d.n; j++) {
        if (j === i || d.source[i * d.n + j] !== 0 || d.cities[j].coordsCorrected) continue;
        errs.push(Math.abs(haversineKm(lat, lon, d.cities[j].lat, d.cities[j].lon) - d.distanceKm[i * d.n + j]));
      }
      return errs.sort((x, y) => x - y)[errs.length >> 1];
    };
    const fixed = d.cities.filter((c) => c.coordsCorrected);
    expect(fixed.map((c) => c.name)).toEqual(FIX_NAMES);
    for (const c of fixed) {
      expect(medianError(c.index, c.lat, c.lon), c.name).toBeLessThan(60);
      expect(medianError(c.index, c.publishedLat, c.publishedLon), c.name).toBeGreaterThan(200);
    }
    // Everyone else agrees, bar the two documented exceptions.
    const off = d.cities.filter((c) => !c.coordsCorrected && medianError(c.index, c.lat, c.lon) > 200).map((c) => c.name);
    expect(off).toEqual(['Panama', 'Tunis']);
  });

  it('ships the data README with the attribution', () => {
    const readme = csv('README.md');
    expect(readme).toContain('WonderNetwork');
    expect(readme).toContain('Consensys/wittgenstein');
    expect(readme).toContain('Apache-2.0');
  });
});

describe('varint/base64 codec', () => {
  it('round-trips any unsigned 32-bit integers', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 0xffffffff }), { maxLength: 200 }), (values) => {
        const b64 = toBase64(encodeVarints(values));
        const r = new VarintReader(fromBase64(b64));
        expect(values.map(() => r.next())).toEqual(values);
        expect(r.done).toBe(true);
      }),
    );
  });

  it('base64 matches the platform encoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
        expect([...fromBase64(toBase64(bytes))]).toEqual([...bytes]);
      }),
    );
  });
});
