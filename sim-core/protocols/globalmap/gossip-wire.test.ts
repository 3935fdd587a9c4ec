import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenario/load.ts';
import { Simulation } from '../../scenario/simulation.ts';

function run(materialize: boolean, gossip: 'batched' | 'seed') {
  const s = parseScenario(
    `
name: gossip-wire
seed: 3
durationS: 90
peers: { count: 25, joinOverS: 15 }
network: { latency: { model: uniform, minMs: 10, maxMs: 60, jitterMs: 2 } }
wire: { materialize: ${materialize} }
protocol: { kind: node, strategy: globalmap, globalmap: { gossip: ${gossip}, ttl: 4 } }
`,
    'gossip-wire.yaml',
  );
  const r = new Simulation(s).runToEnd();
  const gm = (r.metrics as { globalmap: { gossip: Record<string, number> } }).globalmap.gossip;
  return { trace: r.traceHash, gossip: gm };
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
});
