import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// Generous bounds: the machine is shared; nothing here asserts speed.
const SPAWN_TIMEOUT_MS = 120_000;
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/peermap.mjs', ...args], { encoding: 'utf8', timeout: SPAWN_TIMEOUT_MS });
const dir = mkdtempSync(join(tmpdir(), 'peermap-out-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('peermap run/compare --out is checked before anything runs', () => {
  it('run --out under /proc: exit 2 with one line, no simulation', () => {
    const r = cli('run', 'scenarios/quickstart.yaml', '--duration', '15', '--quiet', '--out', '/proc/peermap-test');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining('--out /proc/peermap-test: refusing to write under /proc')]);
    expect(r.stdout).not.toContain('trace:');
  });

  it('compare --out under /proc: exit 2, no runs', () => {
    const r = cli('compare', 'scenarios/default.yaml', '--strategies', 'globalmap', '--duration', '60', '--quiet', '--out', '/proc/peermap-test');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('refusing to write under /proc');
    expect(r.stdout).not.toContain('trace:');
  });

  it('run and compare --out naming an existing file: exit 2 with one line, no simulation', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a folder');
    const r = cli('run', 'scenarios/quickstart.yaml', '--duration', '15', '--quiet', '--out', file);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`--out ${file}: is a file, not a folder; choose a folder`]);
    expect(r.stdout).not.toContain('trace:');
    const c = cli('compare', 'scenarios/default.yaml', '--strategies', 'globalmap', '--duration', '60', '--quiet', '--out', file);
    expect(c.status).toBe(2);
    expect(c.stderr.trim().split('\n')).toEqual([`--out ${file}: is a file, not a folder; choose a folder`]);
    expect(readFileSync(file, 'utf8')).toBe('not a folder');
  });

  it('run --out holding results: refused (exit 2, says --force); --force replaces them', () => {
    const out = join(dir, 'held');
    mkdirSync(out);
    writeFileSync(join(out, 'summary.json'), '{"old": true}\n');
    const r = cli('run', 'scenarios/quickstart.yaml', '--duration', '15', '--quiet', '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('already holds results (summary.json); use --force');
    expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe('{"old": true}\n');
    const f = cli('run', 'scenarios/quickstart.yaml', '--duration', '15', '--quiet', '--out', out, '--force');
    expect(f.status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).endReason).toBe('completed');
    expect(f.stdout).toContain(`summary: ${join(out, 'summary.json')}`);
  });

});

/** Resolves when `pattern` has appeared in the stream's text, rejects if the child exits first or after `ms`. */
function waitFor(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} on ${stream} within ${ms} ms; got: ${text.slice(-500)}`)), ms);
    const onData = (d: Buffer) => {
      text += d.toString();
      if (pattern.test(text)) {
        clearTimeout(timer);
        child[stream]!.off('data', onData);
        resolve(text);
      }
    };
    child[stream]!.on('data', onData);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`exited before ${pattern} on ${stream}; got: ${text.slice(-500)}`));
    });
  });
}

describe('peermap run: SIGINT', () => {
  it(
    'stops at an event boundary, keeps a partial summary marked interrupted, exits 130, leaves no temp file',
    async () => {
      const out = join(dir, 'interrupted');
      const duration = 100_000;
      // A run of hours if not stopped; off a terminal it prints progress lines on stderr.
      const child = spawn(process.execPath, ['bin/peermap.mjs', 'run', 'scenarios/default.yaml', '--duration', String(duration), '--out', out], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      await waitFor(child, 'stderr', /progress: sim/, SPAWN_TIMEOUT_MS);
      child.kill('SIGINT');
      const { code, signal } = await Promise.race([
        exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no exit within bound after SIGINT')), SPAWN_TIMEOUT_MS)),
      ]);
      expect({ code, signal }).toEqual({ code: 130, signal: null });
      const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as { endReason: string; simulatedSeconds: number; eventsProcessed: number };
      expect(summary.endReason).toBe('interrupted');
      expect(summary.simulatedSeconds).toBeGreaterThan(0);
      expect(summary.simulatedSeconds).toBeLessThan(duration);
      expect(summary.eventsProcessed).toBeGreaterThan(0);
      expect(stderr).toMatch(/interrupted at t = [\d.]+ s of 100000 s; partial summary: .*summary\.json/);
      expect(stdout).toContain('key results (partial: interrupted)');
      expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    },
    3 * SPAWN_TIMEOUT_MS,
  );

  it('a temp file left by a killed run (dead pid) is removed at the next start', () => {
    const out = join(dir, 'stale');
    mkdirSync(out);
    // pid 2^22 + 1 is above Linux's pid_max, so never a live process.
    const stale = join(out, `.summary.json.${2 ** 22 + 1}.tmp`);
    writeFileSync(stale, '{');
    const r = cli('run', 'scenarios/quickstart.yaml', '--duration', '15', '--quiet', '--out', out);
    expect(r.status).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(out)).toEqual(['summary.json']);
  });
});
