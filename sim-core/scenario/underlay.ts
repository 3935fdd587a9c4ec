import type { Rng, RngStreams } from '../engine/rng.ts';
import { msToUs } from '../engine/time.ts';
import { wonderNetwork2018 } from '../net/geo/dataset.ts';
import { placeHosts, type HostGeo, type PlacementMode } from '../net/geo/placement.ts';
import type { LatencyModel } from '../net/latency.ts';
import { Bandwidth } from '../net/underlay/bandwidth.ts';
import { UnderlayHosts, type HostSelector } from '../net/underlay/hosts.ts';
import { Impairments, type ContinentPairValue } from '../net/underlay/impairments.ts';
import { drawNatTypes, HolePunch, NAT_PUBLIC, NAT_TYPES } from '../net/underlay/nat.ts';
import { drawRelays, RelayModel } from '../net/underlay/relay.ts';
import { UnderlayTransit } from '../net/underlay/transit.ts';
import type { World } from '../net/world.ts';
import { buildLatency, intraCityFor } from './build.ts';
import { ScenarioError } from './errors.ts';
import { hostCount } from './resources.ts';
import type { SelectorSpec } from './schema/actions.ts';
import type { Scenario } from './schema/index.ts';
import type { PlacementConfig } from './schema/underlay.ts';

/** One entry of `metrics.underlay.timeline`: when a partition, heal, outage, restore or upgrade happened. */
export interface TimelineEntry {
  tS: number;
  event: 'partition' | 'heal' | 'outage' | 'restore' | 'upgrade-start' | 'upgrade-end';
  name: string;
  /** Hosts concerned (partition: side sizes; outage/restore: hosts crashed/restarted). */
  hosts: number;
  otherHosts?: number;
}

/** The scenario's underlay: hosts' attributes, latency model and Transit, and what the run reports about them. */
export interface ScenarioUnderlay {
  /** Most hosts the run may create (honest + adversaries + churn arrivals); all are placed up front. */
  readonly capacity: number;
  readonly hosts: UnderlayHosts;
  readonly latency: LatencyModel;
  readonly transit: UnderlayTransit;
  readonly timeline: TimelineEntry[];
  /** 1 for hosts that left for good (churn): outages and upgrades do not bring them back. */
  readonly departed: Uint8Array;
  /** Version code a new host takes instead of its drawn one, once an upgrade of that version has begun. */
  readonly versionRemap: Map<number, number>;
  /** Mask of the hosts a selector names (initial honest peers by index = address). */
  select(sel: SelectorSpec): Uint8Array;
  /** Series figures: hosts up, per continent, drops by cause. */
  sample(world: World<unknown>): Record<string, number>;
  /** `metrics.underlay`. */
  metrics(world: World<unknown>): Record<string, unknown>;
}

function usesPlaces(sel: SelectorSpec | undefined): boolean {
  return sel !== undefined && (sel.continents !== undefined || sel.cities !== undefined || sel.ases !== undefined);
}

/** Whether anything in the scenario needs hosts to have a place. */
export function needsPlacement(s: Scenario): boolean {
  const n = s.network;
  return (
    n.latency.model === 'geo' ||
    n.placement !== undefined ||
    n.lan.segment === 'city' ||
    Object.keys(n.bandwidth?.continents ?? {}).length > 0 ||
    (n.loss?.pairs.length ?? 0) > 0 ||
    (n.extraDelay?.pairs.length ?? 0) > 0 ||
    s.actions.some((a) => (a.do === 'partition' && (usesPlaces(a.side) || usesPlaces(a.other))) || (a.do === 'outage' && usesPlaces(a.hosts)))
  );
}

function placementMode(p: PlacementConfig | undefined): PlacementMode {
  if (!p || p.mode === 'population') return { kind: 'population' };
  if (p.mode === 'continents') {
    const shares = Object.fromEntries(Object.entries(p.shares).filter((e): e is [string, number] => e[1] !== undefined));
    return { kind: 'continents', shares };
  }
  return { kind: 'cities', weights: p.weights };
}

/** Field-named error for a value the schema cannot check alone (city and AS names). */
function invalid(path: string, got: unknown, e: unknown): never {
  throw new ScenarioError('scenario', [{ path, got: JSON.stringify(got), allowed: e instanceof Error ? e.message : String(e) }]);
}

