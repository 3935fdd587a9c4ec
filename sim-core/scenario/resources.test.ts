import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from './errors.ts';
import { parseScenario, validateScenarioObject } from './load.ts';

function refusal(run: () => unknown): ScenarioError {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error('expected the scenario to be refused');
}

const node = { name: 'r', durationS: 1, peers: { count: 10 }, protocol: { kind: 'node', strategy: 'none' } };

describe('resource checks, before anything is built', () => {
  it('100 adversary entries × 10,000 hosts each are refused, naming the field and the population cap', () => {
    const adversaries = Array.from({ length: 100 }, () => ({ kind: 'flood', count: 10_000 }));
    const e = refusal(() => validateScenarioObject({ ...node, adversaries }, 'obj'));
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatchObject({ path: 'adversaries', got: '1000000' });
    expect(e.problems[0].allowed).toBe('peers.count (10) + adversary counts (1000000) + churn.maxArrivals (0) = 1000010 hosts; must be ≤ 200000 (the population cap)');
    const text = 'name: r\ndurationS: 1\npeers: {count: 10}\nprotocol: {kind: node}\nadversaries:\n' + '  - {kind: flood, count: 10000}\n'.repeat(100);
    expect(refusal(() => parseScenario(text, 'r.yaml')).problems[0]).toMatchObject({ path: 'adversaries', line: 6 });
  });

  it("churn's newcomers count towards the cap", () => {
    const e = refusal(() => validateScenarioObject({ ...node, peers: { count: 195_000 }, churn: { arrivalsPerS: 1 } }));
    expect(e.problems[0]).toMatchObject({ path: 'churn.maxArrivals', got: '10000' });
  });

  it('a per-peer table × peers over the memory budget is refused, naming the field, the estimate and the budget', () => {
    const text = readFileSync('scenarios/quickstart.yaml', 'utf8');
    const e = refusal(() => parseScenario(text, 'quickstart.yaml', { sets: ['protocol.seenCapacity=1000000'] }));
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toMatchObject({ path: '--set protocol.seenCapacity', got: '1000000' });
    expect(e.problems[0].allowed).toMatch(/^per-host tables estimated at 11\.2 GiB for 300 hosts \(.*recent-message set 38\.1 MiB\/host \(protocol\.seenCapacity\).*\) exceed the memory budget of 8 GiB \(limits\.memoryBudgetGiB\)/);
    const inFile = 'name: r\ndurationS: 1\npeers: {count: 300}\nprotocol: {kind: flood, seenCapacity: 1000000}\n';
    expect(refusal(() => parseScenario(inFile, 'r.yaml')).problems[0]).toMatchObject({ path: 'protocol.seenCapacity', line: 4 });
  });

  it('limits.memoryBudgetGiB raises the budget', () => {
    const text = readFileSync('scenarios/quickstart.yaml', 'utf8');
    const s = parseScenario(text, 'quickstart.yaml', { sets: ['protocol.seenCapacity=1000000', 'limits.memoryBudgetGiB=16'] });
    expect(s.limits.memoryBudgetGiB).toBe(16);
  });

  it('every shipped scenario fits the default budget', () => {
    for (const f of ['default', 'scale-10000', 'convergence-2500', 'churn', 'hostile-lan', 'kademlia-small']) {
      expect(() => parseScenario(readFileSync(`scenarios/${f}.yaml`, 'utf8'), f)).not.toThrow();
    }
  });
});
