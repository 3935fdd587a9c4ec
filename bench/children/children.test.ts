import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';

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
    it(`a bench killed by its pid (${signal}) takes its running child down with it`, async () => {
      const parent = spawn(process.execPath, ['bin/tsx-run.mjs', 'bench/children/fixture.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
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
    });
  }
});
