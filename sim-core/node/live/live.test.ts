import { afterEach, describe, expect, it, vi } from 'vitest';
import { ed25519Signer } from '../../protocols/identity/signer.ts';
import { LiveRun } from './live-run.ts';
import { liveState, liveTestScenario, waitFor } from './test-support.ts';

/** Generous: a loaded CI machine is slow, not wrong (typically well under a minute). */
const BOUND_MS = 120_000;

describe('peermap live: 20 peers on loopback', () => {
  afterEach(() => vi.restoreAllMocks());

  it('form one component over real sockets, every handshake verified with Ed25519, coverage ≥ 0.9, no socket left open', async () => {
    const verify = vi.spyOn(ed25519Signer, 'verify');
    const run = new LiveRun(liveTestScenario(20));
    try {
      await run.start();
      const ok = await waitFor(() => {
        const s = liveState(run);
        return s.up === 20 && s.components === 1 && s.coverage >= 0.9;
      }, BOUND_MS);
      const s = liveState(run);
      expect({ ok, up: s.up, components: s.components }).toEqual({ ok: true, up: 20, components: 1 });
      expect(s.coverage).toBeGreaterThanOrEqual(0.9);
      // Every handshake that ended, ended established: none failed its signature, none timed out.
      const failed = Object.entries(s.handshakes).filter(([k, v]) => k !== 'established' && v > 0);
      expect(failed).toEqual([]);
      expect(s.handshakes.established).toBeGreaterThanOrEqual(19);
      // Each established side checked the other's signature with real Ed25519, and every check passed.
      expect(verify.mock.calls.length).toBeGreaterThanOrEqual(s.handshakes.established);
      expect(verify.mock.results.every((r) => r.value === true)).toBe(true);
      expect(run.net.protocolErrors).toBe(0);
    } finally {
      const result = await run.finish();
      expect(result.live.socketsOpenAtEnd).toBe(0);
      expect(run.net.openSockets).toBe(0);
      expect(result.mode).toBe('live');
      // The starvation block is there and finite (its values are the machine's, never asserted).
      const st = result.live.starvation;
      const figures = [st.loopDelayMs.p50, st.loopDelayMs.p99, st.loopDelayMs.max, st.loopUtilisation, st.timerLateness.p99Ms, st.sampleLateness.maxMs, st.wallSeconds, st.loadAvgStart];
      expect(figures.every((x) => Number.isFinite(x) && x >= 0)).toBe(true);
      expect(st.timerLateness.count).toBeGreaterThan(0);
    }
  }, BOUND_MS + 30_000);
});
