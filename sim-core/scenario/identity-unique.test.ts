import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Identity } from '../protocols/identity/registry.ts';
import { parseScenario, validateScenarioObject } from './load.ts';
import type { Scenario } from './schema/index.ts';
import { Simulation } from './simulation.ts';

/** Churn arrivals added by hand past the initial peers (they take the honest indices right after them). */
const EXTRA_ARRIVALS = 12;
/** Shipped scenarios are built with at most this many initial peers (identities do not depend on the count). */
const MAX_BUILT_PEERS = 300;

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (name.endsWith('.yaml')) out.push(p);
  }
  return out;
}

/**
 * Builds the run (hosts are created, nothing is simulated), then adds churn
 * arrivals the way churn does (`addHonest`) as many as there are adversaries
 * plus a margin: those are the honest indices that used to share streams
 * with adversaries. Returns every host's identity.
 */
function identitiesOf(scenario: Scenario): Identity[] {
  const sim = new Simulation(scenario);
  const arrivals = scenario.adversaries.reduce((n, a) => n + a.count, 0) + EXTRA_ARRIVALS;
  for (let i = 0; i < arrivals; i++) if (sim.population.addHonest(sim.endUs) < 0) break;
  const out: Identity[] = [];
  for (let a = 0; a < sim.world.hostCount; a++) {
    const id = (sim.world.protocolOf(a) as { identity?: Identity }).identity;
    if (id !== undefined) out.push(id);
  }
  return out;
}

function expectUnique(ids: Identity[], hosts: number): void {
  expect(ids.length).toBe(hosts);
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  expect(new Set(ids.map((i) => i.num)).size).toBe(ids.length);
  expect(new Set(ids.map((i) => hex(i.secretKey))).size).toBe(ids.length);
  expect(new Set(ids.map((i) => hex(i.publicKey))).size).toBe(ids.length);
  expect(new Set(ids.map((i) => hex(i.peerId))).size).toBe(ids.length);
}

describe('one identity per host', () => {
  it('every shipped scenario: key pairs, peer ids and PeerNums are unique over honest peers, adversaries and churn arrivals', () => {
    const files = yamlFiles('scenarios');
    expect(files.length).toBeGreaterThan(10);
    let checked = 0;
    for (const file of files) {
      let scenario = parseScenario(readFileSync(file, 'utf8'), file);
      if (scenario.protocol.kind !== 'node') continue; // flood peers carry no key pairs
      if (scenario.peers.count > MAX_BUILT_PEERS) scenario = parseScenario(readFileSync(file, 'utf8'), file, { peers: MAX_BUILT_PEERS });
      const ids = identitiesOf(scenario);
      const adversaries = scenario.adversaries.reduce((n, a) => n + a.count, 0);
      expect(ids.length, file).toBeGreaterThanOrEqual(scenario.peers.count + adversaries);
      expectUnique(ids, ids.length);
      checked++;
    }
    expect(checked).toBeGreaterThan(5);
  }, 300_000);

  it('random mixes of honest waves, adversaries of every kind and churn arrivals never share an identity', () => {
    const kinds = ['garbage', 'oversized', 'out-of-order', 'flood', 'bad-signature', 'sybil', 'sleeper', 'poisoned-sync', 'slot-exhaustion', 'relay'] as const;
    const population = fc.record({
      waves: fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 3 }),
      adversaries: fc.array(fc.record({ kind: fc.constantFrom(...kinds), count: fc.integer({ min: 1, max: 5 }) }), { maxLength: 3 }),
      churn: fc.boolean(),
      seed: fc.integer({ min: 1, max: 1000 }),
      strategy: fc.constantFrom('none', 'globalmap', 'kademlia'),
    });
    fc.assert(
      fc.property(population, (p) => {
        const count = p.waves.reduce((a, b) => a + b, 0);
        const scenario = validateScenarioObject({
          name: 'mix',
          seed: p.seed,
          durationS: 60,
          peers: { count, waves: p.waves.map((c, i) => ({ count: c, atS: i * 5 })) },
          bootstrap: { count: 1 },
          protocol: { kind: 'node', strategy: p.strategy },
          adversaries: p.adversaries.map((a) => ({ ...a, victims: 1 })),
          ...(p.churn ? { churn: { arrivalsPerS: 1, maxArrivals: 20, session: { dist: 'exponential', meanS: 30 } } } : {}),
        });
        const ids = identitiesOf(scenario);
        expectUnique(ids, ids.length);
        expect(ids.length).toBeGreaterThanOrEqual(count + p.adversaries.reduce((n, a) => n + a.count, 0));
      }),
      { numRuns: 25, seed: 19 },
    );
  }, 300_000);
});
