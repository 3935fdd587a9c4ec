import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Determinism guard: simulation code must not read ambient time or
 * randomness. Only the adapter folders (sim-core/node/, the Node.js CLI,
 * and a browser/ one) and tests may — by path, so that a protocol folder
 * that happens to be called `node` (the peer manager) is still checked.
 */
const BANNED = /\b(Date\.now|performance\.now|Math\.random|setTimeout|setInterval|setImmediate|getRandomValues|randomUUID|randomBytes|new Date\s*\()/;
const ADAPTER_DIRS = new Set([join('sim-core', 'node'), join('sim-core', 'browser')]);

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!ADAPTER_DIRS.has(path)) yield* sources(path);
    } else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) yield path;
  }
}

describe('determinism guard', () => {
  it('sim-core (outside node/ and browser/ adapters) uses no ambient clock or randomness', () => {
    const offenders: string[] = [];
    for (const file of sources('sim-core')) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = /^\s*(\*|\/\*)/.test(line) ? '' : line.replace(/\/\/.*$/, ''); // comments may name the APIs
          if (BANNED.test(code)) offenders.push(`${relative('.', file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders, 'inject the clock and seeded streams instead').toEqual([]);
  });

  it('walks every simulation folder, the peer manager (protocols/node) included, and skips only the adapters', () => {
    const files = [...sources('sim-core')];
    expect(files).toContain(join('sim-core', 'protocols', 'node', 'peer-node.ts'));
    expect(files).toContain(join('sim-core', 'net', 'world.ts'));
    expect(files.some((f) => f.startsWith(join('sim-core', 'node') + '/'))).toBe(false);
  });

  it('the pattern catches what it must', () => {
    for (const bad of ['Date.now()', 'performance.now()', 'Math.random()', 'setTimeout(f, 1)', 'setInterval(f)', 'crypto.getRandomValues(a)', 'new Date()']) {
      expect(BANNED.test(bad), bad).toBe(true);
    }
    expect(BANNED.test('scheduler.now')).toBe(false);
  });
});
