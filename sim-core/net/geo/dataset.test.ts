import { describe, expect, it } from 'vitest';
import { GeoDataset, wonderNetwork2018 } from './dataset.ts';

describe('GeoDataset (wondernetwork-2018)', () => {
  const d = wonderNetwork2018();
  const city = (name: string) => {
    const i = d.cityIndex(name);
    expect(i, name).toBeGreaterThanOrEqual(0);
    return i;
  };

  it('resolves every ordered city pair: measured, reverse, fitted or intra-city', () => {
    expect(d.n).toBe(241);
    expect(d.coverage()).toEqual({ measured: 57_327, reverse: 477, fitted: 36, 'intra-city': 241 });
    expect(d.continents).toEqual(['Africa', 'Eurasia', 'North America', 'Oceania', 'South America']);
    expect(d.countries).toHaveLength(83);
    expect(d.cityIndex('Atlantis')).toBe(-1);
  });

  it('a pair measured in one direction only uses the reverse one', () => {
    const fresh = wonderNetwork2018();
    const [a, b] = [city('Hangzhou'), city('Adelaide')];
    const there = fresh.rtt(a, b);
    const back = fresh.rtt(b, a);
    expect(back.source).toBe('measured');
    expect(there).toEqual({ ...back, source: 'reverse' });
    expect(back).toMatchObject({ avgMs: 363.47, minMs: 345.91, maxMs: 396.47, mdevMs: 13.05 });
    expect(fresh.fallbacksUsed).toEqual({ reverse: 1, fitted: 0, intraCity: 0 });
  });

  it('a pair measured in neither direction is fitted from great-circle distance', () => {
    const fresh = wonderNetwork2018();
    const [a, b] = [city('Missoula'), city('Paris')];
    const r = fresh.rtt(a, b);
    const f = fresh.fit;
    const km = fresh.distanceKm[a * fresh.n + b];
    expect(km).toBeGreaterThan(7_500); // Montana–Paris, about 8,000 km
    expect(km).toBeLessThan(8_500);
    expect(r.source).toBe('fitted');
    expect(r.avgMs).toBeCloseTo(f.interceptMs + f.msPerKm * km, 9);
    expect(r.minMs).toBeLessThanOrEqual(r.avgMs);
    expect(r.maxMs).toBeGreaterThanOrEqual(r.avgMs);
    expect(fresh.rtt(b, a)).toEqual(r);
    expect(fresh.fallbacksUsed).toEqual({ reverse: 0, fitted: 2, intraCity: 0 });
  });

  it('a fitted pair involving a corrected city uses the corrected position', () => {
    const [fez, toledo] = [city('Fez'), city('Toledo')];
    expect(d.cities[toledo].coordsCorrected).toBe(true); // published point is Toledo, Spain
    expect(d.distanceKm[fez * d.n + toledo]).toBeGreaterThan(6_000); // Toledo, Ohio
    expect(d.rtt(fez, toledo).avgMs).toBeGreaterThan(120);
  });

  it('the distance fit is a least-squares line over the 57,327 measured pairs', () => {
    const f = d.fit;
    expect(f.pairs).toBe(57_327);
    expect(f.interceptMs).toBeGreaterThan(10);
    expect(f.interceptMs).toBeLessThan(60);
    expect(f.msPerKm).toBeGreaterThan(0.01); // light in fibre: 0.01 ms/km round trip
    expect(f.msPerKm).toBeLessThan(0.03);
    // Normal equations: residuals sum to zero and are uncorrelated with distance.
    let sr = 0;
    let sxr = 0;
    let sx = 0;
    for (let k = 0; k < d.n * d.n; k++) {
      if (d.source[k] !== 0) continue;
      const resid = d.avgMs[k] - (f.interceptMs + f.msPerKm * d.distanceKm[k]);
      sr += resid;
      sxr += resid * d.distanceKm[k];
      sx += d.distanceKm[k];
    }
    expect(Math.abs(sr / f.pairs)).toBeLessThan(1e-6);
    expect(Math.abs(sxr / sx)).toBeLessThan(1e-6);
    expect(f.minRatio).toBeLessThanOrEqual(1);
    expect(f.maxRatio).toBeGreaterThanOrEqual(1);
  });

  it('same-city pairs take the configurable intra-city RTT', () => {
    const tokyo = city('Tokyo');
    expect(d.rtt(tokyo, tokyo)).toEqual({ avgMs: 2, minMs: 1, maxMs: 4, mdevMs: 0.5, source: 'intra-city' });
    const custom = new GeoDataset({ intraCity: { avgMs: 0.8, minMs: 0.3 } });
    expect(custom.rtt(tokyo, tokyo)).toEqual({ avgMs: 0.8, minMs: 0.3, maxMs: 4, mdevMs: 0.5, source: 'intra-city' });
    expect(custom.fallbacksUsed.intraCity).toBe(1);
    expect(() => new GeoDataset({ intraCity: { avgMs: 5, maxMs: 4 } })).toThrow(/intraCity/);
  });

  it('is identical however often it is built (no hidden state)', () => {
    const again = wonderNetwork2018();
    expect(again.fit).toEqual(d.fit);
    expect(again.avgMs.every((v, k) => Object.is(v, d.avgMs[k]))).toBe(true);
    expect(again.source.every((v, k) => v === d.source[k])).toBe(true);
    expect(() => d.rtt(0, 241)).toThrow(RangeError);
  });
});
