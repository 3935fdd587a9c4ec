/** Where `peermap sweep` writes: checked before any job, never over earlier results unless --force; Ctrl-C keeps what finished. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SweepResult } from './sweep.ts';

const BIN = resolve('bin/peermap.mjs');
const dir = mkdtempSync(join(tmpdir(), 'peermap-sweep-out-'));
const env = { ...process.env, GIT_DIR: join(dir, 'no-git') }; // no git: the children need none
const cli = (args: string[], cwd?: string) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd, env });
const file = join(dir, 'tiny.yaml');
writeFileSync(file, 'name: tiny-out\ndurationS: 20\npeers: { count: 20, joinOverS: 5 }\nprotocol: { kind: node, strategy: none }\nmetrics: { sampleEveryS: 5 }\n');
const sweep = (...args: string[]) => cli(['sweep', file, '--strategies', 'random', '--workers', '1', '--quiet', ...args]);
const readJson = <T>(p: string) => JSON.parse(readFileSync(p, 'utf8')) as T;

describe('peermap sweep --out', () => {
  it('without --out: a new folder per sweep under results/sweep/', () => {
    const cwd = join(dir, 'cwd');
    mkdirSync(cwd);
    const a = cli(['sweep', file, '--strategies', 'random', '--workers', '1', '--quiet'], cwd);
    const b = cli(['sweep', file, '--strategies', 'random', '--workers', '1', '--quiet'], cwd);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const folders = readdirSync(join(cwd, 'results', 'sweep')).sort();
    expect(folders).toHaveLength(2);
    for (const f of folders) {
      expect(f).toMatch(/^tiny-out-\d{8}-\d{6}(-\d+)?$/);
      expect(existsSync(join(cwd, 'results', 'sweep', f, 'sweep.json'))).toBe(true);
    }
  });

  it('refuses, before running anything, a folder that already holds a sweep; --force replaces it, old run files included', () => {
    const out = join(dir, 'held');
    expect(sweep('--seeds', '1..2', '--out', out).status).toBe(0);
    writeFileSync(join(out, 'runs', 'random-seed9.json'), '{}'); // as if from an earlier, larger sweep
    const before = readFileSync(join(out, 'sweep.json'), 'utf8');
    const again = sweep('--seeds', '3', '--out', out);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`--out ${out}: already holds results`);
    expect(readFileSync(join(out, 'sweep.json'), 'utf8')).toBe(before);
    const forced = sweep('--seeds', '3', '--out', out, '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(readJson<SweepResult>(join(out, 'sweep.json')).seeds).toEqual([3]);
    expect(readdirSync(join(out, 'runs'))).toEqual(['random-seed3.json']);
  });

  it('refuses a runs/ folder with run files but no sweep.json (an interrupted earlier sweep) unless --force', () => {
    const out = join(dir, 'runs-only');
    mkdirSync(join(out, 'runs'), { recursive: true });
    writeFileSync(join(out, 'runs', 'random-seed1.json'), '{}');
    const r = sweep('--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('already holds run files');
  });

  it('refuses a file, /proc and /sys with exit 2 before running', () => {
    const f = join(dir, 'a-file');
    writeFileSync(f, 'x');
    for (const out of [f, '/proc/peermap-sweep', '/sys/peermap-sweep']) {
      const r = sweep('--out', out);
      expect(r.status, out).toBe(2);
      expect(r.stderr, out).toContain(`--out ${out}`);
      expect(r.stdout, out).not.toContain('trace:');
    }
  });
});

describe('peermap sweep interrupted', () => {
  it('SIGINT: no new jobs, finished runs kept, a partial sweep.json, exit 130', async () => {
    const slow = join(dir, 'slow.yaml');
    // Each job takes seconds, so the signal arrives with jobs left to run.
    writeFileSync(slow, 'name: slow-sweep\ndurationS: 300\npeers: { count: 150, joinOverS: 10 }\nprotocol: { kind: node, strategy: random }\nmetrics: { sampleEveryS: 10 }\n');
    const out = join(dir, 'interrupted');
    const child = spawn(process.execPath, [BIN, 'sweep', slow, '--strategies', 'random', '--seeds', '1..8', '--workers', '1', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        // The first finished job prints its line: interrupt then.
        if (/\[1\/8\]/.test(stdout) && child.signalCode === null && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => done(c));
    });
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('interrupted (SIGINT)');
    const s = readJson<SweepResult>(join(out, 'sweep.json'));
    const runs = s.results.random.runs;
    expect(s.complete).toBe(false);
    expect(s.execution.interrupted).toBe(true);
    expect(runs.length).toBeGreaterThanOrEqual(1);
    expect(runs.length).toBeLessThan(8);
    expect(readdirSync(join(out, 'runs')).sort()).toEqual(runs.map((r) => `random-seed${r.seed}.json`).sort());
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 600_000);
});
