import { beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenario/load.ts';
import { Simulation, type RunResult } from '../../scenario/simulation.ts';

/**
 * Kademlia end to end through the simulator (issue 5 §1): 150 peers behind
 * the real peer manager (signed handshakes, limits, keepalive), joining over
 * a minute through 3 bootstrap nodes that start at random times too, 10
 * simulated minutes, each peer looking up a random id every minute.
 */
const YAML = `
name: kademlia-e2e
seed: 11
durationS: 600
peers: { count: 150, joinOverS: 60 }
bootstrap: { count: 3 }
network:
  latency: { model: constant, ms: 50 }
protocol:
  kind: node
  strategy: kademlia
  kademlia:
    k: 20
    alpha: 3
    overlayLinks: 12
    lookupIntervalS: 60
`;

interface KadMetrics {
  lookups: number;
  lookupSuccessRate: number;
  lookupConvergedRate: number;
  meanHops: number;
  meanRounds: number;
  meanLatencyMs: number;
  messagesPerLookup: number;
  timeoutsPerLookup: number;
  livePeers: number;
  joinedFraction: number;
  meanTableSize: number;
  minTableSize: number;
  meanOverlayLinks: number;
  minOverlayLinks: number;
  maxOverlayLinks: number;
  overlayLccFraction: number;
  maxOutbound: number;
  maxInbound: number;
  lookupsDone: Record<string, number>;
}

describe('kademlia strategy through the simulator: 150 peers, 10 minutes', () => {
  let result: RunResult;
  let kad: KadMetrics;
  beforeAll(() => {
    result = new Simulation(parseScenario(YAML, 'kademlia-e2e.yaml')).runToEnd();
    kad = result.metrics.kademlia as KadMetrics;
    const m = result.metrics.messages as { perPeerPerSecond: number };
    console.log(
      `kademlia e2e: ${kad.lookups} lookups, success ${(kad.lookupSuccessRate * 100).toFixed(1)}%, hops ${kad.meanHops.toFixed(2)}, ` +
        `rounds ${kad.meanRounds.toFixed(2)}, latency ${kad.meanLatencyMs.toFixed(0)} ms, ${kad.messagesPerLookup.toFixed(1)} FIND_NODE/lookup, ` +
        `table ${kad.meanTableSize.toFixed(1)} (min ${kad.minTableSize}), links ${kad.meanOverlayLinks.toFixed(2)} (min ${kad.minOverlayLinks}), ` +
        `overlay LCC ${kad.overlayLccFraction}, ${m.perPeerPerSecond.toFixed(2)} msgs/peer/s, trace ${result.traceHash}`,
    );
  }, 600_000);

  it('runs to completion and every peer joins', () => {
    expect(result.endReason).toBe('completed');
    expect(kad.livePeers).toBe(150);
    expect(kad.joinedFraction).toBe(1);
    expect(kad.lookupsDone.join).toBeGreaterThanOrEqual(150);
    expect(kad.lookupsDone.refresh).toBeGreaterThan(150); // the post-join bucket refreshes
  });

  it('builds non-trivial routing tables (beyond one bucket, k-bounded)', () => {
    expect(kad.minTableSize).toBeGreaterThanOrEqual(20);
    expect(kad.meanTableSize).toBeGreaterThan(40);
    expect(kad.meanTableSize).toBeLessThanOrEqual(149);
  });

  it('≥ 95% of the workload lookups find the true closest live peer, in few hops', () => {
    expect(kad.lookups).toBeGreaterThan(1000); // ~150 peers × ~9 minutes
    expect(kad.lookupSuccessRate).toBeGreaterThanOrEqual(0.95);
    expect(kad.lookupConvergedRate).toBeGreaterThanOrEqual(0.95);
    expect(kad.meanHops).toBeLessThan(3);
    expect(kad.messagesPerLookup).toBeGreaterThanOrEqual(20); // at least the k closest must answer
    expect(kad.messagesPerLookup).toBeLessThan(40);
    expect(kad.timeoutsPerLookup).toBeLessThan(0.5);
  });

  it('keeps close to overlayLinks persistent links per peer, within the connection limits', () => {
    expect(kad.meanOverlayLinks).toBeGreaterThanOrEqual(11.5);
    expect(kad.minOverlayLinks).toBeGreaterThanOrEqual(10);
    expect(kad.maxOverlayLinks).toBeLessThanOrEqual(12);
    expect(kad.maxOutbound).toBeLessThanOrEqual(12 + 3 * 3);
    expect(kad.maxInbound).toBeLessThanOrEqual(128);
  });

  it("the overlay's largest component covers ≥ 95% of live peers", () => {
    expect(kad.overlayLccFraction).toBeGreaterThanOrEqual(0.95);
  });

  it('counts handshakes and Kademlia RPCs in the message metrics', () => {
    const byType = (result.metrics.messages as { byType: Record<string, { count: number }> }).byType;
    expect(byType['kad-find-node'].count).toBeGreaterThan(kad.lookups * 20);
    expect(byType['kad-nodes'].count).toBeGreaterThan(0.95 * byType['kad-find-node'].count);
    expect(byType.version.count).toBeGreaterThan(0);
  });
});
