import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenario/load.ts';
import { sweepJobs, type SweepPlan } from './plan.ts';
import type { SweepResult, SweepRunFile } from './sweep.ts';
import { cliSetup, deterministic, readJson, runFiles } from './test-cli.ts';
import { collectVary, parseVary, splitTopLevel, variantSets } from './vary.ts';

const TINY = 'name: tiny-vary\ndurationS: 30\npeers: { count: 30, joinOverS: 5 }\nprotocol: { kind: node, strategy: globalmap }\nmetrics: { sampleEveryS: 5 }\n';
const { dir, cli, file } = cliSetup('vary', TINY);

describe('--vary syntax', () => {
  it('splits values on commas outside brackets and quotes', () => {
    expect(splitTopLevel('2,4, 8')).toEqual(['2', '4', '8']);
    expect(splitTopLevel('{kind: constant, ms: 5},{kind: constant, ms: 50}')).toEqual(['{kind: constant, ms: 5}', '{kind: constant, ms: 50}']);
    expect(splitTopLevel('[1, 2],"a,b",\'c,d\'')).toEqual(['[1, 2]', '"a,b"', "'c,d'"]);
    for (const bad of ['{a: 1', '[1,2]]', '"open', '{a: [1}]']) expect(() => splitTopLevel(bad), bad).toThrow();
  });

  it('parses path=v1,v2 and refuses what would make no sense', () => {
    expect(parseVary('protocol.globalmap.ttl=2,4')).toEqual({ path: 'protocol.globalmap.ttl', values: ['2', '4'] });
    for (const bad of ['ttl', '=2,4', 'a.b=2,,4', 'a.b=2,2', 'a..b=1', 'a.__proto__.b=1', 'seed=1,2', 'protocol.strategy=random,none', 'a={x: 1']) {
      expect(() => parseVary(bad), bad).toThrow(InvalidArgumentError);
    }
    const one = collectVary('a=1,2', []);
    expect(() => collectVary('a=3', one)).toThrow(/given twice/);
    expect(() => collectVary(`b=${Array.from({ length: 501 }, (_, i) => i).join(',')}`, one)).toThrow(/1002 combinations/);
  });

  it('makes every combination, the first --vary changing slowest', () => {
    expect(variantSets([])).toEqual([[]]);
    expect(variantSets([parseVary('a=1,2'), parseVary('b=x,y')])).toEqual([
      ['a=1', 'b=x'],
      ['a=1', 'b=y'],
      ['a=2', 'b=x'],
      ['a=2', 'b=y'],
    ]);
  });

  it('orders jobs variant-major, then strategy, then seed; run files and result keys name the variant', () => {
    const base = parseScenario(TINY, 'x.yaml');
    const ttl = (t: number) => parseScenario(TINY, 'x.yaml', { sets: [`protocol.globalmap.ttl=${t}`] });
    const plan: SweepPlan = {
      file: 'x.yaml',
      base,
      strategies: ['globalmap', 'random'],
      seeds: [2, 1],
      vary: [parseVary('protocol.globalmap.ttl=2,4')],
      variants: [
        { index: 1, sets: ['protocol.globalmap.ttl=2'], scenario: ttl(2) },
        { index: 2, sets: ['protocol.globalmap.ttl=4'], scenario: ttl(4) },
      ],
    };
    const jobs = sweepJobs(plan);
    expect(jobs.map((j) => `${j.index}:v${j.variant}/${j.strategy}/${j.seed}`)).toEqual([
      '0:v1/globalmap/2',
      '1:v1/globalmap/1',
      '2:v1/random/2',
      '3:v1/random/1',
      '4:v2/globalmap/2',
      '5:v2/globalmap/1',
      '6:v2/random/2',
      '7:v2/random/1',
    ]);
    expect(jobs[5].file).toBe('runs/v2-globalmap-seed1.json');
    expect(jobs[5].key).toBe('globalmap [protocol.globalmap.ttl=4]');
    expect(jobs[5].spec.scenario.protocol).toMatchObject({ strategy: 'globalmap', globalmap: { ttl: 4 } });
    expect(jobs[5].spec.scenario.seed).toBe(1);
  });
});

