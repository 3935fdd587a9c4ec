import { describe, expect, it } from 'vitest';
import { WorkerRun } from './live-workers.ts';
import { liveTestScenario, waitFor } from './test-support.ts';

/** Generous: a loaded CI machine is slow, not wrong. */
const BOUND_MS = 150_000;
const PEERS = 20;

describe('peermap live --workers: peers spread over worker threads', () => {
  it('20 peers over 2 workers form one component over real TCP between the workers, coverage ≥ 0.9, no socket left open', async () => {
    const run = new WorkerRun(liveTestScenario(PEERS), { workers: 2 });
    await run.start();
    let result;
    try {
      // One component over peers split odd/even between two threads: links cross between the workers.
      const ok = await waitFor(() => {
        const p = run.latest;
        return p !== undefined && p.livePeers === PEERS && p.components === 1 && p.coverageMean >= 0.9;
      }, BOUND_MS);
      expect({ ok, live: run.latest?.livePeers, components: run.latest?.components }).toEqual({ ok: true, live: PEERS, components: 1 });
    } finally {
      run.stop();
      result = await run.finish();
    }
    expect(result.live.socketsOpenAtEnd).toBe(0);
    expect(result.live.protocolErrors).toBe(0);
    expect(result.live.foreignAccepted).toBe(0); // every accepted socket was known by its source address
    expect(result.live.workers).toBe(2);
    expect(result.live.starvation.loops).toBe(2);
    const m = result.metrics as { topology: { lccFraction: number; components: number }; discovery: { coverageMean: number }; node: { handshakes: Record<string, number> } };
    expect(m.topology.components).toBe(1);
    expect(m.discovery.coverageMean).toBeGreaterThanOrEqual(0.9);
    expect(m.node.handshakes.established).toBeGreaterThanOrEqual(PEERS - 1);
    // Handshakes that ended all ended established (real signatures across threads verify).
    expect(Object.entries(m.node.handshakes).filter(([k, v]) => k !== 'established' && v > 0)).toEqual([]);
  }, BOUND_MS + 60_000);

  it('refuses a worker count out of range, naming the range', () => {
    expect(() => new WorkerRun(liveTestScenario(4), { workers: 0 })).toThrow(/--workers must be an integer in 1\.\.64/);
  });
});
