import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { wonderNetwork2018 } from '../net/geo/dataset.ts';
import { GeoLatency } from '../net/geo/geo-latency.ts';
import { RngStreams } from '../engine/rng.ts';
import { ScenarioError } from './errors.ts';
import { parseScenario } from './load.ts';
import { GEO_CONTINENTS } from './schema/underlay.ts';
import { Simulation, type SeriesPoint } from './simulation.ts';

const base = `name: t
durationS: 120
peers: {count: 60, joinOverS: 5}
bootstrap: {count: 3}
protocol: {kind: flood, degree: 3, pingIntervalS: 5}
metrics: {sampleEveryS: 5}
`;
const parse = (extra: string, overrides = {}) => parseScenario(base + extra, 'test.yaml', overrides);

function problems(extra: string) {
  try {
    new Simulation(parse(extra));
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as ScenarioError).problems;
  }
  throw new Error('expected a ScenarioError');
}

/** A small run with every fault at once: geo, NAT, bandwidth, loss, delay, a partition, an outage, an upgrade and churn. */
const faulty = `network:
  latency: {model: geo}
  placement: {mode: continents, shares: {Eurasia: 0.5, North America: 0.5}}
  nat: {upnpShare: 0.2}
  bandwidth: {uploadMbps: 2, downloadMbps: 10, queueKiB: 8, continents: {Eurasia: {uploadMbps: 1}}}
  loss: {rate: 0.01, pairs: [{a: Eurasia, b: North America, rate: 0.05}]}
  extraDelay: {ms: 1, pairs: [{a: Eurasia, b: North America, ms: 20}]}
churn: {arrivalsPerS: 0.5, maxArrivals: 40, session: {dist: weibull, shape: 0.6, scaleS: 60}}
versions: [{name: v1, share: 0.5}, {name: v2, share: 0.5}]
actions:
  - {atS: 20, do: partition, name: atlantic, side: {continents: [North America]}}
  - {atS: 50, do: heal, name: atlantic}
  - {atS: 60, do: outage, hosts: {continents: [Eurasia]}, restartAfterS: 20, state: lost}
  - {atS: 90, do: upgrade, from: v1, to: v3, everyS: 0.5, downtimeS: 2}
`;

