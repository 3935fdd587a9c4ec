import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { childOutput } from './children.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('tracked', () => {
  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`a bench killed by its pid (${signal}) takes its running child down with it and runs its cleanups`, async () => {
      const folder = mkdtempSync(join(tmpdir(), 'peermap-children-'));
      const parent = spawn(process.execPath, ['bin/tsx-run.mjs', 'bench/children/fixture.ts', folder], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      parent.stdout.setEncoding('utf8');
      parent.stdout.on('data', (s: string) => (out += s));
      // Wait for the child to be up (a state, not a time).
      while (!/child \d+\n/.test(out)) {
        if (parent.exitCode !== null) throw new Error(`fixture exited early (${parent.exitCode}): ${out}`);
        await sleep(20);
      }
      const pid = Number(/child (\d+)/.exec(out)![1]);
      expect(alive(pid)).toBe(true);
      const exited = once(parent, 'exit');
      parent.kill(signal);
      const [exitCode] = await exited;
      expect(exitCode).toBe(code);
      // The signal was passed on: the child goes (it would otherwise run for ten minutes).
      while (alive(pid)) await sleep(20);
      // The folder registered with atInterrupt is gone (a finally block would not have run), removed after the
      // child had written into it on its way out (removed at once, the child's write would have brought it back).
      const left = existsSync(folder);
      rmSync(folder, { recursive: true, force: true });
      expect(left).toBe(false);
    });
  }
});

describe('childOutput', () => {
  it('resolves with the standard output of a child that exits 0', async () => {
    await expect(childOutput(process.execPath, ['-e', 'process.stdout.write("a\\n"); process.stdout.write("b\\n")'])).resolves.toBe('a\nb\n');
  });

  it('rejects a child whose standard output passes the bound (and stops it) instead of holding it all', async () => {
    const endless = childOutput(process.execPath, ['-e', 'const s = "x".repeat(1 << 20); const w = () => process.stdout.write(s, w); w()']);
    await expect(endless).rejects.toThrow(/wrote more than \d+ characters/);
  });

  it('rejects with the exit code and the end of standard error otherwise', async () => {
    const failing = childOutput(process.execPath, ['-e', 'process.stdout.write("partial"); console.error("it broke"); process.exit(3)']);
    await expect(failing).rejects.toThrow(/ended with 3:\nit broke/);
  });
});
