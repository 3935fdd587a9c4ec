import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseScenario } from '../../scenario/load.ts';
import { Simulation } from '../../scenario/simulation.ts';
import { PeerNode } from '../node/peer-node.ts';

/**
 * The random baseline's overlay must not be split by bootstrap node: group
 * every peer by the bootstrap node it dialled first, and the share of links
 * between two groups should be what a random graph gives (1 − Σ share²).
 * Before address mixing (`random-local`) peers linked mostly within their group.
 */
const FILE = 'scenarios/default.yaml';
const BOOTSTRAP = 4;
const DURATION_S = 600;

function crossing(strategy: string, seed: number): { crossing: number; expected: number } {
  const base = parse(readFileSync(FILE, 'utf8')) as Record<string, any>;
  const text = stringify({ ...base, seed, durationS: DURATION_S, peers: { count: 200, joinOverS: 120 }, bootstrap: { count: BOOTSTRAP, mesh: true }, protocol: { ...base.protocol, strategy } });
  const sim = new Simulation(parseScenario(text, FILE));
  sim.runToEnd();
  const o = sim.overlay()!;
  // Group = the first address the peer dialled (a bootstrap node: it knew nobody else); -1 for the bootstrap nodes.
  const group = Array.from(o.addresses, (a) => {
    const node = sim.world.protocolOf(a);
    const first = node instanceof PeerNode ? node.stats.attempts[0]?.address : undefined;
    return a < BOOTSTRAP || first === undefined || first >= BOOTSTRAP ? -1 : first;
  });
  let all = 0;
  let across = 0;
  for (let u = 0; u < o.n; u++) {
    if (!o.alive[u] || group[u] < 0) continue;
    for (let k = o.offsets[u]; k < o.offsets[u + 1]; k++) {
      const v = o.targets[k];
      if (!o.alive[v] || group[v] < 0) continue;
      all++;
      if (group[u] !== group[v]) across++;
    }
  }
  const sizes = new Map<number, number>();
  for (const g of group) if (g >= 0) sizes.set(g, (sizes.get(g) ?? 0) + 1);
  const n = [...sizes.values()].reduce((x, y) => x + y, 0);
  const expected = 1 - [...sizes.values()].reduce((s, k) => s + (k / n) ** 2, 0);
  return { crossing: across / all, expected };
}

describe('random strategy: addresses mixed network-wide', () => {
  it('links cross "first bootstrap node met" groups as often as in a random graph (200 peers, 4 bootstrap nodes)', () => {
    const replay = (seed: number, strategy: string, r: object) =>
      `replay: seed ${seed}, strategy ${strategy}, scenarios/default.yaml with 200 peers, 4 meshed bootstrap nodes, 600 s: ${JSON.stringify(r)}`;
    // Measured: 0.96 of the random expectation for random (seeds 1, 2), 0.79 for random-local; 0.9 leaves room for seeds.
    let mixed = 0;
    for (const seed of [1, 2]) {
      const r = crossing('random', seed);
      expect(r.crossing, replay(seed, 'random', r)).toBeGreaterThan(0.9 * r.expected);
      mixed = r.crossing;
    }
    const local = crossing('random-local', 2);
    expect(local.crossing, replay(2, 'random-local', local)).toBeLessThan(mixed);
  }, 120_000);
});
