import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenario/load.ts';
import { parseShard, selectShard, shardOfJob, singleVariant, sweepJobs, type SweepPlan } from './plan.ts';
import type { SweepResult, SweepRunFile } from './sweep.ts';
import { cliSetup, deterministic, readJson, runFiles } from './test-cli.ts';

/** 40 peers for 60 s: well under a second per run. */
const TINY = `
name: tiny-sweep
durationS: 60
peers: { count: 40, joinOverS: 10 }
protocol: { kind: node, strategy: none }
metrics: { sampleEveryS: 5 }
`;
const { dir, cli, file } = cliSetup('sweep', TINY);

describe('sweep plan and shards', () => {
  const plan = (strategies: string[], seeds: number[]): SweepPlan => {
    const base = parseScenario(TINY, 'x.yaml');
    return { file: 'x.yaml', base, strategies: strategies as SweepPlan['strategies'], seeds, vary: [], variants: singleVariant(base) };
  };

  it('orders jobs strategy-major, then seeds as given, with stable run file names', () => {
    const jobs = sweepJobs(plan(['random', 'kademlia'], [3, 1, 2]));
    expect(jobs.map((j) => `${j.index}:${j.strategy}/${j.seed}`)).toEqual(['0:random/3', '1:random/1', '2:random/2', '3:kademlia/3', '4:kademlia/1', '5:kademlia/2']);
    expect(jobs[4].file).toBe('runs/kademlia-seed1.json');
    expect(jobs[4].spec.scenario.seed).toBe(1);
    expect(jobs[4].spec.scenario.protocol).toMatchObject({ kind: 'node', strategy: 'kademlia' });
  });

  it('parses --shard i/n and rejects malformed or out-of-range shards', () => {
    expect(parseShard('1/2')).toEqual({ index: 1, count: 2 });
    expect(parseShard(' 3 / 3 ')).toEqual({ index: 3, count: 3 });
    for (const bad of ['', '1', '0/2', '3/2', '1/0', 'a/b', '-1/2', '1/2/3', '1/100000']) expect(() => parseShard(bad), bad).toThrow(InvalidArgumentError);
  });

  it('shards partition the jobs: disjoint, covering, in job order, job j in shard (j mod n) + 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 4 }), (nSeeds, count, nStrategies) => {
        const jobs = sweepJobs(plan(['none', 'random', 'kademlia', 'globalmap'].slice(0, nStrategies), Array.from({ length: nSeeds }, (_, i) => i + 1)));
        const shards = Array.from({ length: count }, (_, i) => selectShard(jobs, { index: i + 1, count }));
        const all = shards.flat().map((j) => j.index);
        expect([...all].sort((a, b) => a - b)).toEqual(jobs.map((j) => j.index));
        for (const [i, s] of shards.entries()) {
          expect(s.map((j) => j.index)).toEqual([...s.map((j) => j.index)].sort((a, b) => a - b));
          for (const j of s) expect(shardOfJob(j.index, count)).toBe(i + 1);
          // Balanced: shard sizes differ by at most one.
          expect(Math.abs(s.length - jobs.length / count)).toBeLessThan(1);
        }
      }),
    );
  });
});

