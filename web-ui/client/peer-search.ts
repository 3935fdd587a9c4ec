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

/** The city a host address sits in, by coordinates; undefined without placement. */
export function cityOf(places: SearchPlaces | undefined, address: number): string | undefined {
  if (!places || address < 0 || address >= places.lat.length) return undefined;
  const lat = places.lat[address];
  const lon = places.lon[address];
  return places.cities.find((c) => Math.abs(c.lat - lat) < SAME_PLACE_DEG && Math.abs(c.lon - lon) < SAME_PLACE_DEG)?.name;
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
  const cities = new Set(places.cities.map((c, i) => (fold(c.name).includes(q) ? i : -1)).filter((i) => i >= 0));
  if (cities.size === 0) return [];
  const hits: PeerHit[] = [];
  for (let peer = 0; peer < addresses.length && hits.length < max; peer++) {
    const a = addresses[peer];
    if (a < 0 || a >= places.lat.length) continue;
    for (const i of cities) {
      const c = places.cities[i];
      if (Math.abs(c.lat - places.lat[a]) < SAME_PLACE_DEG && Math.abs(c.lon - places.lon[a]) < SAME_PLACE_DEG) {
        hits.push({ peer, label: `peer ${peer} · ${c.name}` });
        break;
      }
    }
  }
  return hits;
}

function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}