describe('scenario underlay', () => {
  it('every shipped scenario is valid', () => {
    for (const f of readdirSync('scenarios').filter((n) => n.endsWith('.yaml'))) {
      expect(() => parseScenario(readFileSync(`scenarios/${f}`, 'utf8'), f), f).not.toThrow();
    }
  });

  it('the schema continents are the dataset continents', () => {
    expect([...GEO_CONTINENTS]).toEqual([...wonderNetwork2018().continents]);
  });

  it('geo latency is wired: placed hosts, draws within the measured bounds, describe() in the summary', () => {
    const sim = new Simulation(parse('network: {latency: {model: geo, intraCityMs: 3}, placement: {mode: continents, shares: {Oceania: 1}}}\n'));
    const lat = sim.underlay.latency as GeoLatency;
    expect(lat).toBeInstanceOf(GeoLatency);
    expect(lat.dataset.intraCity.avgMs).toBe(3);
    const geo = sim.underlay.hosts.geo!;
    expect(geo.count).toBe(60);
    for (let h = 0; h < 60; h++) expect(geo.continentName(h)).toBe('Oceania');
    const rng = new RngStreams(1).stream('x');
    for (let a = 0; a < 60; a++) {
      for (let b = 0; b < 60; b += 7) {
        const [lo, hi] = lat.boundsUs(a, b);
        const d = lat.oneWayUs(a, b, rng);
        expect(d).toBeGreaterThanOrEqual(lo);
        expect(d).toBeLessThanOrEqual(hi);
      }
    }
    const r = sim.runToEnd();
    const u = r.metrics.underlay as { latencyModel: string; hosts: { byContinent: Record<string, number> } };
    expect(u.latencyModel).toMatch(/^geo wondernetwork-2018: 60 hosts in \d+ cities; ordered city pairs in use: \d+ measured/);
    expect(u.hosts.byContinent.Oceania).toBe(60);
    // Same seed, same placement (stream scenario/placement); the salt comes from net/latency-salt.
    const again = new Simulation(parse('network: {latency: {model: geo, intraCityMs: 3}, placement: {mode: continents, shares: {Oceania: 1}}}\n'));
    expect(again.underlay.hosts.geo!.city).toEqual(geo.city);
  });

  it('same seed with faults ⇒ same trace hash; another seed differs', () => {
    let last!: Simulation;
    const run = (seed: number) => (last = new Simulation(parse(faulty, { seed }))).runToEnd();
    const a = run(7);
    const sim = last;
    const b = run(7);
    expect(b.traceHash, 'replay: a small faulty scenario, seed 7').toBe(a.traceHash);
    expect(JSON.stringify(b.metrics.underlay)).toBe(JSON.stringify(a.metrics.underlay));
    expect(run(8).traceHash).not.toBe(a.traceHash);
    const u = a.metrics.underlay as Record<string, any>;
    expect(u.chain).toEqual(['upload', 'partition', 'loss', 'propagation', 'extraDelay', 'download']);
    expect(u.dropped.partition).toBeGreaterThan(0);
    expect(u.dropped.loss).toBeGreaterThan(0);
    expect(u.dials.blockedByNat).toBeGreaterThan(0);
    expect(u.churn.arrivals).toBeGreaterThan(20);
    expect(u.timeline.map((e: { event: string }) => e.event)).toEqual(['partition', 'heal', 'outage', 'restore', 'upgrade-start', 'upgrade-end']);
    // After the rolling upgrade no live host runs v1 (departed hosts keep theirs).
    const h = sim.underlay.hosts;
    for (let x = 0; x < sim.world.hostCount; x++) if (sim.world.isUp(x)) expect(h.versionNames[h.version[x]]).not.toBe('v1');
    expect(u.hosts.byVersion.v3).toBeGreaterThan(0);
  });

  it('an outage takes a whole continent down and brings it back (state lost = fresh protocol objects)', () => {
    const sim = new Simulation(
      parse(`network: {placement: {mode: continents, shares: {Eurasia: 0.5, Africa: 0.5}}}
actions: [{atS: 30, do: outage, name: dark, hosts: {continents: [Africa]}, restartAfterS: 40, state: lost}]
`),
    );
    const geo = sim.underlay.hosts.geo!;
    const african = Array.from({ length: 60 }, (_, h) => h).filter((h) => geo.continentName(h) === 'Africa');
    const before = african.map((h) => sim.world.protocolOf(h));
    const r = sim.runToEnd();
    const at = (t: number) => (r.metrics.series as SeriesPoint[]).find((p) => p.tS === t)!;
    expect(at(25)['hostsUp.Africa']).toBe(african.length);
    expect(at(35)['hostsUp.Africa']).toBe(0);
    expect(at(35).hostsUp).toBe(60 - african.length);
    expect(at(75).hostsUp).toBe(60);
    african.forEach((h, i) => expect(sim.world.protocolOf(h)).not.toBe(before[i]));
    expect((r.metrics.underlay as { timeline: unknown[] }).timeline).toEqual([
      { tS: 30, event: 'outage', name: 'dark', hosts: african.length },
      { tS: 70, event: 'restore', name: 'dark', hosts: african.length },
    ]);
  });

  it('errors name the field: unknown continent, city, AS, version, heal without a partition', () => {
    expect(problems('actions: [{atS: 1, do: partition, side: {continents: [Europe]}}]\n')[0]).toMatchObject({ path: 'actions.0.side.continents.0' });
    expect(problems('actions: [{atS: 1, do: partition, side: {cities: [Tokyo, Atlantis]}}]\n')[0]).toMatchObject({ path: 'actions.0.side.cities.1', line: 7, got: '"Atlantis"' });
    expect(problems('network: {placement: {mode: cities, weights: [{city: Atlantis, weight: 1}]}}\n')[0]).toMatchObject({ path: 'network.placement.weights.0.city' });
    expect(problems('actions: [{atS: 1, do: outage, hosts: {ases: ["Germany#1", "Germany#99", "Narnia#1"]}}]\n').map((p) => p.path)).toEqual(['actions.0.hosts.ases.1', 'actions.0.hosts.ases.2']);
    expect(problems('actions: [{atS: 1, do: outage, hosts: {versions: [v9]}}]\n')[0]).toMatchObject({ path: 'actions.0.hosts.versions.0' });
    expect(problems('actions: [{atS: 1, do: heal, name: x}]\n')[0]).toMatchObject({ path: 'actions.0.name' });
    expect(problems('actions: [{atS: 1, do: partition, side: {}}]\n')[0]).toMatchObject({ path: 'actions.0.side' });
    expect(problems('network: {nat: {mix: {public: 1, carrier: 1}}}\n')[0]).toMatchObject({ path: 'network.nat.mix.carrier' });
    expect(problems('network: {bandwidth: {continents: {Europe: {uploadMbps: 1}}}}\n')[0].allowed).toContain('allowed here: Africa, Eurasia');
    expect(problems('actions: [{atS: 1, do: explode, peers: [1]}]\n')[0]).toMatchObject({ path: 'actions.0.do' });
  });

  it('old crash / stop / restart actions keep working', () => {
    const sim = new Simulation(parse('actions: [{atS: 10, do: crash, peers: [5]}, {atS: 20, do: restart, peers: [5]}]\n'));
    sim.world.scheduler.run(15_000_000);
    expect(sim.world.isUp(5)).toBe(false);
    sim.runToEnd();
    expect(sim.world.isUp(5)).toBe(true);
  });
});
