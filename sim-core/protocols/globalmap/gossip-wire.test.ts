import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenario/load.ts';
import { Simulation } from '../../scenario/simulation.ts';

function run(materialize: boolean, gossip: 'batched' | 'seed', security: 'seed' | 'signed' = 'seed', signatures: 'model' | 'real' = 'model') {
  const s = parseScenario(
    `
name: gossip-wire
seed: 3
durationS: 90
peers: { count: 25, joinOverS: 15 }
network: { latency: { model: uniform, minMs: 10, maxMs: 60, jitterMs: 2 } }
wire: { materialize: ${materialize} }
crypto: { signatures: ${signatures} }
protocol: { kind: node, strategy: globalmap, globalmap: { gossip: ${gossip}, ttl: 4, security: ${security} } }
`,
    'gossip-wire.yaml',
  );
  const r = new Simulation(s).runToEnd();
  const gm = (r.metrics as { globalmap: { gossip: Record<string, number>; security?: Record<string, number> } }).globalmap;
  const discovery = (r.metrics as { discovery: { mapPrecision: number; mapRecall: number } }).discovery;
  return { trace: r.traceHash, gossip: gm.gossip, security: gm.security, discovery };
}

describe('gossip by reference vs encoded on the wire', () => {
  for (const gossip of ['batched', 'seed'] as const) {
    it(`${gossip}: wire.materialize (every message encoded, decoded and its events interned on receipt) gives the same trace and counts`, () => {
      const byRef = run(false, gossip);
      const encoded = run(true, gossip);
      expect(byRef.gossip.eventsApplied).toBeGreaterThan(0);
      expect(byRef.gossip.eventsDuplicate).toBeGreaterThan(0);
      expect(encoded).toEqual(byRef);
    });
  }

  it('security: signed, encoded on the wire (keys and signatures in the bytes): same trace and counts as by reference, no honest event rejected', () => {
    const byRef = run(false, 'batched', 'signed');
    const encoded = run(true, 'batched', 'signed');
    expect(byRef.gossip.eventsApplied).toBeGreaterThan(0);
    expect(byRef.security!.signaturesChecked).toBeGreaterThan(0);
    expect(byRef.security!.eventsBadSignature).toBe(0);
    expect(encoded.trace).toBe(byRef.trace);
    expect(encoded.gossip).toEqual(byRef.gossip);
    expect(encoded.security!.eventsBadSignature).toBe(0);
  });

  it('security: signed with real Ed25519: every honest event and sync register verifies, and the map is as good as the model run', () => {
    const real = run(false, 'batched', 'signed', 'real');
    const model = run(false, 'batched', 'signed', 'model');
    expect(real.security!.eventsBadSignature).toBe(0);
    expect(real.security!.cryptoVerifications).toBeGreaterThan(0);
    expect(real.discovery.mapRecall).toBeGreaterThan(model.discovery.mapRecall - 0.05);
  });
});