describe('peermap sweep (end to end)', () => {
  const one = join(dir, 'w1');
  const two = join(dir, 'w2');
  const shard1 = join(dir, 's1');
  const shard2 = join(dir, 's2');
  const merged = join(dir, 'merged');
  const common = [file, '--strategies', 'random', '--seeds', '1..8', '--quiet'];
  let r1: ReturnType<typeof cli>;
  let r2: ReturnType<typeof cli>;

  beforeAll(() => {
    r1 = cli('sweep', ...common, '--workers', '1', '--out', one);
    r2 = cli('sweep', ...common, '--workers', '2', '--out', two);
  });

  it('writes runs/<strategy>-seed<N>.json, sweep.json, sweep.csv and report.html', () => {
    expect(r1.status, r1.stderr).toBe(0);
    expect(r2.status, r2.stderr).toBe(0);
    expect(readdirSync(join(one, 'runs')).sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((s) => `random-seed${s}.json`).sort());
    expect(readdirSync(one).sort()).toEqual(['report.html', 'runs', 'sweep.csv', 'sweep.json']);
    const s = readJson<SweepResult>(join(two, 'sweep.json'));
    expect(s).toMatchObject({ format: 'peermap-sweep/1', strategies: ['random'], seeds: [1, 2, 3, 4, 5, 6, 7, 8], jobs: 8, complete: true });
    expect(s.execution).toMatchObject({ shard: null, workers: 2, jobsRun: 8 });
    const agg = s.results.random.aggregate.metrics['messages.perPeerPerSecond'];
    expect(agg.n).toBe(8);
    expect(agg.ci95).not.toBeNull();
    expect(s.results.random.runs.map((r) => r.seed)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(s.results.random.runs.map((r) => r.execution.worker))).toEqual(new Set([1, 2]));
    const run = readJson<SweepRunFile>(join(two, 'runs', 'random-seed3.json'));
    expect(run).toMatchObject({ format: 'peermap-sweep-run/1', job: 2, strategy: 'random', seed: 3, endReason: 'completed' });
    expect(run.traceHash).toBe(s.results.random.runs[2].traceHash);
  });

  it('--workers 2 gives byte-identical results to --workers 1, apart from execution fields', () => {
    expect(deterministic(two)).toBe(deterministic(one));
    expect(runFiles(two)).toEqual(runFiles(one));
    // And only execution fields differ: wall times are there, and differ.
    expect(readJson<SweepResult>(join(one, 'sweep.json')).execution.workers).toBe(1);
  });

  it('shards 1/2 and 2/2 merged equal the unsharded sweep', () => {
    const a = cli('sweep', ...common, '--workers', '1', '--shard', '1/2', '--out', shard1);
    const b = cli('sweep', ...common, '--workers', '2', '--shard', '2/2', '--out', shard2);
    expect(a.status, a.stderr).toBe(0);
    expect(b.status, b.stderr).toBe(0);
    const s1 = readJson<SweepResult>(join(shard1, 'sweep.json'));
    expect(s1.complete).toBe(false);
    expect(s1.execution.shard).toEqual({ index: 1, count: 2 });
    expect(s1.results.random.runs.map((r) => r.seed)).toEqual([1, 3, 5, 7]);
    expect(readdirSync(shard1)).not.toContain('report.html'); // partial: sweep.json only
    const m = cli('merge', shard2, shard1, '--out', merged, '--quiet');
    expect(m.status, m.stderr).toBe(0);
    expect(deterministic(merged)).toBe(deterministic(one));
    expect(runFiles(merged)).toEqual(runFiles(one));
    expect(readJson<SweepResult>(join(merged, 'sweep.json')).execution.mergedFrom?.map((x) => x.shard)).toEqual([
      { index: 2, count: 2 },
      { index: 1, count: 2 },
    ]);
  });

  it('merge refuses incomplete or mismatched inputs (exit 2, naming what is wrong)', () => {
    const missing = cli('merge', shard1, '--out', join(dir, 'bad'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('4 of 8 jobs have no run: random seed 2, random seed 4, random seed 6, random seed 8 (shards 2/2 missing or incomplete?)');
    const other = join(dir, 'other');
    const o = cli('sweep', file, '--strategies', 'random', '--seeds', '1..8', '--shard', '2/2', '--duration', '30', '--quiet', '--out', other);
    expect(o.status, o.stderr).toBe(0);
    const mixed = cli('merge', shard1, other, '--out', join(dir, 'bad'));
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/other: scenario differs from .*s1's/);
  });

  it('compare --workers 2 runs on the pool with the same trace hashes', () => {
    const c = cli('compare', file, '--strategies', 'random', '--seeds', '1..2', '--workers', '2', '--quiet', '--out', join(dir, 'cmp'));
    expect(c.status, c.stderr).toBe(0);
    const hashes = readJson<{ strategies: { random: { runs: { traceHash: string }[] } } }>(join(dir, 'cmp', 'compare.json')).strategies.random.runs.map((r) => r.traceHash);
    expect(hashes).toEqual(readJson<SweepResult>(join(one, 'sweep.json')).results.random.runs.slice(0, 2).map((r) => r.traceHash));
    // The comparison's single `trace:` line equals a sweep's over the same jobs.
    const s = cli('sweep', file, '--strategies', 'random', '--seeds', '1..2', '--workers', '1', '--quiet', '--out', join(dir, 'sw2'));
    expect(s.status, s.stderr).toBe(0);
    const trace = (out: string) => /^trace: ([0-9a-f]{16})$/m.exec(out)?.[1];
    expect(trace(s.stdout)).toMatch(/^[0-9a-f]{16}$/);
    expect(trace(s.stdout)).toBe(trace(c.stdout));
  });

  it('usage errors exit 2; --help documents the options', () => {
    expect(cli('sweep', file, '--shard', '3/2').status).toBe(2);
    expect(cli('sweep', file, '--workers', '0').status).toBe(2);
    const h = cli('sweep', '--help');
    expect(h.status).toBe(0);
    for (const opt of ['--seeds', '--strategies', '--workers', '--shard', '--out']) expect(h.stdout).toContain(opt);
    expect(cli('merge', '--help').stdout).toContain('--out');
  });
});
