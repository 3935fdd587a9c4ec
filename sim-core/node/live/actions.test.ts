import { describe, expect, it } from 'vitest';
import type { PeerNode } from '../../protocols/node/peer-node.ts';
import { LiveRun } from './live-run.ts';
import { liveState, liveTestScenario, waitFor } from './test-support.ts';

const BOUND_MS = 120_000;
const PEERS = 8;

describe('peermap live: scenario actions on loopback', () => {
  it('a crash closes the peer\'s sockets (the others drop it), a restart rejoins; a partition cuts traffic between the sides', async () => {
    // The scenario has no actions: the test applies them itself, at states rather than at times.
    // Short keepalive, backoff and selection periods: links across the cut go stale, and come back after the heal, within seconds.
    const fast = ['protocol.node.pingIntervalS=1', 'protocol.node.staleTimeoutS=4', 'protocol.node.backoff={baseS: 0.5, capS: 4, jitter: 0.2, maxFailures: 12}', 'protocol.globalmap.selectIntervalS=2'];
    const run = new LiveRun(liveTestScenario(PEERS, fast));
    const node = (i: number) => run.net.protocolOf(run.addresses[i]) as unknown as PeerNode;
    const victim = PEERS - 1;
    const linkedToVictim = () => run.addresses.filter((a, i) => i !== victim && [...node(i).peers().keys()].includes(node(victim).self)).length;
    try {
      await run.start();
      expect(await waitFor(() => { const s = liveState(run); return s.up === PEERS && s.components === 1 && linkedToVictim() > 0; }, BOUND_MS)).toBe(true);

      run.act({ atS: 0, do: 'crash', peers: [victim] }, 0);
      expect(run.net.isUp(run.addresses[victim])).toBe(false);
      expect(await waitFor(() => linkedToVictim() === 0, BOUND_MS)).toBe(true);
      expect(await waitFor(() => liveState(run).components === 1, BOUND_MS)).toBe(true); // the others stay whole

      run.act({ atS: 0, do: 'restart', peers: [victim] }, 1);
      expect(await waitFor(() => { const s = liveState(run); return s.up === PEERS && s.components === 1; }, BOUND_MS)).toBe(true);

      // Partition {0..3} | {4..7}: no link survives across the cut.
      const side = (i: number) => (i < PEERS / 2 ? 0 : 1);
      const crossLinks = () => run.addresses.reduce((n, _, i) => n + [...node(i).peers().keys()].filter((p) => side(run.addresses.findIndex((_a, j) => node(j).self === p)) !== side(i)).length, 0);
      run.act({ atS: 0, do: 'partition', name: 'cut', side: { peers: [0, 1, 2, 3] }, oneWay: false }, 2);
      expect(await waitFor(() => crossLinks() === 0, BOUND_MS)).toBe(true);
      run.act({ atS: 0, do: 'heal', name: 'cut' }, 3);
      expect(await waitFor(() => liveState(run).components === 1 && crossLinks() > 0, BOUND_MS)).toBe(true);
      expect(run.net.protocolErrors).toBe(0);
    } finally {
      const result = await run.finish();
      expect(result.live.socketsOpenAtEnd).toBe(0);
    }
  }, 6 * BOUND_MS);
});
