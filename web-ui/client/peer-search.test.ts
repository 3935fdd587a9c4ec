import { describe, expect, it } from 'vitest';
import { cityOf, findPeers, PEER_SEARCH_MAX, type SearchPlaces } from './peer-search.ts';

const cities = [
  { name: 'Paris', lat: 48.85, lon: 2.35 },
  { name: 'São Paulo', lat: -23.55, lon: -46.63 },
  { name: 'Parisville', lat: 10, lon: 10 },
];
/** Host address h sits in city h % 3. */
function placesFor(hosts: number): SearchPlaces {
  const lat = new Float32Array(hosts);
  const lon = new Float32Array(hosts);
  for (let h = 0; h < hosts; h++) {
    lat[h] = cities[h % 3].lat;
    lon[h] = cities[h % 3].lon;
  }
  return { lat, lon, cities };
}

describe('finding a peer by number or city', () => {
  const places = placesFor(100);
  // Peers are not their addresses (bootstrap nodes take the first ones).
  const addresses = Int32Array.from({ length: 40 }, (_, i) => i + 5);

  it('a number, "peer N" or "#N" gives that peer with its city; out of range gives none', () => {
    for (const q of ['7', 'peer 7', '#7', ' Peer7 ']) expect(findPeers(q, addresses, places)).toEqual([{ peer: 7, label: `peer 7 · ${cityOf(places, 12)}` }]);
    expect(cityOf(places, 12)).toBe('Paris');
    expect(findPeers('40', addresses, places)).toEqual([]);
    expect(findPeers('', addresses, places)).toEqual([]);
  });

  it('text lists the peers of every city whose name holds it, accents and case ignored, bounded', () => {
    const sao = findPeers('sao', addresses, places, 100);
    expect(sao.length).toBeGreaterThan(0);
    for (const h of sao) expect((addresses[h.peer] % 3) === 1 && h.label.endsWith('São Paulo')).toBe(true);
    expect(sao.length).toBe(Array.from(addresses).filter((a) => a % 3 === 1).length);
    const paris = findPeers('PARIS', addresses, places, 100);
    expect(new Set(paris.map((h) => addresses[h.peer] % 3))).toEqual(new Set([0, 2]));
    expect(findPeers('paris', addresses, places)).toHaveLength(PEER_SEARCH_MAX);
    expect(findPeers('atlantis', addresses, places)).toEqual([]);
    expect(findPeers('paris', addresses, undefined)).toEqual([]);
    expect(findPeers('x'.repeat(10_000), addresses, places)).toEqual([]);
  });
});
