import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/peermap.mjs', ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'peermap-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the CLI on hostile scenarios: exit 2 with the problem, no stack trace', () => {
  it('validate on an alias bomb', { timeout: 300_000 }, () => {
    const file = join(dir, 'bomb.yaml');
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill('*' + String.fromCharCode(96 + i)).join(', ')}]`);
    writeFileSync(file, 'name: b\ndurationS: 1\npeers: {count: 3}\nprotocol: {kind: flood}\ndescription:\n  ' + levels.join('\n  ') + '\n');
    const r = cli('validate', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('bomb.yaml:');
    expect(r.stderr).toContain('YAML aliases expand too much');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('run --peers on a scenario with waves scales the waves; a count below their number names --peers', { timeout: 300_000 }, () => {
    const file = join(dir, 'waves.yaml');
    writeFileSync(file, readFileSync('scenarios/hostile-lan.yaml', 'utf8'));
    const ok = cli('run', file, '--peers', '8', '--duration', '1', '--quiet', '--out', join(dir, 'out'));
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    const bad = cli('run', file, '--peers', '1', '--duration', '1', '--quiet', '--out', join(dir, 'out2'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('peers.count (from --peers): got 1; must be ≥ 2, the number of peers.waves');
    expect(bad.stderr).not.toContain('waves.yaml:17');
  });
});

describe('the CLI with its stdout closed (`peermap run … | head`, a parent gone)', () => {
  it('run still writes its summary and exits 0, without an EPIPE crash', { timeout: 300_000 }, async () => {
    const out = join(dir, 'closed-stdout');
    const child = spawn(process.execPath, ['bin/peermap.mjs', 'run', 'scenarios/quickstart.yaml', '--duration', '15', '--quiet', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // every line the run prints now meets a closed pipe
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
  });
});
