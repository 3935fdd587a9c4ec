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
/** Functions whose last bit the language leaves to the engine: draws use sim-core/engine/det-math.ts instead. */
const ENGINE_MATH = /\bMath\.(log|log1p|log2|log10|exp|expm1|sin|cos|tan|asin|acos|atan|atan2|sinh|cosh|tanh|asinh|acosh|atanh|pow|cbrt|hypot)\b/;
/**
 * Other engine-defined corners: Math reached around the names above (`Math['cos']`, `const { log } = Math`),
 * `**=`, and a spread into Math.min/max (how many arguments a call takes is the engine's limit: use minOf/maxOf).
 */
const ENGINE_DEFINED = /\bMath\s*\[|=\s*Math\b\s*[;,)]?\s*$|\*\*=|\bMath\.(min|max)\(\s*\.\.\./;
const INT_LITERAL = /^\d[\d_]*$/;
/** Marks a `2 ** expression` whose exponent is an integer by construction (the guard cannot see it). */
const INTEGER_EXPONENT = '// det: integer exponent';

/**
 * `a ** b` is exact in every engine only for small cases: squares, integer literals on both sides, and
 * base 2 with an integer exponent — a literal, a name (`2 ** -difficulty`), or an expression on a line
 * marked INTEGER_EXPONENT. Returns the offending operator's text, or null.
 */
function engineDefinedPower(code: string, marked = false): string | null {
  for (const m of code.matchAll(/([\w.)\]]+)\s*\*\*\s*(-?[\w.(]*)/g)) {
    const [whole, base, exponent] = m;
    if (exponent === '2' || (INT_LITERAL.test(base) && INT_LITERAL.test(exponent))) continue;
    if (base === '2' && (/^-?(\d[\d_]*|[A-Za-z_$][\w$]*)$/.test(exponent) || marked)) continue;
    return whole;
  }
  return null;
}

/** A line's code: nothing for a doc-comment line, else the line without its `//` comment (comments may name the APIs). */
const codeOf = (line: string): string => (/^\s*(\*|\/\*)/.test(line) ? '' : line.replace(/\/\/.*$/, ''));

function engineDefinedLine(line: string): boolean {
  const code = codeOf(line).replace(/'[^']*'|`[^`]*`/g, "''");
  return ENGINE_MATH.test(code) || ENGINE_DEFINED.test(code) || engineDefinedPower(code, line.includes(INTEGER_EXPONENT)) !== null;
}
const ADAPTER_DIRS = new Set([join('sim-core', 'node'), join('sim-core', 'browser')]);

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!ADAPTER_DIRS.has(path)) yield* sources(path);
    } else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) yield path;
  }
}

/** `file:line: text` of every line of simulation code that `isOffence` flags. */
function offendingLines(isOffence: (line: string) => boolean): string[] {
  const offenders: string[] = [];
  for (const file of sources('sim-core')) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (isOffence(line)) offenders.push(`${relative('.', file)}:${i + 1}: ${line.trim()}`);
      });
  }
  return offenders;
}

describe('determinism guard', () => {
  it('sim-core (outside node/ and browser/ adapters) uses no ambient clock or randomness', () => {
    expect(offendingLines((line) => BANNED.test(codeOf(line))), 'inject the clock and seeded streams instead').toEqual([]);
  });

  it('sim-core (outside the adapters) leaves no last bit of a draw to the engine: no Math.log/cos/pow…, no fractional **', () => {
    expect(offendingLines(engineDefinedLine), 'use detLog/detExp/detPow/detCos/detSin (sim-core/engine/det-math.ts), minOf/maxOf (sim-core/engine/extremes.ts)').toEqual([]);
  });

  it('the engine-math patterns catch what they must and let exact forms through', () => {
    const bad = [
      'Math.log(u)',
      'Math.cos(2 * Math.PI * v)',
      'Math.pow(a, b)',
      'Math.log1p(-p)',
      'Math.exp(-t)',
      'rank ** -s',
      '(1 - u) ** (-1 / alpha)',
      'x ** 3',
      't ** (x + 0.5)',
      '2.5 ** k',
      'return s * 2 ** (-(now - this.at.get(address)!) / this.halfLifeUs);',
      '2 ** (x / 3)',
      'y **= k;',
      "Math['cos'](v)",
      'const { log } = Math;',
      'const m = Math;',
      'Math.min(...during.map((p) => p.lccFraction))',
      'Math.max( ...xs)',
    ];
    for (const line of bad) expect(engineDefinedLine(line), line).toBe(true);
    const ok = [
      '2 ** 32',
      '2 ** -difficulty',
      'x ** 2',
      '(d / twoM) ** 2',
      '1024 ** 3',
      'Math.sqrt(x)',
      'Math.floor(x)',
      'Math.min(a, b)',
      `baseUs * 2 ** (n - 1)); ${INTEGER_EXPONENT}`,
      '// Math.log(x) in a comment',
      " * Math.cos in a doc comment",
    ];
    for (const line of ok) expect(engineDefinedLine(line), line).toBe(false);
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
