import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { wireItemSizer } from '../../protocols/node/codec-boundary.ts';
import { checkLiveLimits, descriptorsNeeded, LiveLimitError, MAX_LIVE_PEERS } from './limits.ts';
import { BindError, LiveNet } from './live-net.ts';
import { liveTestScenario } from './test-support.ts';

describe('live limits', () => {
  it('refuses more peers than the cap, and more descriptors than the limit, naming the limit', () => {
    expect(() => checkLiveLimits(liveTestScenario(MAX_LIVE_PEERS + 1), 1e9)).toThrow(new RegExp(`limit of ${MAX_LIVE_PEERS}`));
    const s = liveTestScenario(100);
    expect(() => checkLiveLimits(s, descriptorsNeeded(s) - 1)).toThrow(LiveLimitError);
    expect(() => checkLiveLimits(s, 500)).toThrow(/limit of 500 .*ulimit -n/);
    expect(() => checkLiveLimits(s, descriptorsNeeded(s))).not.toThrow();
  });

  it('a port that cannot be bound is named in the error', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen({ host: '127.0.0.1', port: 0 }, () => r()));
    const port = (taken.address() as { port: number }).port;
    const net = new LiveNet({ sizer: wireItemSizer as never, dialTimeoutUs: 1e6, maxFrameBytes: 65536 });
    const a = net.addHost(() => ({ onStart() {}, onConnected() {}, onDialFailed() {}, onMessage() {}, onClosed() {}, onTimer() {} }), () => undefined as never);
    try {
      await expect(net.listen(a, port)).rejects.toThrow(BindError);
      await expect(net.listen(a, port)).rejects.toThrow(`127.0.0.1:${port} for peer 0: EADDRINUSE`);
    } finally {
      await net.close();
      await new Promise((r) => taken.close(r));
    }
    expect(net.openSockets).toBe(0);
  });

  it('peermap live exits 2 with one line when the peer cap is exceeded', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'peermap-live-')), 'out');
    const r = spawnSync(process.execPath, ['bin/peermap.mjs', 'live', 'scenarios/default.yaml', '--peers', String(MAX_LIVE_PEERS + 1), '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect(r.stderr).toMatch(new RegExp(`${MAX_LIVE_PEERS + 1} peers is more than the limit of ${MAX_LIVE_PEERS}`));
  });
});
