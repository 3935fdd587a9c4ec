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

/** The import graph of the non-test sources under `roots`: file → the repository files it imports. */
function importGraph(roots: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const root of roots) for (const file of sources(root)) graph.set(file, importsOf(file, readFileSync(file, 'utf8')));
  return graph;
}

/** Files that import each other, directly or around a loop: the graph's strongly connected parts of two or more (Tarjan). */
function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const part: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w);
      part.push(w);
      if (w === v) break;
    }
    if (part.length > 1) out.push(part.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

describe('layering guard', () => {
  it('no import cycles: a file never depends, even through others, on a file that depends on it', () => {
    expect(importCycles(importGraph(['sim-core', 'web-ui', 'bench'])), 'break the loop with a type declared on the lower side').toEqual([]);
  });

  it('finds an import cycle, and only the files on it', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c', 'x']],
      ['c', ['a']],
      ['d', ['a']],
      ['x', []],
    ]);
    expect(importCycles(graph)).toEqual([['a', 'b', 'c']]);
  });

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
