import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from './errors.ts';
import { parseScenario } from './load.ts';
import { isStackOverflow } from './yaml-text.ts';
import { rejected as rejectedWith } from './rejected.test-helper.ts';

const base = 'name: h\ndurationS: 5\npeers: {count: 3}\nprotocol: {kind: flood}\n';

const rejected = (text: string) => rejectedWith(text, {}, 'h.yaml');

describe('hostile YAML is a ScenarioError (exit 2) naming the problem, never another exception', () => {
  it('an alias bomb', () => {
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill('*' + String.fromCharCode(96 + i)).join(', ')}]`);
    const e = rejected(base + 'description:\n  ' + levels.join('\n  ') + '\n');
    expect(e.message).toContain('YAML aliases expand too much');
    expect(e.problems[0].line).toBeGreaterThan(4);
  });

  it('an alias inside the node it names (a cycle), in a file or in --set; a shared alias is fine', () => {
    for (const text of [base + 'description: &a [*a]\n', base + 'metrics: &m {self: *m}\n']) {
      const e = rejected(text);
      expect(e.message).toContain('an alias (*name) inside the node it names');
      expect(e.problems[0].line).toBe(5);
    }
    expect(() => parseScenario(base, 'h.yaml', { sets: ['description=&a [*a]'] })).toThrow(/inside the node it names/);
    expect(() => parseScenario(base + 'x: &s {a: 1}\n', 'h.yaml')).toThrow(ScenarioError); // unknown key x, not a cycle
    expect(rejected(base + 'description: &s [1]\nversions: [*s, *s]\n').message).not.toContain('inside the node');
  });

  it('a second YAML document is named in our words, with its line', () => {
    const e = rejected(base + '---\nname: other\n');
    expect(e.message).toContain('YAML: one document per file');
    expect(e.message).not.toContain('parseAllDocuments');
    expect(e.problems[0].line).toBe(5);
  });

  it('more aliases than the bound', () => {
    const e = rejected(base + 'description: &d x\nversions: [' + Array(101).fill('{name: *d}').join(', ') + ']\n');
    expect(e.message).toContain('at most 100 aliases');
  });

  it('nesting deeper than the bound, in flow or block style', () => {
    expect(rejected(base + 'description: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n').message).toContain('YAML: nested too deep (at most 64 levels)');
    const block = Array.from({ length: 100 }, (_, i) => ' '.repeat(i) + `k${i}:`).join('\n');
    expect(rejected(base + 'description:\n' + block.replace(/^/gm, '  ') + ' 1\n').message).toContain('YAML: nested too deep (at most 64 levels)');
  });

  it('knows a stack overflow in each engine\'s words (V8 and JavaScriptCore: call stack; SpiderMonkey: too much recursion)', () => {
    expect(isStackOverflow('Maximum call stack size exceeded')).toBe(true);
    expect(isStackOverflow('too much recursion')).toBe(true);
    expect(isStackOverflow('Implicit keys need to be on a single line')).toBe(false);
  });

  it('more mapping keys than the bound is refused before validation', () => {
    const keys = Array.from({ length: 100_001 }, (_, i) => i.toString(36)).join(', ');
    expect(rejected(base + `description: {${keys}}\n`).message).toContain('at most 100000 mapping keys');
  });

  it('__proto__, constructor and prototype keys are refused with a clear message', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const e = rejected(base + `${key}: {a: 1}\n`);
      expect(e.problems[0]).toMatchObject({ line: 5, allowed: `YAML: "${key}" cannot be a key (no scenario field has this name)` });
      expect(e.message).not.toContain('[object Object]');
    }
  });

  it('any text gives a Scenario or a ScenarioError', () => {
    const fragment = fc.constantFrom('name: x', 'durationS: 5', 'peers: {count: 3}', 'protocol: {kind: flood}', '&a', '*a', '[', ']', '{', '}', ': ', '- ', '? ', '\n', '  ', '!!str', '.nan', '__proto__', '<<: *a', '"', "'", '#', '|', '>');
    const text = fc.oneof(fc.string({ maxLength: 200 }), fc.array(fragment, { maxLength: 40 }).map((a) => a.join('')));
    fc.assert(
      fc.property(text, (t) => {
        try {
          parseScenario(base + t, 'p.yaml');
        } catch (e) {
          if (!(e instanceof ScenarioError)) throw e;
        }
      }),
      { numRuns: 400, seed: 7 },
    );
  });
});

describe('wording', () => {
  it('"must be an object", not "a object"', () => {
    expect(rejected(base + 'network: 5\n').problems[0]).toMatchObject({ path: 'network', allowed: 'must be an object' });
  });

  it('.nan and .inf are shown as written, with "must be a finite number"', () => {
    expect(rejected(base + 'seed: .nan\n').problems[0]).toMatchObject({ path: 'seed', got: '.nan', allowed: 'must be a finite number' });
    expect(rejected(base.replace('durationS: 5', 'durationS: -.inf')).problems[0]).toMatchObject({ path: 'durationS', got: '-.inf' });
  });

  it('one seed bound, whatever the size of the number', () => {
    for (const seed of ['5000000000', '1e20']) {
      const e = rejected(base + `seed: ${seed}\n`);
      expect(e.problems.map((p) => p.allowed)).toEqual(['must be ≤ 4294967295']);
    }
  });

  it('"allowed here" lists the keys of list entries and union options', () => {
    const e = rejected(base + 'actions: [{do: crash, atS: 1, peers: [0], zz: 1}]\n');
    expect(e.problems[0]).toMatchObject({ path: 'actions.0.zz', allowed: 'unknown field; allowed here: atS, do, peers' });
    expect(e.message).not.toContain('see the README');
  });

  it('thousands of unknown keys make one short problem', () => {
    const e = rejected(base + Array.from({ length: 5000 }, (_, i) => `x${i}: 1`).join('\n') + '\n');
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0].allowed).toContain('(5000 in all)');
    expect(e.message.length).toBeLessThan(1000);
  });
});
