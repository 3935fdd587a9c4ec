import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenario/load.ts';
import { Simulation } from '../../scenario/simulation.ts';

/**
 * LAN discovery (seed 003): peers that know no bootstrap node find each
 * other only through beacons multicast on their segment.
 */
const office = (segment: string, extra = '') => `
name: lan-office
seed: 9
durationS: 60
peers: { count: 12, joinOverS: 5 }
bootstrap: { count: 0 }
network:
  latency: { model: constant, ms: 1 }
  lan: { segment: ${segment} }
protocol: { kind: node, strategy: none, node: { lanBeaconS: 5 } }
${extra}
`;

const replay = (s: string) => `replay: the scenario text in sim-core/protocols/node/lan-beacons.test.ts (segment ${s}, seed 9)`;

function run(text: string) {
  const r = new Simulation(parseScenario(text, 'lan.yaml')).runToEnd();
  return { trace: r.traceHash, node: r.metrics.node as Record<string, any>, messages: r.metrics.messages as Record<string, any>, series: r.metrics.series as any };
}

describe('LAN discovery beacons', () => {
  it('with no bootstrap node, peers on one segment find each other by beacons and form one component', () => {
    const { node, messages } = run(office('all'));
    expect(node.lccFraction, replay('all')).toBe(1);
    expect(node.meanPeers).toBeGreaterThanOrEqual(4);
    // Each peer's first addresses came from beacons (later ones also from addr gossip once connected).
    expect(node.lan.discovered).toBeGreaterThanOrEqual(12);
    expect(node.lan.beaconsReceived).toBeGreaterThan(node.lan.discovered);
    expect(node.lan.beaconsInvalid).toBe(0);
    // ~12 peers × 60 s / 5 s beacons, the first at a random point of the period.
    expect(node.lan.beaconsSent).toBeGreaterThan(12 * 10);
    expect(node.lan.beaconsSent).toBeLessThanOrEqual(12 * 12);
    expect(messages.byType.beacon.count).toBe(node.lan.beaconsSent);
  });

  it('without a LAN (segment none) the same peers stay alone: beacons are the only way they met', () => {
    const { node } = run(office('none'));
    expect(node.meanPeers).toBe(0);
    expect(node.lan).toBeUndefined(); // no segment: no beacon left any host
  });

  it('beacons stay inside a city: with one segment per city, no link joins two cities', () => {
    const text = office('city', 'metrics: { sampleEveryS: 10 }').replace(
      'latency: { model: constant, ms: 1 }',
      'latency: { model: constant, ms: 1 }\n  placement: { mode: cities, weights: [{ city: Paris, weight: 1 }, { city: Tokyo, weight: 1 }] }',
    );
    const sim = new Simulation(parseScenario(text, 'lan.yaml'));
    sim.runToEnd();
    const geo = sim.underlay.hosts.geo!;
    const ov = sim.overlay()!;
    const cities = new Set<number>();
    let links = 0;
    for (let i = 0; i < ov.n; i++) {
      cities.add(geo.city[ov.addresses[i]]);
      for (let k = ov.offsets[i]; k < ov.offsets[i + 1]; k++) {
        links++;
        expect(geo.city[ov.addresses[i]], replay('city')).toBe(geo.city[ov.addresses[ov.targets[k]]]);
      }
    }
    expect(cities.size).toBe(2);
    expect(links).toBeGreaterThan(0);
  });
});

describe('LAN beacons are hostile input too', () => {
  it('any datagram bytes, a spoofed listen address or a non-beacon message are dropped and counted, never thrown', async () => {
    const fc = (await import('fast-check')).default;
    const { MsgType } = await import('../../wire/messages.ts');
    const sim = new Simulation(parseScenario(office('all', 'wire: { materialize: true }'), 'lan.yaml'));
    sim.runToEnd();
    const host = sim.population.addressOf[0];
    const node = sim.world.protocolOf(host) as unknown as { onDatagram(now: number, from: number, item: unknown): void; stats: { lanBeaconsInvalid: number; lanBeaconsReceived: number } };
    const now = sim.world.now;
    const before = node.stats.lanBeaconsInvalid;
    let sent = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        node.onDatagram(now, 5, bytes);
        sent++;
      }),
    );
    // A well-formed beacon whose listen address is not its source, and a ping sent as a datagram.
    node.onDatagram(now, 5, { type: MsgType.Beacon, peer: 1, listen: { host: 6, port: 0 }, services: 0, nonce: 1 });
    node.onDatagram(now, 5, { type: MsgType.Ping, nonce: 1 });
    expect(node.stats.lanBeaconsInvalid - before).toBe(sent + 2);
  });
});
