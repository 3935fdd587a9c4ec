import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario } from './load.ts';
import { Simulation } from './simulation.ts';

const quickstart = readFileSync('scenarios/quickstart.yaml', 'utf8');
const small = { peers: 80, durationS: 15 };

function runHash(seed: number): string {
  const sim = new Simulation(parseScenario(quickstart, 'quickstart.yaml', { ...small, seed }));
  return sim.runToEnd().traceHash;
}

/** Replay hint printed by a failing determinism check. */
const replay = (seed: number) => `replay: npx peermap run scenarios/quickstart.yaml --seed ${seed} --peers ${small.peers} --duration ${small.durationS}`;

describe('determinism', () => {
  it('same scenario and seed give the same trace hash twice in one process; another seed differs', () => {
    for (const seed of [3, 11]) {
      expect(runHash(seed), replay(seed)).toBe(runHash(seed));
    }
    expect(runHash(3)).not.toBe(runHash(4));
  });

  it('the hash is the same across two processes (the CLI) and equals the in-process one', () => {
    const seed = 5;
    const out = mkdtempSync(join(tmpdir(), 'peermap-det-'));
    const run = () =>
      execFileSync(
        process.execPath,
        ['bin/peermap.mjs', 'run', 'scenarios/quickstart.yaml', '--seed', String(seed), '--peers', String(small.peers), '--duration', String(small.durationS), '--quiet', '--force', '--out', out],
        { encoding: 'utf8' },
      );
    const traceOf = (stdout: string) => /^trace: ([0-9a-f]{16})$/m.exec(stdout)?.[1];
    const first = traceOf(run());
    const second = traceOf(run());
    expect(first, replay(seed)).toMatch(/^[0-9a-f]{16}$/);
    expect(second, replay(seed)).toBe(first);
    expect(runHash(seed), replay(seed)).toBe(first);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ seed, traceHash: first, peers: small.peers, simulatedSeconds: small.durationS });
    for (const key of ['eventsProcessed', 'wallSeconds', 'eventsPerSecond', 'peakRssBytes']) expect(summary[key]).toBeGreaterThan(0);
    expect(summary.metrics.messages.total).toBeGreaterThan(0);
  });

  it('the flood demo actually floods: pings reach most peers, each forwarded once per peer', () => {
    const sim = new Simulation(parseScenario(quickstart, 'quickstart.yaml', { ...small, seed: 9 }));
    const r = sim.runToEnd();
    const flood = r.metrics.flood as Record<string, number>;
    expect(r.endReason).toBe('completed');
    expect(flood.pingsOriginated).toBeGreaterThan(50);
    expect(flood.meanReachFraction).toBeGreaterThan(0.7);
    expect(flood.meanDegree).toBeGreaterThan(4); // 4 outbound + inbound
    // No peer forwards a ping twice: forwards ≤ (first receipts + originations) × max degree.
    expect(flood.forwarded).toBeLessThanOrEqual((flood.firstReceipts + flood.pingsOriginated) * 20);
    expect(r.metrics.series).not.toHaveLength(0);
  });
});
