import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from './errors.ts';
import { MAX_SETS, parseScenario, parseSetArg } from './load.ts';
import { rejected } from './rejected.test-helper.ts';

const base = 'name: s\ndurationS: 5\npeers: {count: 10}\nprotocol: {kind: node, strategy: globalmap}\n';


describe('--set overrides', () => {
  it('sets numbers, booleans, strings and flow mappings, creating missing parents', () => {
    const s = parseScenario(base, 'test.yaml', {
      sets: ['protocol.globalmap.ttl=8', 'bootstrap.mesh=true', 'description=hello world', 'network.latency={model: constant, ms: 50}'],
    });
    expect(s.protocol.kind === 'node' && s.protocol.globalmap.ttl).toBe(8);
    expect(s.bootstrap.mesh).toBe(true);
    expect(s.description).toBe('hello world');
    expect(s.network.latency).toMatchObject({ model: 'constant', ms: 50 });
  });

  it('array indices are path segments; a later --set wins; --seed/--peers/--duration win over --set', () => {
    const text = base + 'actions: [{do: crash, atS: 1, peers: [0]}]\n';
    const s = parseScenario(text, 'test.yaml', { sets: ['actions.0.atS=5', 'seed=3', 'seed=4', 'peers.count=7'], seed: 9, peers: 8 });
    expect(s.actions[0].atS).toBe(5);
    expect(s.seed).toBe(9);
    expect(s.peers.count).toBe(8);
    expect(parseScenario(text, 'test.yaml', { sets: ['seed=3', 'seed=4'] }).seed).toBe(4);
  });

  it('an out-of-range value names the flag, not a line of the file', () => {
    const e = rejected(base, { sets: ['protocol.globalmap.ttl=99'] });
    expect(e.problems[0]).toMatchObject({ path: '--set protocol.globalmap.ttl', got: '99' });
    expect(e.problems[0].line).toBeUndefined();
    expect(e.message).toMatch(/--set protocol\.globalmap\.ttl: got 99; must be ≤ \d+/);
    const inner = rejected(base, { sets: ['network.latency={model: constant, ms: -1}'] });
    expect(inner.problems[0].path).toBe('network.latency.ms (from --set network.latency)');
    const created = rejected(base, { sets: ['actions.x=1'] });
    expect(created.problems[0]).toMatchObject({ path: 'actions (from --set actions.x)', allowed: 'must be an array' });
  });

  it.each([
    ['nokey', 'must be dotted.path=value'],
    ['=3', 'needs a field path'],
    ['seed=', 'needs a value'],
    ['a..b=1', 'empty part'],
    ['__proto__.x=1', 'may not contain "__proto__"'],
    ['protocol.constructor=1', 'may not contain "constructor"'],
    ['peers.prototype.x=1', 'may not contain "prototype"'],
    ['name.x=1', 'not a mapping or list'],
    ['actions.5.atS=1', 'must be an index from 0 to 1'],
    ['actions.x=1', 'must be an index'],
    ['actions.0.peers.x=1', 'must be an index'],
    ['seed=[1, 2', 'the value must be YAML'],
  ])('a malformed --set %j is a ScenarioError naming --set', (set, why) => {
    const e = rejected(base + 'actions: [{do: crash, atS: 1, peers: [0]}]\n', { sets: [set] });
    expect(e.problems[0].path).toBe('--set');
    expect(e.message).toContain(why);
  });

  it('bounds the number and the length of --set flags', () => {
    expect(rejected(base, { sets: Array.from({ length: MAX_SETS + 1 }, () => 'seed=1') }).message).toContain(`at most ${MAX_SETS} --set`);
    expect(rejected(base, { sets: [`description=${'x'.repeat(5000)}`] }).message).toContain('at most 4096 characters');
  });

  it('parseSetArg returns the path and the YAML value, for commander validation', () => {
    expect(parseSetArg('actions.0.atS=5')).toEqual({ path: 'actions.0.atS', segments: ['actions', '0', 'atS'], value: 5 });
    expect(parseSetArg("name='007'").value).toBe('007');
    expect(() => parseSetArg('nokey')).toThrow(ScenarioError);
  });
});

describe('--peers on a waves schedule', () => {
  const hostile = readFileSync('scenarios/hostile-lan.yaml', 'utf8');

  it('scales the waves to the new count, keeping their shape', () => {
    const s = parseScenario(hostile, 'hostile-lan.yaml', { peers: 100 });
    expect(s.peers.count).toBe(100);
    expect(s.peers.waves?.map((w) => [w.count, w.atS, w.overS])).toEqual([
      [6, 0, 0],
      [94, 10, 20],
    ]);
    const small = parseScenario(hostile, 'hostile-lan.yaml', { peers: 5 }).peers.waves!.map((w) => w.count);
    expect(small).toEqual([1, 4]);
  });

  it('a count past the population cap is refused by name, at once (past 2^53 the scaling could never end)', () => {
    for (const peers of [200_001, 13551039528103146, 1921338151144735495]) {
      const e = rejected(hostile, { peers });
      expect(e.problems[0]).toMatchObject({ path: 'peers.count (from --peers)' });
      expect(e.message).toContain('must be ≤ 200000');
    }
  });

  it('a count below the number of waves names --peers', () => {
    const e = rejected(hostile, { peers: 1 });
    expect(e.problems[0]).toMatchObject({ path: 'peers.count (from --peers)', got: '1' });
    expect(e.message).toContain('number of peers.waves');
  });
});
