import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/peermap.mjs', ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'peermap-cli-'));

describe('peermap CLI', () => {
  it('validate: exit 0 on the quickstart', () => {
    const r = cli('validate', 'scenarios/quickstart.yaml');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('valid');
  });

  it('validate: a negative peer count exits 2 and names the field', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync('scenarios/quickstart.yaml', 'utf8').replace('count: 300', 'count: -5'));
    const r = cli('validate', bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/peers\.count: got -5; must be ≥ 1/);
  });

  it('validate: a missing file exits 2 with its name', () => {
    const r = cli('validate', join(dir, 'nope.yaml'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('nope.yaml');
  });

  it('run: an out-of-range flag exits 2 naming the flag; a malformed one exits 2', () => {
    const r = cli('run', 'scenarios/quickstart.yaml', '--peers', '0', '--quiet', '--out', dir);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('peers.count (from --peers): got 0');
    const r2 = cli('run', 'scenarios/quickstart.yaml', '--seed', 'abc');
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('--seed must be an integer');
  });

  it('--help works on the command and each subcommand', () => {
    for (const args of [['--help'], ['run', '--help'], ['validate', '--help']]) {
      const r = cli(...args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout).toContain('Usage: peermap');
    }
  });
});
