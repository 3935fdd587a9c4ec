import { describe, expect, it } from 'vitest';
import { PeerStore } from '../globalmap/peer-store.ts';
import { RecordPool } from '../globalmap/record-pool.ts';
import { F_CONNECT, F_OUT } from '../globalmap/record.ts';
import { parseScenario } from '../../scenario/load.ts';
import { Simulation } from '../../scenario/simulation.ts';
import { banFigures, eclipsedCount, honestMapAccuracy } from './security-metrics.ts';

/** A map confirming the links a–b (a dialled). */
function mapOf(links: [number, number][]): PeerStore {
  const s = new PeerStore(new RecordPool(), { maxClaims: 32, maxEntries: 64, maxSkewUs: 60e6 });
  for (const [a, b] of links) {
    s.applyLink(a, b, F_CONNECT | F_OUT, 1, 10);
    s.applyLink(b, a, F_CONNECT, 1, 10);
  }
  return s;
}

/** Honest peers 0..3 on a path 0-1-2-3; 8 and 9 are attackers (not in the true map). */
const truth = new Map<number, Set<number>>([
  [0, new Set([1])],
  [1, new Set([0, 2])],
  [2, new Set([1, 3])],
  [3, new Set([2])],
]);

describe('security metrics on constructed cases', () => {
  it('map precision and recall count honest–honest links only', () => {
    // Two true links, one false honest–honest link, links to attackers (outside both figures).
    const m = mapOf([[0, 1], [1, 2], [0, 3], [1, 9], [2, 9], [3, 8]]);
    const r = honestMapAccuracy([m], truth);
    expect(r.mapPrecision).toBeCloseTo(2 / 3, 12);
    expect(r.mapRecall).toBeCloseTo(2 / 3, 12);
    // A perfect map and an empty one: means over observers.
    const both = honestMapAccuracy([mapOf([[0, 1], [1, 2], [2, 3]]), mapOf([])], truth);
    expect(both.mapPrecision).toBe(1);
    expect(both.mapRecall).toBe(0.5);
  });

  it('recall stays ≤ 1 however many attacker links a map confirms', () => {
    const m = mapOf([[0, 1], [1, 2], [2, 3], ...[8, 9].flatMap((x) => [0, 1, 2, 3].map((h) => [h, x] as [number, number]))]);
    expect(honestMapAccuracy([m], truth)).toMatchObject({ mapPrecision: 1, mapRecall: 1 });
  });

  it('bans: honest → honest counted, each honest banner of an attacker counted once, bans by attackers ignored', () => {
    const honest = new Set([0, 1, 2]);
    const r = banFigures(
      [
        { by: 0, banned: [1, 9] },
        { by: 2, banned: [9, 9, 1] },
        { by: 9, banned: [0, 2] },
      ],
      honest,
      [8, 9],
    );
    expect(r).toMatchObject({ honestToHonestBans: 2, honestPeersBanned: 1, attackers: 2, attackersBanned: 1 });
    expect([...r.bannedBy]).toEqual([[8, 0], [9, 2]]);
  });

  it('eclipsed: every neighbour an attacker (a peer with none is isolated, not eclipsed)', () => {
    const isAttacker = (p: number) => p >= 8;
    expect(eclipsedCount([[8, 9], [9, 1], [], [9]], isAttacker)).toBe(2);
  });
});

/** 30 honest peers, 3 sleepers joining at 20 s; `forging` turns them at 120 s. */
const scenario = (forging: boolean, security = 'seed') => `
name: sleeper-small
seed: 5
durationS: 240
peers: { count: 30, joinOverS: 20 }
bootstrap: { count: 2 }
network: { latency: { model: constant, ms: 20 } }
protocol: { kind: node, strategy: globalmap, globalmap: { security: ${security} } }
adversaries:
  - { kind: sleeper, count: 3, startS: 20, forgeFromS: 120, forgeIntervalS: 5, forgeLinks: ${forging ? 8 : 0}, forgeTombstones: ${forging ? 8 : 0} }
`;

describe('security metrics in a run', () => {
  it('sleepers that turn lower honest map precision and recall; figures stay in [0, 1] and discovery agrees', () => {
    const run = (forging: boolean) => new Simulation(parseScenario(scenario(forging), 'sleeper-small.yaml')).runToEnd().metrics as Record<string, any>;
    const calm = run(false);
    const forged = run(true);
    for (const m of [calm, forged]) {
      const s = m.security;
      expect(s.attackers).toBe(3);
      expect(s.perAttacker.map((r: { kind: string }) => r.kind)).toEqual(['sleeper', 'sleeper', 'sleeper']);
      for (const k of ['honestMapPrecision', 'honestMapRecall', 'honestLcc']) {
        expect(s[k]).toBeGreaterThanOrEqual(0);
        expect(s[k]).toBeLessThanOrEqual(1);
      }
      expect(m.discovery.mapRecall).toBe(s.honestMapRecall);
      expect(m.discovery.mapPrecision).toBe(s.honestMapPrecision);
    }
    expect(forged.security.honestMapPrecision).toBeLessThan(calm.security.honestMapPrecision);
    expect(forged.security.honestMapRecall).toBeLessThan(calm.security.honestMapRecall);
  }, 300_000);

  it('against the signed map the same forgeries are refused: no false link accepted, no honest peer banned, every sleeper banned', () => {
    const m = new Simulation(parseScenario(scenario(true, 'signed'), 'sleeper-signed.yaml')).runToEnd().metrics as Record<string, any>;
    const s = m.security;
    expect(s.honestMapPrecision).toBe(1);
    expect(s.honestToHonestBans).toBe(0);
    expect(s.attackersBanned).toBe(3);
    expect(s.attackerBannedByMin).toBeGreaterThan(0);
    expect(m.node.offences['bad-signature']).toBeGreaterThan(0);
  }, 300_000);
});
