import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng, RngStreams } from '../../engine/rng.ts';
import { wonderNetwork2018 } from './dataset.ts';
import { cityWeights, placeHosts, type HostGeo } from './placement.ts';

const d = wonderNetwork2018();
const N = 40_000;
const rng = (seed: number) => new RngStreams(seed).stream('scenario/placement');

/** |observed − expected| within 5 binomial standard deviations (the seed is fixed, so this never flakes). */
function expectShare(count: number, total: number, p: number, what: string) {
  const tol = 5 * Math.sqrt((p * (1 - p)) / total) + 1e-9;
  expect(Math.abs(count / total - p), `${what}: ${count}/${total} vs ${p.toFixed(4)}`).toBeLessThanOrEqual(tol);
}

function countBy(values: Int32Array, size: number): Int32Array {
  const c = new Int32Array(size);
  for (const v of values) c[v]++;
  return c;
}

describe('placeHosts', () => {
  it('by population (default): city and continent shares follow population', () => {
    const g = placeHosts(d, N, rng(1));
    const total = d.cities.reduce((s, c) => s + c.population, 0);
    const perCity = countBy(g.city, d.n);
    const top = [...d.cities].sort((a, b) => b.population - a.population || a.index - b.index).slice(0, 10);
    for (const c of top) expectShare(perCity[c.index], N, c.population / total, c.name);
    const perContinent = countBy(g.continent, d.continents.length);
    d.continents.forEach((name, k) => {
      const pop = d.cities.filter((c) => c.continent === name).reduce((s, c) => s + c.population, 0);
      expectShare(perContinent[k], N, pop / total, name);
    });
  });

  it('by continent shares, population-weighted inside each continent', () => {
    const shares = { Eurasia: 0.5, 'North America': 0.3, 'South America': 0.1, Africa: 0.1 };
    const g = placeHosts(d, N, rng(2), { mode: { kind: 'continents', shares } });
    const perContinent = countBy(g.continent, d.continents.length);
    for (const [name, share] of Object.entries(shares)) expectShare(perContinent[d.continents.indexOf(name)], N, share, name);
    expect(perContinent[d.continents.indexOf('Oceania')]).toBe(0);
    // Inside North America: the biggest city's share of that continent's hosts.
    const na = d.cities.filter((c) => c.continent === 'North America');
    const naPop = na.reduce((s, c) => s + c.population, 0);
    const biggest = na.reduce((a, b) => (b.population > a.population ? b : a));
    const inNa = perContinent[d.continents.indexOf('North America')];
    expectShare(countBy(g.city, d.n)[biggest.index], inNa, biggest.population / naPop, biggest.name);
  });

  it('by an explicit weighted city list', () => {
    const g = placeHosts(d, N, rng(3), { mode: { kind: 'cities', weights: [{ city: 'Paris', weight: 3 }, { city: 'Tokyo', weight: 1 }] } });
    const perCity = countBy(g.city, d.n);
    expectShare(perCity[d.cityIndex('Paris')], N, 0.75, 'Paris');
    expect(perCity[d.cityIndex('Paris')] + perCity[d.cityIndex('Tokyo')]).toBe(N);
    expect(g.cityName(0) === 'Paris' || g.cityName(0) === 'Tokyo').toBe(true);
  });

  it('gives each host the country and continent of its city and an AS of that country', () => {
    const g = placeHosts(d, 5_000, rng(4));
    for (let h = 0; h < g.count; h++) {
      const c = d.cities[g.city[h]];
      expect([g.countryName(h), g.continentName(h)]).toEqual([c.country, c.continent]);
      expect(g.asCountry[g.as[h]]).toBe(g.country[h]);
    }
    expect(g.asName(g.as[0])).toMatch(/^AS42\d{8} \(.+ #\d+\)$/);
  });

  it('AS lists: 3–16 per country, unique private ASNs, heavy-tailed (Zipf) sizes', () => {
    const g = placeHosts(d, N, rng(5));
    const perCountry = countBy(g.asCountry, d.countries.length);
    for (const k of perCountry) expect(k >= 3 && k <= 16).toBe(true);
    expect(new Set(g.asn).size).toBe(g.asn.length);
    for (const asn of g.asn) expect(asn >= 4_200_000_000 && asn <= 4_294_967_294).toBe(true);
    // In the United States, AS of rank r gets r^-1.2 / Σ of the hosts there.
    const us = d.countries.indexOf('United States');
    const usAs = [...g.asCountry.keys()].filter((a) => g.asCountry[a] === us);
    const hostsPerAs = countBy(g.as, g.asn.length);
    const usHosts = usAs.reduce((s, a) => s + hostsPerAs[a], 0);
    const norm = usAs.reduce((s, a) => s + g.asRank[a] ** -1.2, 0);
    for (const a of usAs) expectShare(hostsPerAs[a], usHosts, g.asRank[a] ** -1.2 / norm, `US AS #${g.asRank[a]}`);
    expect(hostsPerAs[usAs[0]]).toBeGreaterThan(5 * hostsPerAs[usAs[usAs.length - 1]]);
  });

  it('same seed ⇒ same placement and ASNs; another seed ⇒ other ones', () => {
    const same = (x: HostGeo, y: HostGeo) => x.city.every((c, i) => c === y.city[i]) && x.as.every((a, i) => a === y.as[i]) && x.asn.every((a, i) => a === y.asn[i]);
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 300 }), (seed, count) => {
        const a = placeHosts(d, count, rng(seed));
        expect(same(a, placeHosts(d, count, rng(seed)))).toBe(true);
        const one = placeHosts(d, 1, rng(seed)); // ASNs do not depend on the host count
        expect(a.asn.every((x, i) => x === one.asn[i])).toBe(true);
        const other = placeHosts(d, count, rng(seed + 1));
        expect(a.asn.some((x, i) => x !== other.asn[i])).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it('rejects bad input with a message naming it', () => {
    expect(() => cityWeights(d, { kind: 'continents', shares: { Atlantis: 1 } })).toThrow(/unknown continent "Atlantis"; known: Africa, Eurasia/);
    expect(() => cityWeights(d, { kind: 'continents', shares: { Africa: -1 } })).toThrow(/continent Africa/);
    expect(() => cityWeights(d, { kind: 'cities', weights: [{ city: 'Gotham', weight: 1 }] })).toThrow(/unknown city "Gotham"/);
    expect(() => cityWeights(d, { kind: 'cities', weights: [{ city: 'Paris', weight: 0 }] })).toThrow(/all weights are zero/);
    expect(() => cityWeights(d, { kind: 'cities', weights: [{ city: 'Paris', weight: 0 }, { city: 'Paris', weight: 1 }] })).toThrow(/Paris listed twice/);
    expect(() => placeHosts(d, -1, new Rng('x'))).toThrow(/host count/);
    expect(() => placeHosts(d, 1, new Rng('x'), { as: { minPerCountry: 5, maxPerCountry: 2 } })).toThrow(/minPerCountry/);
  });
});
