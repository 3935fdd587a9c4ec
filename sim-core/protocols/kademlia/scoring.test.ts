import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenario/load.ts';
import { Simulation } from '../../scenario/simulation.ts';

interface KadScore {
  lookups: number;
  lookupSuccessRate: number;
  lookupConvergedWrong: number;
}

/**
 * The observer's verdict on a lookup ("found the true closest live peer")
 * must count every honest peer that is up — churn arrivals too, whose
 * indices run past peers.count like adversaries' — and never the searcher.
 * Churn arrivals were left out: a lookup that found one was scored wrong.
 */
describe('kademlia lookup scoring under churn', () => {
  it('counts churn arrivals as candidates for the true closest peer (80 peers, arrivals every 2 s, 400 s)', () => {
    const text = readFileSync('scenarios/churn.yaml', 'utf8');
    const sim = new Simulation(parseScenario(text, 'churn.yaml', { peers: 80, durationS: 400, sets: ['protocol.strategy=kademlia', 'churn.arrivalsPerS=0.5'] }));
    const kad = sim.runToEnd().metrics.kademlia as KadScore;
    expect(kad.lookups).toBeGreaterThan(500);
    // Arrivals left out of the truth: success 53%, 333 "converged wrong" on this run.
    expect(kad.lookupSuccessRate).toBeGreaterThan(0.9);
    expect(kad.lookupConvergedWrong).toBeLessThan(0.03 * kad.lookups);
  });
});
