import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../scenario/errors.ts';
import { inProcessRunner } from '../jobs/jobs.ts';
import { buildBaseline, compareWithBaseline, formatComparison, type Baseline } from './baseline.ts';
import { filterCases, loadSuite, resolveCase, runCases } from './suite.ts';

/** 30 global-map peers for 60 s: about a second per run. */
const TINY = `
name: ci-tiny
durationS: 60
peers: { count: 30, joinOverS: 10 }
protocol: { kind: node, strategy: none }
metrics: { sampleEveryS: 5 }
`;
const meta = { suite: 'test', commit: 'test', generatedBy: 'test', machine: {} };

describe('bench:ci detects a changed protocol constant', () => {
  it('a gossip TTL override makes the comparison fail with a diff naming the changed metrics', async () => {
    const runner = inProcessRunner();
    const tiny = (overrides?: Record<string, unknown>) => resolveCase({ name: 'tiny', file: 'tiny.yaml', text: TINY, strategy: 'globalmap', seed: 1, overrides });
    const baseline = buildBaseline(await runCases([tiny()], runner), meta);
    // The same case again: equal to the baseline (the bench is deterministic).
    const again = compareWithBaseline(baseline, await runCases([tiny()], runner));
    expect(again.failed, formatComparison(again)).toBe(false);
    // The gossip TTL from 6 (the default) to 1: events reach direct neighbours only.
    const changed = await runCases([tiny({ protocol: { globalmap: { ttl: 1 } } })], runner);
    await runner.close();
    const c = compareWithBaseline(baseline, changed);
    expect(c.failed).toBe(true);
    const names = c.cases[0].diffs.map((d) => d.metric);
    for (const m of ['run.traceHash', 'run.eventsProcessed', 'messages.total', 'messages.bytes', 'messages.byType.gm-events.count', 'messages.byType.gm-events.bytes']) expect(names).toContain(m);
    expect(c.cases[0].configChanged).toBe(true);
    const text = formatComparison(c, { baselinePath: 'results/baseline-ci.json', maxRows: Infinity });
    expect(text).toMatch(/^tiny\/globalmap: \d+ values differ beyond tolerance \(its scenario was edited: config hash differs\)$/m);
    expect(text).toMatch(/^ {2}messages\.byType\.gm-events\.count +[\d,]+ +[\d,]+ +-[\d,]+ \(-[\d.]+%\) +exact$/m);
    expect(text).toContain('bench:ci: FAILED');
  });
});

