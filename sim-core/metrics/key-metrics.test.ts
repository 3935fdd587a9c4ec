import { describe, expect, it } from 'vitest';
import { parseScenario } from '../scenario/load.ts';
import { Simulation } from '../scenario/simulation.ts';
import { aggregateMetrics } from './aggregate.ts';
import { keyMetricRows } from './aggregate-table.ts';

/** 40 peers for 3 simulated minutes, blocks every 20 s: every key metric has something to show. */
const scenario = (strategy: string) => `
name: key-metrics
seed: 2
durationS: 180
peers: { count: 40, joinOverS: 20 }
bootstrap: { count: 3 }
crypto: { signatures: model }
protocol:
  kind: node
  strategy: ${strategy}
  globalmap: { batchSize: 64 }
  workload:
    blocks: { enabled: true, startS: 60, intervalS: 20, count: 5, bodyBytes: 4096, mode: inv }
metrics: { sampleEveryS: 10 }
`;

/** The path each row must pick, per strategy that has it: the documented metric names, not look-alikes. */
const EXPECTED: Record<string, Record<string, string>> = {
  'messages /peer/s (steady)': { globalmap: 'messages.perPeerPerSecondSteady', kademlia: 'messages.perPeerPerSecondSteady' },
  'bytes /peer/s (steady)': { globalmap: 'messages.bytesPerPeerPerSecondSteady', kademlia: 'messages.bytesPerPeerPerSecondSteady' },
  'topology: avg path length': { globalmap: 'topology.avgPathLength', kademlia: 'topology.avgPathLength' },
  'LCC fraction': { globalmap: 'topology.lccFraction', kademlia: 'topology.lccFraction' },
  'map bytes /peer': { globalmap: 'memory.mapBytesPerPeer' },
  'kademlia: lookup success rate': { kademlia: 'kademlia.lookupSuccessRate' },
  'kademlia: lookup hops (mean)': { kademlia: 'kademlia.meanHops' },
  'kademlia: lookup latency (ms, mean)': { kademlia: 'kademlia.meanLatencyMs' },
  'kademlia: messages per lookup': { kademlia: 'kademlia.messagesPerLookup' },
  'blocks: to 50% of peers (ms, mean)': { globalmap: 'blocks.t50MsMean', kademlia: 'blocks.t50MsMean' },
  'blocks: duplicate bodies per block': { globalmap: 'blocks.duplicateBodiesPerBlock', kademlia: 'blocks.duplicateBodiesPerBlock' },
};

describe('key-metrics table on real runs', () => {
  it('each curated row shows the metric its label names', () => {
    const aggregates = Object.fromEntries(
      ['globalmap', 'kademlia'].map((s) => {
        const r = new Simulation(parseScenario(scenario(s), `${s}.yaml`)).runToEnd();
        return [s, aggregateMetrics([r.metrics])];
      }),
    );
    const rows = keyMetricRows(aggregates);
    const byLabel = new Map(rows.map((r) => [r.label, r]));
    for (const [label, paths] of Object.entries(EXPECTED)) {
      const row = byLabel.get(label);
      expect(row, `row "${label}"`).toBeDefined();
      for (const [strategy, path] of Object.entries(paths)) expect(row!.cells[strategy]?.path, `${label} / ${strategy}`).toBe(path);
    }
    const success = byLabel.get('kademlia: lookup success rate')!.cells.kademlia!.stat.mean;
    expect(success).toBeGreaterThan(0);
    expect(success).toBeLessThanOrEqual(1);
  });
});
