import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Layering guard: the protocols sit below the scenario that configures them
 * (a strategy plugs in through its own folder and the registry), and the
 * simulated network sits below the protocols (both meet at sim-core/sans-io).
 * Tests and their support files may reach up for fixtures.
 */
const RULES: { from: string; never: string[]; why: string }[] = [
  { from: 'sim-core/protocols', never: ['sim-core/scenario', 'sim-core/node'], why: 'a protocol takes its own config types; the scenario layer fills them in' },
  { from: 'sim-core/net', never: ['sim-core/protocols', 'sim-core/scenario'], why: 'the network knows protocols only through sim-core/sans-io' },
  { from: 'sim-core/wire', never: ['sim-core/protocols', 'sim-core/scenario'], why: 'the codec is below the protocols' },
  { from: 'sim-core/sans-io', never: ['sim-core/protocols', 'sim-core/net', 'sim-core/scenario'], why: 'the boundary is the bottom both sides stand on' },
];

const IMPORT = /^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm;

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.tsx?$/.test(name) && !/(\.test|test-support)\.tsx?$/.test(name)) yield path;
  }
}

/** The repository paths `file` imports (relative specifiers only; packages are not layers). */
function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(IMPORT)].map((m) => m[1]).filter((s) => s.startsWith('.')).map((s) => normalize(join(dirname(file), s)));
}

function offences(from: string, never: string[]): string[] {
  const out: string[] = [];
  for (const file of sources(from)) {
    for (const target of importsOf(file, readFileSync(file, 'utf8'))) {
      if (never.some((n) => target === n || target.startsWith(`${n}/`))) out.push(`${file} -> ${target}`);
    }
  }
  return out;
}

describe('layering guard', () => {
  for (const rule of RULES) {
    it(`${rule.from} imports nothing from ${rule.never.join(', ')}`, () => {
      expect(offences(rule.from, rule.never), rule.why).toEqual([]);
    });
  }

  it('reads the import forms the code uses', () => {
    const text = "import type { A } from '../../scenario/schema/index.ts';\nexport { b } from './b.ts';\nimport {\n  c,\n} from '../c.ts';\nimport { z } from 'zod';";
    expect(importsOf('sim-core/protocols/x/y.ts', text)).toEqual(['sim-core/scenario/schema/index.ts', 'sim-core/protocols/x/b.ts', 'sim-core/protocols/c.ts']);
  });
});