describe('the bench:ci suite', () => {
  it('bench/ci/suite.yaml resolves: each case × strategy, with the suite seed and the strategy set', () => {
    const { cases } = loadSuite('bench/ci/suite.yaml');
    expect(cases.map((c) => c.id)).toEqual([
      'steady/globalmap',
      'steady/random',
      'steady/kademlia',
      'faults/globalmap',
      'faults/random',
      'faults/kademlia',
      'steady-signed/globalmap',
    ]);
    for (const c of cases) {
      expect(c.scenario.seed).toBe(1);
      expect(c.scenario.protocol).toMatchObject({ kind: 'node', strategy: c.strategy });
      expect(c.file).toMatch(/^bench\/ci\/(steady|faults)\.yaml$/);
    }
    expect(cases.find((c) => c.name === 'faults')!.scenario.actions.length).toBeGreaterThan(0);
    // The signed case is the steady scenario with the signed global map (its override applied).
    expect(cases.find((c) => c.name === 'steady-signed')!.scenario.protocol).toMatchObject({ globalmap: { security: 'signed' } });
    expect(filterCases(cases, ['*/kademlia']).map((c) => c.id)).toEqual(['steady/kademlia', 'faults/kademlia']);
    expect(filterCases(cases, ['steady']).length).toBe(3);
  });

  it('a suite with bad fields or an invalid override is a ScenarioError naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'peermap-ci-suite-'));
    writeFileSync(join(dir, 'tiny.yaml'), TINY);
    writeFileSync(join(dir, 'bad.yaml'), 'strategies: [gossip]\ncases: [{ name: t, scenario: tiny.yaml }]\n');
    expect(() => loadSuite(join(dir, 'bad.yaml'))).toThrow(/strategies\.0/);
    writeFileSync(join(dir, 'over.yaml'), 'strategies: [globalmap]\ncases: [{ name: t, scenario: tiny.yaml, overrides: { protocol: { globalmap: { ttl: 0 } } } }]\n');
    expect(() => loadSuite(join(dir, 'over.yaml'))).toThrow(ScenarioError);
    expect(() => loadSuite(join(dir, 'over.yaml'))).toThrow(/protocol\.globalmap\.ttl: got 0/);
  });

  it('a suite or case file that is missing, a folder, or not YAML is a ScenarioError naming it, never a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'peermap-ci-suite-'));
    writeFileSync(join(dir, 'tiny.yaml'), TINY);
    const suite = (name: string, scenario: string) => (writeFileSync(join(dir, name), `strategies: [globalmap]\ncases: [{ name: t, scenario: ${scenario} }]\n`), join(dir, name));
    writeFileSync(join(dir, 'cycle.yaml'), TINY + 'description: &a [*a]\n');
    writeFileSync(join(dir, 'dup.yaml'), TINY + 'durationS: 5\n');
    expect(() => loadSuite(suite('missing.yaml', 'nowhere.yaml'))).toThrow(/nowhere\.yaml.*a readable scenario file/);
    expect(() => loadSuite(suite('folder.yaml', '.'))).toThrow(/a readable scenario file/);
    expect(() => loadSuite(suite('cycle-case.yaml', 'cycle.yaml'))).toThrow(/inside the node it names/);
    expect(() => loadSuite(suite('dup-case.yaml', 'dup.yaml'))).toThrow(/duplicate key "durationS"/);
    for (const bad of [join(dir, 'none.yaml'), dir]) expect(() => loadSuite(bad)).toThrow(ScenarioError);
    writeFileSync(join(dir, 'self.yaml'), 'cases: &c [*c]\n');
    expect(() => loadSuite(join(dir, 'self.yaml'))).toThrow(ScenarioError);
  });
});

describe('npm run bench:ci (command)', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ['bin/tsx-run.mjs', 'bench/ci/bench-ci.ts', ...args], { encoding: 'utf8' });

  it('--update writes the baseline; a rerun passes; a tampered baseline fails with exit 1 and a diff', () => {
    const dir = mkdtempSync(join(tmpdir(), 'peermap-ci-cmd-'));
    writeFileSync(join(dir, 'tiny.yaml'), TINY);
    writeFileSync(join(dir, 'suite.yaml'), 'seed: 2\nstrategies: [random]\ncases: [{ name: tiny, scenario: tiny.yaml }]\n');
    const baseline = join(dir, 'baseline.json');
    const common = ['--suite', join(dir, 'suite.yaml'), '--baseline', baseline, '--out', join(dir, 'out'), '--workers', '1'];
    const missing = run(...common);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no baseline at');
    const update = run(...common, '--update');
    expect(update.status, update.stderr).toBe(0);
    expect(update.stdout).toContain(`baseline written: ${baseline} (1 cases`);
    const b = JSON.parse(readFileSync(baseline, 'utf8')) as Baseline;
    expect(Object.keys(b.cases)).toEqual(['tiny/random']);
    expect(b.cases['tiny/random'].values['run.endReason']).toBe('completed');
    const ok = run(...common);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('bench:ci: OK — 1 case match');
    expect(ok.stdout).toMatch(/tiny\/random\s+[\d.]+ s\s+[\d.]+ s\s+×[\d.]+/);
    b.cases['tiny/random'].values['messages.total'] = (b.cases['tiny/random'].values['messages.total'] as number) + 1;
    writeFileSync(baseline, JSON.stringify(b));
    const bad = run(...common);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/messages\.total\s+[\d,]+\s+[\d,]+\s+-1 \(-[\d.e-]+%\)\s+exact/);
    expect(readFileSync(join(dir, 'out', 'diff.txt'), 'utf8')).toContain('messages.total');
    expect(run('--bogus').status).toBe(2);
  });
});
