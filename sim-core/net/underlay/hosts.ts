import type { HostGeo } from '../geo/placement.ts';
import { NAT_PUBLIC } from './nat.ts';

/**
 * Which hosts an action concerns: the union of every listed criterion.
 * ASes are named "Country#rank" (rank 1 = the country's largest AS), as
 * HostGeo numbers them; `hosts` are addresses.
 */
export interface HostSelector {
  all?: boolean;
  continents?: readonly string[];
  cities?: readonly string[];
  ases?: readonly string[];
  versions?: readonly string[];
  hosts?: readonly number[];
}

export interface UnderlayHostsOptions {
  capacity: number;
  geo?: HostGeo;
  nat?: Uint8Array;
  upnp?: Uint8Array;
  /** Version code per host and the names of the codes. */
  version?: Uint8Array;
  versionNames?: readonly string[];
}

/**
 * Per-host attributes of the underlay, indexed by address up to a fixed
 * capacity (every host a run may create is placed up front, so hosts that
 * arrive later already have a city, a NAT and a version).
 */
export class UnderlayHosts {
  readonly capacity: number;
  readonly geo: HostGeo | undefined;
  /** Continent index into geo.dataset.continents, -1 when unplaced. */
  readonly continent: Int32Array;
  readonly nat: Uint8Array;
  readonly upnp: Uint8Array;
  readonly version: Uint8Array;
  readonly versionNames: string[];

  constructor(o: UnderlayHostsOptions) {
    const n = (this.capacity = o.capacity);
    if (o.geo && o.geo.count < n) throw new RangeError(`underlay: ${o.geo.count} hosts placed, capacity ${n}`);
    this.geo = o.geo;
    this.continent = o.geo ? o.geo.continent.slice(0, n) : new Int32Array(n).fill(-1);
    this.nat = sized(o.nat, n);
    this.upnp = sized(o.upnp, n);
    this.version = sized(o.version, n);
    this.versionNames = [...(o.versionNames ?? ['v1'])];
  }

  /** Whether inbound dials reach the host: no NAT, or a UPnP port mapping. */
  reachable(h: number): boolean {
    return this.nat[h] === NAT_PUBLIC || this.upnp[h] === 1;
  }

  continentNames(): readonly string[] {
    return this.geo ? this.geo.dataset.continents : [];
  }

  /** Code of a version name, registering it if new (rolling upgrades introduce versions). */
  versionCode(name: string): number {
    let i = this.versionNames.indexOf(name);
    if (i < 0) {
      if (this.versionNames.length >= 256) throw new RangeError('more than 256 software versions');
      i = this.versionNames.push(name) - 1;
    }
    return i;
  }

  /** Throws if the selector names a continent, city or AS the placement does not know, or needs a placement that is missing. */
  check(sel: HostSelector): void {
    const needsGeo = (sel.continents?.length ?? 0) + (sel.cities?.length ?? 0) + (sel.ases?.length ?? 0) > 0;
    if (needsGeo && !this.geo) throw new RangeError('selecting by continent, city or AS needs a placement (network.placement or latency model geo)');
    this.resolveGeo(sel);
  }

  /** Mask over all placed hosts (current versions): 1 if selected. */
  select(sel: HostSelector): Uint8Array {
    const n = this.capacity;
    const out = new Uint8Array(n);
    if (sel.all) return out.fill(1);
    this.check(sel);
    const { continents, cities, ases } = this.resolveGeo(sel);
    const versions = new Set((sel.versions ?? []).map((v) => this.versionNames.indexOf(v)).filter((i) => i >= 0));
    const g = this.geo;
    for (let h = 0; h < n; h++) {
      if (
        versions.has(this.version[h]) ||
        (g !== undefined && (continents.has(g.continent[h]) || cities.has(g.city[h]) || ases.has(g.as[h])))
      ) out[h] = 1;
    }
    for (const h of sel.hosts ?? []) if (h >= 0 && h < n) out[h] = 1;
    return out;
  }

  private resolveGeo(sel: HostSelector): { continents: Set<number>; cities: Set<number>; ases: Set<number> } {
    const g = this.geo;
    const continents = new Set<number>();
    const cities = new Set<number>();
    const ases = new Set<number>();
    if (!g) return { continents, cities, ases };
    const d = g.dataset;
    for (const c of sel.continents ?? []) continents.add(known(d.continents.indexOf(c), 'continent', c, d.continents.join(', ')));
    for (const c of sel.cities ?? []) cities.add(known(d.cityIndex(c), 'city', c, 'a city of the dataset'));
    for (const name of sel.ases ?? []) {
      const m = /^(.+)#(\d+)$/.exec(name);
      let found = -1;
      for (let a = 0; m && a < g.asn.length && found < 0; a++) {
        if (d.countries[g.asCountry[a]] === m[1] && g.asRank[a] === Number(m[2])) found = a;
      }
      ases.add(known(found, 'AS', name, '"Country#rank", e.g. "Germany#1"'));
    }
    return { continents, cities, ases };
  }
}

function known(i: number, what: string, name: string, allowed: string): number {
  if (i < 0) throw new RangeError(`unknown ${what} ${JSON.stringify(name)}; allowed: ${allowed}`);
  return i;
}

function sized(a: Uint8Array | undefined, n: number): Uint8Array {
  const out = new Uint8Array(n);
  if (a) out.set(a.subarray(0, n));
  return out;
}
