import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenario/load.ts';
import { Simulation } from '../../scenario/simulation.ts';

const minimal = (globalmap = '{}') =>
  parseScenario(
    `
name: gossip-defaults
durationS: 120
peers: { count: 30, joinOverS: 20 }
network: { latency: { model: constant, ms: 30 } }
protocol: { kind: node, strategy: globalmap, globalmap: ${globalmap} }
`,
    'gossip-defaults.yaml',
  );

/** gm-events messages sent over the run. */
function gossip(globalmap?: string): { messages: number } {
  const sim = new Simulation(minimal(globalmap));
  const m = sim.runToEnd().metrics as { messages: { byType: Record<string, { count: number }> } };
  return { messages: m.messages.byType['gm-events']?.count ?? 0 };
}

describe('globalmap gossip defaults', () => {
  it('a minimal section batches gossip (64 events a message, 1 s flush); the seed protocol is gossip: seed', () => {
    const s = minimal();
    const gm = s.protocol.kind === 'node' ? s.protocol.globalmap : undefined;
    expect(gm).toMatchObject({ gossip: 'batched', batchSize: 64, flushIntervalS: 1 });
    const seed = minimal('{ gossip: seed }');
    expect(seed.protocol.kind === 'node' && seed.protocol.globalmap.gossip).toBe('seed');
    expect(() => minimal('{ gossip: bursty }')).toThrow(/protocol\.globalmap\.gossip/);
  });

  it('batched by default: far fewer gm-events messages than with gossip: seed, which sends as many as batchSize 1', () => {
    const batched = gossip();
    const seed = gossip('{ gossip: seed }');
    expect(seed.messages).toBe(gossip('{ batchSize: 1 }').messages);
    expect(batched.messages).toBeGreaterThan(0);
    expect(batched.messages * 3).toBeLessThan(seed.messages);
  });
});
