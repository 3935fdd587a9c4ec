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
const INT_LITERAL = /^\d[\d_]*$/;

/**
 * `a ** b` is exact in every engine only for small cases: base 2 with an integer exponent (every use here),
 * squares, and integer literals on both sides. Returns the offending operator's text, or null.
 */
function engineDefinedPower(code: string): string | null {
  for (const m of code.matchAll(/([\w.)\]]+)\s*\*\*\s*(-?[\w.(]+)/g)) {
    const [whole, base, exponent] = m;
    if (base === '2' || exponent === '2' || (INT_LITERAL.test(base) && INT_LITERAL.test(exponent))) continue;
    return whole;
  }
  return null;
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

  it('sim-core (outside the adapters) leaves no last bit of a draw to the engine: no Math.log/cos/pow…, no fractional **', () => {
    const offenders: string[] = [];
    for (const file of sources('sim-core')) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          const code = /^\s*(\*|\/\*)/.test(line) ? '' : line.replace(/\/\/.*$/, '').replace(/'[^']*'|`[^`]*`/g, "''");
          if (ENGINE_MATH.test(code) || engineDefinedPower(code) !== null) offenders.push(`${relative('.', file)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(offenders, 'use detLog/detExp/detPow/detCos/detSin (sim-core/engine/det-math.ts)').toEqual([]);
  });

  it('the engine-math patterns catch what they must and let exact forms through', () => {
    for (const bad of ['Math.log(u)', 'Math.cos(2 * Math.PI * v)', 'Math.pow(a, b)', 'Math.log1p(-p)', 'Math.exp(-t)']) expect(ENGINE_MATH.test(bad), bad).toBe(true);
    for (const bad of ['rank ** -s', '(1 - u) ** (-1 / alpha)', 'x ** 3', 't ** (x + 0.5)', '2.5 ** k']) expect(engineDefinedPower(bad), bad).not.toBeNull();
    for (const ok of ['2 ** 32', '2 ** -difficulty', 'x ** 2', '(d / twoM) ** 2', '1024 ** 3', 'Math.sqrt(x)', 'Math.floor(x)']) {
      expect(ENGINE_MATH.test(ok) || engineDefinedPower(ok) !== null, ok).toBe(false);
    }
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
