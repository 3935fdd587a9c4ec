import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenario/load.ts';
import { Simulation, type RunResult } from '../../scenario/simulation.ts';
import { maxBlockBodyBytes } from '../../wire/sizes.ts';

interface PerBlock {
  height: number;
  targets: number;
  reach: number;
  t50Ms: number | null;
  t90Ms: number | null;
  t100Ms: number | null;
  duplicateBodies: number;
}
type Blocks = Record<string, number> & { perBlock: PerBlock[]; mode: string };

function scenario(opts: { peers?: number; durationS?: number; seed?: number; blocks?: string; extra?: string } = {}): string {
  return `
name: blocks-e2e
seed: ${opts.seed ?? 1}
durationS: ${opts.durationS ?? 600}
peers: { count: ${opts.peers ?? 200}, joinOverS: 20 }
${opts.extra ?? ''}
protocol:
  kind: node
  strategy: none
  workload:
    blocks: { enabled: true, startS: 60, intervalS: 30, count: 10${opts.blocks ? `, ${opts.blocks}` : ''} }
`;
}

function run(text: string): RunResult & { blocks: Blocks } {
  const r = new Simulation(parseScenario(text, 'blocks-e2e.yaml')).runToEnd();
  return { ...r, blocks: r.metrics.blocks as Blocks };
}

const replay = (seed: number) => `replay: the YAML of scenario({ seed: ${seed} }) in workload.test.ts, npx peermap run FILE`;

describe('block workload, end to end (200 peers, 10 min, 10 blocks, strategy none)', () => {
  const inv = run(scenario());

  it('mines every scheduled block and each reaches every connected peer, t50 < t90 ≤ t100', () => {
    const b = inv.blocks;
    expect(inv.endReason).toBe('completed');
    expect(b.mode).toBe('inv');
    expect(b.slotsScheduled).toBe(10);
    expect(b.blocksMined).toBe(10);
    expect(b.blocksFullyPropagated).toBe(10);
    expect(b.minReachAtEnd).toBe(1);
    expect(b.meanTargets).toBe(200);
    for (const row of b.perBlock) {
      expect(row.targets).toBe(200);
      expect(row.t50Ms!).toBeGreaterThan(0);
      expect(row.t50Ms!).toBeLessThan(row.t90Ms!);
      expect(row.t90Ms!).toBeLessThanOrEqual(row.t100Ms!);
    }
    expect(b.t50MsMean).toBeLessThan(b.t90MsMean);
    expect(b.t90MsMean).toBeLessThanOrEqual(b.t100MsMean);
    // No loss: one body per receiving peer, no duplicate, no timeout, no offence.
    expect(b.duplicateBodiesPerBlock).toBe(0);
    expect(b.bodiesSentPerBlock).toBe(199);
    expect(b.getdataTimeouts).toBe(0);
    expect(b.unsolicited + b.invalidBlocks).toBe(0);
    expect(inv.metrics.node).toBeDefined();
  });

  it('is deterministic: the same trace hash twice', () => {
    expect(run(scenario()).traceHash, replay(1)).toBe(inv.traceHash);
  });

  it('push mode costs more duplicate bodies than inv mode on the same seed (and the same blocks)', () => {
    const push = run(scenario({ blocks: 'mode: push' }));
    expect(push.blocks.mode).toBe('push');
    expect(push.blocks.blocksMined).toBe(10);
    expect(push.blocks.blocksFullyPropagated).toBe(10);
    expect(push.blocks.duplicateBodiesPerBlock).toBeGreaterThan(inv.blocks.duplicateBodiesPerBlock);
    expect(push.blocks.bodiesSentPerBlock).toBeGreaterThan(inv.blocks.bodiesSentPerBlock);
    expect(push.blocks.invsSent).toBe(0);
    expect(push.blocks.perBlock.map((r) => r.height)).toEqual(inv.blocks.perBlock.map((r) => r.height));
  });
});

describe('block workload wiring', () => {
  it('with materialised frames (blocks encoded and decoded, hashes checked on the decoded ids)', () => {
    const r = run(scenario({ peers: 30, durationS: 200, extra: 'wire: { materialize: true }', blocks: 'bodyBytes: 1000' }));
    expect(r.blocks.blocksMined).toBeGreaterThan(0);
    expect(r.blocks.blocksFullyPropagated).toBe(r.blocks.blocksMined);
    expect(r.blocks.invalidBlocks).toBe(0);
  });

  it('disabled: no blocks section, and the run is exactly the one without a workload section', () => {
    const off = parseScenario(scenario({ peers: 20, durationS: 30 }).replace('enabled: true', 'enabled: false'), 'off.yaml');
    const none = parseScenario(scenario({ peers: 20, durationS: 30 }).replace(/  workload:\n.*\n/, ''), 'none.yaml');
    const a = new Simulation(off).runToEnd();
    const b = new Simulation(none).runToEnd();
    expect(a.metrics.blocks).toBeUndefined();
    expect(a.traceHash).toBe(b.traceHash);
  });

  it('schema: defaults, and a body too big for the frame limit is refused', () => {
    const s = parseScenario(scenario({ peers: 5, durationS: 30 }).replace(/blocks: \{.*\}/, 'blocks: { enabled: true }'), 'd.yaml');
    if (s.protocol.kind !== 'node') throw new Error('node');
    expect(s.protocol.workload.blocks).toEqual({ enabled: true, startS: 60, intervalS: 30, count: 100, bodyBytes: 32768, mode: 'inv', getdataTimeoutS: 5 });
    expect(() => parseScenario(scenario({ blocks: 'mode: gossip' }), 'bad.yaml')).toThrow(/mode/);
    const big = maxBlockBodyBytes(65536) + 1;
    expect(() => new Simulation(parseScenario(scenario({ peers: 5, durationS: 30, blocks: `bodyBytes: ${big}` }), 'big.yaml'))).toThrow(/bodyBytes/);
  });
});
