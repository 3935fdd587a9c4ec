import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from './errors.ts';
import { parseScenario } from './load.ts';

const quickstart = readFileSync('scenarios/quickstart.yaml', 'utf8');

function problemsOf(text: string, overrides = {}) {
  try {
    parseScenario(text, 'test.yaml', overrides);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return { problems: (e as ScenarioError).problems, message: (e as ScenarioError).message };
  }
  throw new Error('expected the scenario to be rejected');
}

describe('scenario validation', () => {
  it('accepts the shipped quickstart and fills defaults', () => {
    const s = parseScenario(quickstart, 'quickstart.yaml');
    expect(s.name).toBe('quickstart');
    expect(s.peers.count).toBe(300);
    expect(s.protocol.kind).toBe('flood');
    const minimal = parseScenario('name: m\ndurationS: 5\npeers: {count: 3}\nprotocol: {kind: flood}\n');
    expect(minimal.network.latency.model).toBe('uniform');
    expect(minimal.seed).toBe(1);
  });

  it('a negative peer count names the field, the value, what is allowed and the line', () => {
    const { problems, message } = problemsOf(quickstart.replace('count: 300', 'count: -5'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'peers.count', got: '-5', allowed: 'must be ≥ 1' });
    const line = quickstart.split('\n').findIndex((l) => l.includes('count: 300')) + 1;
    expect(problems[0].line).toBe(line);
    expect(message).toContain(`test.yaml:${line}: peers.count: got -5; must be ≥ 1`);
  });

  it('reports every problem: wrong type, unknown key, bad enum, missing field', () => {
    const text = 'name: x\npeers: {count: "many", cout: 4}\nprotocol: {kind: flod}\n';
    const { problems } = problemsOf(text);
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    expect(byPath['durationS']).toMatchObject({ got: undefined, allowed: 'must be a number' });
    expect(byPath['peers.count']).toMatchObject({ got: '"many"', allowed: 'must be a number', line: 2 });
    expect(byPath['peers.cout'].allowed).toContain('unknown field; allowed here: count, joinOverS');
    expect(byPath['protocol.kind']).toMatchObject({ got: '"flod"', allowed: 'must be one of "flood", "node"', line: 3 });
  });

  it('checks cross-field rules', () => {
    const text = 'name: x\ndurationS: 10\npeers: {count: 3, joinOverS: 20}\nprotocol: {kind: flood}\nnetwork: {latency: {model: uniform, minMs: 50, maxMs: 10}}\n';
    const { problems } = problemsOf(text);
    expect(problems.map((p) => p.path).sort()).toEqual(['network.latency.maxMs', 'peers.joinOverS']);
  });

  it('bootstrap.mesh: a boolean, defaults off, and needs room for the mesh within the target degree', () => {
    const node = (bootstrap: string) => `name: b\ndurationS: 5\npeers: {count: 40}\nbootstrap: ${bootstrap}\nprotocol: {kind: node, strategy: globalmap}\n`;
    expect(parseScenario(node('{count: 10}')).bootstrap.mesh).toBe(false);
    expect(parseScenario(node('{count: 13, mesh: true}')).bootstrap.mesh).toBe(true); // 12 mesh links = targetDegree
    const tooMany = problemsOf(node('{count: 14, mesh: true}'));
    expect(tooMany.problems.map((p) => p.path)).toEqual(['bootstrap.mesh']);
    expect(tooMany.message).toContain('targetDegree (12)');
    expect(problemsOf(node('{count: 10, mesh: 1}')).problems.map((p) => p.path)).toEqual(['bootstrap.mesh']);
  });

  it('names the flag when an override is out of range', () => {
    const { problems } = problemsOf(quickstart, { peers: 0 });
    expect(problems[0]).toMatchObject({ path: 'peers.count (from --peers)', got: '0' });
  });

  it('YAML syntax errors and non-mapping documents are typed errors with a line', () => {
    const { problems, message } = problemsOf('name: x\npeers: [1, 2\n');
    expect(problems[0].allowed).toMatch(/^YAML syntax/);
    expect(problems[0].line).toBeGreaterThan(0);
    // The message alone: no "(file): missing;" before it.
    expect(message).toMatch(new RegExp(`\\n  test\\.yaml:${problems[0].line}: YAML syntax: `));
    expect(problemsOf('- 1\n- 2\n').problems[0].allowed).toBe('a mapping of scenario fields');
    const dup = problemsOf('a: 1\na: 2\n');
    expect(dup.problems[0]).toMatchObject({ allowed: 'YAML: duplicate key "a" (first on line 1)', line: 2 });
  });
});
