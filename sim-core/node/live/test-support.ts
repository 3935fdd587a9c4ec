import { connectedComponents } from '../../metrics/graph/index.ts';
import type { PeerNode } from '../../protocols/node/peer-node.ts';
import { parseScenario } from '../../scenario/load.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import { LIVE_SETS } from './live-command.ts';
import type { LiveRun } from './live-run.ts';

/** Polling period of the live tests: they wait for states, never for a time. */
export const POLL_MS = 100;

/** A small globalmap scenario, as `peermap live` loads it (real Ed25519, bytes on the wire). */
export function liveTestScenario(peers: number, extra: readonly string[] = []): Scenario {
  const text = [
    'name: live-test',
    'seed: 5',
    // Longer than any test waits: the tests stop the run themselves.
    'durationS: 3600',
    `peers: { count: ${peers}, joinOverS: 2 }`,
    'bootstrap: { count: 2 }',
    'protocol: { kind: node, strategy: globalmap }',
    'metrics: { sampleEveryS: 1 }',
  ].join('\n');
  return parseScenario(text, 'live-test', { sets: [...extra, ...LIVE_SETS] });
}

/** Polls `ready` every POLL_MS until it holds or `boundMs` passes; returns whether it held. */
export async function waitFor(ready: () => boolean, boundMs: number): Promise<boolean> {
  const until = Date.now() + boundMs;
  while (Date.now() < until) {
    if (ready()) return true;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return ready();
}

/** What the live peers look like now: components of the overlay, mean coverage, handshake outcomes. */
export function liveState(run: LiveRun) {
  const world = run.world;
  const snap = run.driver.snapshot!(world);
  const alive = snap.graph.alive;
  const up = alive ? alive.reduce((n, x) => n + x, 0) : snap.graph.n;
  const sample = run.driver.sample(world);
  const nodes = run.addresses.filter((a) => run.net.isUp(a)).map((a) => run.net.protocolOf(a) as unknown as PeerNode);
  const handshakes: Record<string, number> = {};
  for (const n of nodes) for (const [k, v] of Object.entries(n.stats.handshakes)) handshakes[k] = (handshakes[k] ?? 0) + v;
  return { up, components: connectedComponents(snap.graph).count, coverage: sample.coverageMean ?? 0, handshakes, nodes };
}