/** Builds the underlay of a scenario. Streams: see sim-core/net/underlay/README.md. */
export function buildUnderlay(s: Scenario, rng: RngStreams): ScenarioUnderlay {
  const capacity = hostCount(s).total;
  const net = s.network;
  let geo: HostGeo | undefined;
  if (needsPlacement(s)) {
    const dataset = wonderNetwork2018(net.latency.model === 'geo' ? { intraCity: intraCityFor(net.latency.intraCityMs) } : {});
    try {
      geo = placeHosts(dataset, capacity, rng.stream('scenario/placement'), { mode: placementMode(net.placement) });
    } catch (e) {
      invalid('network.placement', net.placement, e);
    }
  }
  const natCfg = net.nat;
  const nat = natCfg ? drawNatTypes(capacity, natCfg.mix, rng.stream('scenario/nat')) : new Uint8Array(capacity);
  const upnp = new Uint8Array(capacity);
  if (natCfg) drawMask(upnp, rng.stream('scenario/upnp'), (h, u) => nat[h] !== NAT_PUBLIC && u < natCfg.upnpShare);
  const versionNames = s.versions.map((v) => v.name);
  const version = drawVersions(capacity, s.versions, rng.stream('scenario/versions'));
  const hosts = new UnderlayHosts({ capacity, geo, nat, upnp, version, versionNames });

  const latency = buildLatency(net.latency, rng, geo && { dataset: geo.dataset, hostCity: geo.city });
  const continents = hosts.continentNames();
  const cIndex = (c: string) => continents.indexOf(c);
  const pairs = <T extends { a: string; b: string }>(list: readonly T[] | undefined, value: (p: T) => number): ContinentPairValue[] =>
    (list ?? []).map((p) => ({ a: cIndex(p.a), b: cIndex(p.b), value: value(p) }));
  const impairments =
    net.loss || net.extraDelay
      ? new Impairments({
          continentOf: hosts.continent,
          continents: continents.length,
          lossRate: net.loss?.rate,
          lossPairs: pairs(net.loss?.pairs, (p) => p.rate),
          lossMode: net.loss?.mode,
          retransmitUs: msToUs(net.loss?.retransmitMs ?? 200),
          delayUs: msToUs(net.extraDelay?.ms ?? 0),
          delayPairs: pairs(net.extraDelay?.pairs, (p) => msToUs(p.ms)),
          rng: rng.stream('net/loss'),
        })
      : undefined;
  let bandwidth: Bandwidth | undefined;
  if (net.bandwidth) {
    const bw = net.bandwidth;
    bandwidth = new Bandwidth(capacity, bw.queueKiB * 1024);
    const per = bw.continents as Record<string, { uploadMbps?: number; downloadMbps?: number } | undefined>;
    for (let h = 0; h < capacity; h++) {
      const o = hosts.continent[h] >= 0 ? per[continents[hosts.continent[h]]] : undefined;
      bandwidth.setHost(h, o?.uploadMbps ?? bw.uploadMbps, o?.downloadMbps ?? bw.downloadMbps);
    }
  }
  const relays = natCfg
    ? new RelayModel(capacity, natCfg.relays.slots, drawRelays((h) => hosts.reachable(h), capacity, natCfg.relays.share, rng.stream('scenario/relays')))
    : undefined;
  const transit = new UnderlayTransit({ hosts, punch: new HolePunch(rng.stream('net/punch')), bandwidth, impairments, relays });

  const select = (sel: SelectorSpec): Uint8Array => {
    const { peers, ...rest } = sel;
    const h: HostSelector = { ...rest, hosts: peers };
    return hosts.select(h);
  };
  // Fail before the run on names the schema cannot check (cities, ASes).
  s.actions.forEach((a, i) => {
    const check = (sel: SelectorSpec | undefined, field: string) => {
      if (!sel) return;
      try {
        hosts.check(sel);
      } catch (e) {
        invalid(`actions.${i}.${field}`, sel, e);
      }
    };
    if (a.do === 'partition') {
      check(a.side, 'side');
      check(a.other, 'other');
    } else if (a.do === 'outage') check(a.hosts, 'hosts');
  });

  const timeline: TimelineEntry[] = [];
  const departed = new Uint8Array(capacity);
  return {
    capacity,
    hosts,
    latency,
    transit,
    timeline,
    departed,
    versionRemap: new Map(),
    select,
    sample: (world) => sampleHosts(world, hosts, transit),
    metrics: (world) => ({
      latencyModel: latency.describe(),
      hosts: hostSummary(world, hosts, relays),
      ...transit.metrics(),
      partitionsInForce: transit.partitions.inForce(),
      timeline,
    }),
  };
}

function drawMask(out: Uint8Array, rng: Rng, keep: (h: number, u: number) => boolean): void {
  // One draw per host whatever its type, so changing the NAT mix does not shift other hosts' draws.
  for (let h = 0; h < out.length; h++) out[h] = keep(h, rng.next()) ? 1 : 0;
}

function drawVersions(capacity: number, versions: readonly { share: number }[], rng: Rng): Uint8Array {
  const out = new Uint8Array(capacity);
  const total = versions.reduce((t, v) => t + v.share, 0);
  if (versions.length === 1 || !(total > 0)) return out;
  for (let h = 0; h < capacity; h++) {
    let x = rng.next() * total;
    let i = 0;
    while (i < versions.length - 1 && x >= versions[i].share) x -= versions[i++].share;
    out[h] = i;
  }
  return out;
}

function sampleHosts(world: World<unknown>, hosts: UnderlayHosts, transit: UnderlayTransit): Record<string, number> {
  const names = hosts.continentNames();
  const perContinent = new Int32Array(names.length);
  let up = 0;
  for (let h = 0; h < world.hostCount; h++) {
    if (!world.isUp(h)) continue;
    up++;
    const c = hosts.continent[h];
    if (c >= 0) perContinent[c]++;
  }
  const out: Record<string, number> = { hostsUp: up };
  names.forEach((n, i) => (out[`hostsUp.${n}`] = perContinent[i]));
  for (const [cause, n] of Object.entries(transit.dropCounts())) out[`dropped.${cause}`] = n;
  return out;
}

function hostSummary(world: World<unknown>, hosts: UnderlayHosts, relays: RelayModel | undefined) {
  const n = world.hostCount;
  const count = (names: readonly string[], code: (h: number) => number) => {
    const c = new Array(names.length).fill(0);
    for (let h = 0; h < n; h++) if (code(h) >= 0) c[code(h)]++;
    return Object.fromEntries(names.map((name, i) => [name, c[i]]));
  };
  return {
    capacity: hosts.capacity,
    created: n,
    up: count(['up'], (h) => (world.isUp(h) ? 0 : -1)).up,
    byContinent: count(hosts.continentNames(), (h) => hosts.continent[h]),
    byNat: count(NAT_TYPES, (h) => hosts.nat[h]),
    upnp: count(['upnp'], (h) => (hosts.upnp[h] ? 0 : -1)).upnp,
    relays: relays ? relays.relays.filter((r) => r < n).length : 0,
    byVersion: count(hosts.versionNames, (h) => hosts.version[h]),
  };
}