describe('peermap sweep --vary (end to end)', () => {
  const whole = join(dir, 'whole');
  const common = [file, '--strategies', 'globalmap', '--seeds', '1..2', '--vary', 'protocol.globalmap.ttl=2,4', '--quiet'];
  let r: ReturnType<typeof cli>;
  beforeAll(() => {
    r = cli('sweep', ...common, '--workers', '2', '--out', whole);
  });

  it('runs every seed once per value, with results per variant in sweep.json', () => {
    expect(r.status, r.stderr).toBe(0);
    const s = readJson<SweepResult>(join(whole, 'sweep.json'));
    expect(s).toMatchObject({ format: 'peermap-sweep/2', jobs: 4, complete: true, vary: [{ path: 'protocol.globalmap.ttl', values: ['2', '4'] }] });
    expect(s.variants?.map((v) => [v.label, (v.config.protocol as { globalmap: { ttl: number } }).globalmap.ttl])).toEqual([
      ['protocol.globalmap.ttl=2', 2],
      ['protocol.globalmap.ttl=4', 4],
    ]);
    expect(Object.keys(s.results)).toEqual(['globalmap [protocol.globalmap.ttl=2]', 'globalmap [protocol.globalmap.ttl=4]']);
    for (const [i, entry] of Object.values(s.results).entries()) {
      expect(entry).toMatchObject({ strategy: 'globalmap', variant: i + 1 });
      expect(entry.runs.map((run) => run.seed)).toEqual([1, 2]);
      expect(entry.aggregate.metrics['messages.perPeerPerSecond'].n).toBe(2);
    }
    expect(readdirSync(join(whole, 'runs')).sort()).toEqual(['v1-globalmap-seed1.json', 'v1-globalmap-seed2.json', 'v2-globalmap-seed1.json', 'v2-globalmap-seed2.json']);
    const run = readJson<SweepRunFile>(join(whole, 'runs', 'v2-globalmap-seed1.json'));
    expect(run).toMatchObject({ job: 2, strategy: 'globalmap', seed: 1, variant: 2 });
    // The field really changed the runs: each variant has its own traces.
    const traces = Object.values(s.results).map((e) => e.runs.map((x) => x.traceHash).join());
    expect(traces[0]).not.toBe(traces[1]);
    expect(readFileSync(join(whole, 'sweep.csv'), 'utf8')).toContain('\nglobalmap [protocol.globalmap.ttl=4],');
  });

  it('merging the --shard outputs of a varied sweep equals the unsharded sweep', () => {
    const a = cli('sweep', ...common, '--workers', '1', '--shard', '1/3', '--out', join(dir, 's1'));
    const b = cli('sweep', ...common, '--workers', '1', '--shard', '2/3', '--out', join(dir, 's2'));
    const c = cli('sweep', ...common, '--workers', '1', '--shard', '3/3', '--out', join(dir, 's3'));
    for (const x of [a, b, c]) expect(x.status, x.stderr).toBe(0);
    const m = cli('merge', join(dir, 's3'), join(dir, 's1'), join(dir, 's2'), '--out', join(dir, 'merged'), '--quiet');
    expect(m.status, m.stderr).toBe(0);
    expect(deterministic(join(dir, 'merged'))).toBe(deterministic(whole));
    expect(runFiles(join(dir, 'merged'))).toEqual(runFiles(whole));
    // A shard of another variant list is not part of this sweep.
    const other = cli('sweep', file, '--strategies', 'globalmap', '--seeds', '1..2', '--vary', 'protocol.globalmap.ttl=2,5', '--quiet', '--shard', '2/3', '--out', join(dir, 'o2'));
    expect(other.status, other.stderr).toBe(0);
    const mixed = cli('merge', join(dir, 's1'), join(dir, 'o2'), join(dir, 's3'), '--out', join(dir, 'bad'));
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/o2: vary differs/);
  });

  it('--set applies to every job; a variant that does not validate is exit 2 naming --vary', () => {
    const s = cli('sweep', file, '--strategies', 'globalmap', '--set', 'peers.count=20', '--vary', 'protocol.globalmap.ttl=3', '--quiet', '--out', join(dir, 'set'));
    expect(s.status, s.stderr).toBe(0);
    const result = readJson<SweepResult>(join(dir, 'set', 'sweep.json'));
    expect(result.scenario.peers).toBe(20);
    expect(result.variants?.[0].config.peers.count).toBe(20);
    const bad = cli('sweep', file, '--strategies', 'globalmap', '--vary', 'protocol.globalmap.ttl=2,99', '--quiet', '--out', join(dir, 'bad-vary'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--vary protocol.globalmap.ttl=99');
    expect(bad.stderr).toContain('protocol.globalmap.ttl');
    const same = cli('sweep', file, '--strategies', 'globalmap', '--vary', 'peers.count=20,25', '--peers', '30', '--quiet', '--out', join(dir, 'same'));
    expect(same.status).toBe(2);
    expect(same.stderr).toContain('gives the same scenario');
    expect(cli('sweep', file, '--vary', 'seed=1,2').status).toBe(2);
  });
});
