/** Peers a search lists at most (a city of a 2,500-peer run may hold a hundred). */
export const PEER_SEARCH_MAX = 12;
/** Degrees: a host sits at its city's coordinates (stored as float32). */
const SAME_PLACE_DEG = 1e-3;

export interface PeerHit {
  peer: number;
  /** "peer 12 · Paris" */
  label: string;
}

export interface SearchPlaces {
  lat: Float32Array;
  lon: Float32Array;
  cities: readonly { name: string; lat: number; lon: number }[];
}

/** True when host `address` sits at `city`'s coordinates (hosts carry their city's, as float32). */
function sitsIn(places: SearchPlaces, address: number, city: { lat: number; lon: number }): boolean {
  return Math.abs(city.lat - places.lat[address]) < SAME_PLACE_DEG && Math.abs(city.lon - places.lon[address]) < SAME_PLACE_DEG;
}

/** The city a host address sits in, by coordinates; undefined without placement. */
export function cityOf(places: SearchPlaces | undefined, address: number): string | undefined {
  if (!places || address < 0 || address >= places.lat.length) return undefined;
  return places.cities.find((c) => sitsIn(places, address, c))?.name;
}

/**
 * Peers matching a query: a peer number ("12", "peer 12", "#12") gives that
 * peer; text gives the peers of the cities whose name contains it (case and
 * accents ignored), in peer order. Bounded: at most `max` hits, query ≤ 64 chars.
 */
export function findPeers(query: string, addresses: Int32Array, places: SearchPlaces | undefined, max = PEER_SEARCH_MAX): PeerHit[] {
  const q = fold(query.trim().slice(0, 64));
  if (q === '') return [];
  const label = (peer: number) => {
    const city = cityOf(places, addresses[peer]);
    return city ? `peer ${peer} · ${city}` : `peer ${peer}`;
  };
  const num = /^(?:peer\s*|#)?(\d{1,7})$/.exec(q);
  if (num) {
    const peer = Number(num[1]);
    return peer < addresses.length ? [{ peer, label: label(peer) }] : [];
  }
  if (!places) return [];
  const cities = places.cities.filter((c) => fold(c.name).includes(q));
  if (cities.length === 0) return [];
  const hits: PeerHit[] = [];
  for (let peer = 0; peer < addresses.length && hits.length < max; peer++) {
    const a = addresses[peer];
    if (a < 0 || a >= places.lat.length) continue;
    const c = cities.find((city) => sitsIn(places, a, city));
    if (c) hits.push({ peer, label: `peer ${peer} · ${c.name}` });
  }
  return hits;
}

function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}
