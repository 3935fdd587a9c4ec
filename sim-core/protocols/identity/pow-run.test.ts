import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenario/load.ts';
import { Simulation } from '../../scenario/simulation.ts';

/** 40 peers with proof-of-work identities (model scheme) and attackers that skip the work. */
const scenario = (difficulty: number, payPow: boolean) => `
name: pow-identities
seed: 4
durationS: 120
peers: { count: 40, joinOverS: 20 }
bootstrap: { count: 2 }
network: { latency: { model: constant, ms: 20 } }
crypto: { signatures: model, pow: { difficulty: ${difficulty}, hashUs: 50 } }
protocol: { kind: node, strategy: none }
adversaries:
  - { kind: flood, count: 2, startS: 30, targets: all, intervalS: 0.5, burst: 5, payPow: ${payPow} }
`;

function run(difficulty: number, payPow: boolean) {
  const r = new Simulation(parseScenario(scenario(difficulty, payPow), 'pow.yaml')).runToEnd();
  return { trace: r.traceHash, node: r.metrics.node as Record<string, any> };
}

const replay = 'replay: the scenario text in sim-core/protocols/identity/pow-run.test.ts (seed 4)';

describe('proof-of-work identities in a run', () => {
  it('honest nodes grind (start delayed by ~2^d × hashUs), then connect; attackers that skip the work are refused and banned', () => {
    const { node } = run(12, false);
    const pow = node.identityPow;
    expect(pow.minted, replay).toBe(40);
    // Expected 4,096 hashes × 50 µs ≈ 205 ms per identity (geometric: wide spread, so a loose band).
    expect(pow.mintMsMean).toBeGreaterThan(80);
    expect(pow.mintMsMean).toBeLessThan(500);
    expect(pow.mintMsMax).toBeGreaterThan(pow.mintMsMean);
    expect(node.lccFraction).toBe(1);
    expect(node.handshakes.established).toBeGreaterThan(40);
    expect(node.handshakes['insufficient-work']).toBeGreaterThan(0);
    expect(node.offences['insufficient-work']).toBeGreaterThan(0);
  });

  it('attackers that pay get through the handshake; difficulty 0 keeps the run identical to one without the field', () => {
    const paid = run(12, true).node;
    expect(paid.handshakes['insufficient-work']).toBe(0);
    const off = run(0, false);
    expect(off.node.identityPow).toBeUndefined();
    expect(off.node.handshakes['insufficient-work']).toBe(0);
    // payPow only matters with a requirement: with difficulty 0 both settings run the same events.
    expect(run(0, true).trace).toBe(off.trace);
  });
});

describe('crypto.pow validation', () => {
  it('real SHA-256 grinding is bounded: difficulty > 20 with real signatures names the field', () => {
    expect(() => parseScenario(scenario(12, true).replace('signatures: model', 'signatures: real').replace('difficulty: 12', 'difficulty: 21'), 'pow.yaml')).toThrow(
      /crypto\.pow\.difficulty: .*≤ 20/,
    );
    expect(() => parseScenario(scenario(65, true), 'pow.yaml')).toThrow(/crypto\.pow\.difficulty/);
  });
});
