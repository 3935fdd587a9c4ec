import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/peermap.mjs', ...args], { encoding: 'utf8', timeout: 300_000 });
const dir = mkdtempSync(join(tmpdir(), 'peermap-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const summaryOf = (out: string) => JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { scenarioConfig: { protocol: Record<string, unknown> } };

describe('peermap flags', () => {
  it('--version prints the package version', () => {
    const r = cli('--version');
    expect(r.status).toBe(0);
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(r.stdout.startsWith(pkg.version)).toBe(true);
  });

  it('run --strategy and --set change the scenario the run uses', () => {
    const out = join(dir, 'kad');
    const r = cli('run', 'scenarios/default.yaml', '--peers', '20', '--duration', '60', '--strategy', 'kademlia', '--set', 'protocol.kademlia.k=10', '--quiet', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const p = summaryOf(out).scenarioConfig.protocol;
    expect(p.strategy).toBe('kademlia');
    expect((p.kademlia as { k: number }).k).toBe(10);
  });

  it('an invalid --strategy or --set exits 2 naming the flag, before running', () => {
    const s = cli('run', 'scenarios/default.yaml', '--strategy', 'gossip', '--quiet', '--out', join(dir, 'no1'));
    expect(s.status).toBe(2);
    expect(s.stderr).toContain('protocol.strategy (from --strategy): got "gossip"');
    const v = cli('run', 'scenarios/default.yaml', '--set', 'protocol.kademlia.k=-1', '--quiet', '--out', join(dir, 'no2'));
    expect(v.status).toBe(2);
    expect(v.stderr).toContain('--set protocol.kademlia.k: got -1');
    const m = cli('compare', 'scenarios/default.yaml', '--set', 'no-equals-sign', '--quiet', '--out', join(dir, 'no3'));
    expect(m.status).toBe(2);
    expect(m.stderr).toContain('--set must be path=value');
  });

  it('compare --set applies to every run', () => {
    const out = join(dir, 'cmp');
    const r = cli('compare', 'scenarios/default.yaml', '--strategies', 'globalmap', '--peers', '20', '--duration', '60', '--set', 'protocol.globalmap.ttl=3', '--quiet', '--out', out);
    expect(r.status, r.stderr).toBe(0);
    const c = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as { scenario: { config: { protocol: { globalmap: { ttl: number } } } } };
    expect(c.scenario.config.protocol.globalmap.ttl).toBe(3);
  });
});
