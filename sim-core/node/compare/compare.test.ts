import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import { CSV_HEADER } from './outputs.ts';
import type { CompareResult } from './compare.ts';
import { parseSeeds, parseStrategyList } from './options.ts';

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/peermap.mjs', ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'peermap-compare-'));

/** 30 peer managers for 60 s: a second or so per run. */
const TINY = `
name: tiny
durationS: 60
peers: { count: 30, joinOverS: 10 }
protocol: { kind: node, strategy: none }
metrics: { sampleEveryS: 5 }
`;
const file = join(dir, 'tiny.yaml');
writeFileSync(file, TINY);

describe('--seeds and --strategies parsing', () => {
  it('accepts ranges and lists', () => {
    expect(parseSeeds('1..5')).toEqual([1, 2, 3, 4, 5]);
    expect(parseSeeds('1,2,7')).toEqual([1, 2, 7]);
    expect(parseSeeds('3..4, 10')).toEqual([3, 4, 10]);
    expect(parseSeeds('0')).toEqual([0]);
  });

  it('rejects malformed, empty, duplicate, huge and out-of-range lists', () => {
    for (const bad of ['', 'a', '1..', '5..1', '1,1', '1..3,2', '0..5000', '4294967296', '-1']) {
      expect(() => parseSeeds(bad), bad).toThrow(InvalidArgumentError);
    }
  });

  it('splits strategy names, rejecting empty and duplicate lists', () => {
    expect(parseStrategyList('globalmap, kademlia,random')).toEqual(['globalmap', 'kademlia', 'random']);
    expect(() => parseStrategyList(',')).toThrow(InvalidArgumentError);
    expect(() => parseStrategyList('none,none')).toThrow(InvalidArgumentError);
  });
});

describe('peermap compare (end to end)', () => {
  const out1 = join(dir, 'a');
  const out2 = join(dir, 'b');
  let first: ReturnType<typeof cli>;
  let second: ReturnType<typeof cli>;

  beforeAll(() => {
    first = cli('compare', file, '--strategies', 'none', '--seeds', '1..2', '--out', out1);
    second = cli('compare', file, '--strategies', 'none', '--seeds', '1..2', '--out', out2, '--quiet');
  });

  it('exits 0 and writes compare.json, compare.csv and report.html', () => {
    expect(first.status, first.stderr).toBe(0);
    expect(second.status, second.stderr).toBe(0);
    for (const f of ['compare.json', 'compare.csv', 'report.html']) expect(existsSync(join(out1, f)), f).toBe(true);
    expect(first.stdout).toContain('metric (mean ± 95% CI, n = 2)');
    expect(first.stdout).toMatch(/messages \/peer\/s +[\d.]+ ± [\d.]+/);
    expect(first.stdout).toContain(`report: ${join(out1, 'report.html')}`);
    // --quiet: no header and no metric table, still the run lines and paths.
    expect(second.stdout).not.toContain('metric (mean');
    expect(second.stdout).toContain('compare: ');
    // One `trace:` line for the whole comparison, the same on a rerun (--quiet or not).
    const trace = (s: string) => /^trace: ([0-9a-f]{16})$/m.exec(s)?.[1];
    expect(trace(first.stdout)).toMatch(/^[0-9a-f]{16}$/);
    expect(trace(second.stdout)).toBe(trace(first.stdout));
  });

  it('compare.json has the documented shape', () => {
    const c = JSON.parse(readFileSync(join(out1, 'compare.json'), 'utf8')) as CompareResult;
    expect(Object.keys(c)).toEqual(['scenario', 'seeds', 'strategies', 'generatedBy', 'commit']);
    expect(c.scenario).toMatchObject({ name: 'tiny', file, peers: 30, durationS: 60 });
    expect(c.scenario.config.protocol).toMatchObject({ kind: 'node', strategy: 'none' });
    expect(c.seeds).toEqual([1, 2]);
    expect(Object.keys(c.strategies)).toEqual(['none']);
    const s = c.strategies.none;
    expect(s.runs.map((r) => r.seed)).toEqual([1, 2]);
    for (const r of s.runs) {
      expect(r.traceHash).toMatch(/^[0-9a-f]{16}$/);
      expect(r.endReason).toBe('completed');
      expect(r.wallSeconds).toBeGreaterThan(0);
      expect(r.peakRssBytes).toBeGreaterThan(0);
      expect(Array.isArray((r.metrics as { series?: unknown }).series)).toBe(true);
    }
    const m = s.aggregate.metrics['messages.perPeerPerSecond'];
    expect(m.n).toBe(2);
    expect(m.ci95).not.toBeNull();
    expect(m.min).toBeLessThanOrEqual(m.mean);
    expect(m.max).toBeGreaterThanOrEqual(m.mean);
    expect(Object.keys(s.aggregate.metrics).some((k) => k.startsWith('node.perNode'))).toBe(false);
    expect(c.generatedBy).toMatch(/^peermap /);
  });

  it('compare.csv has one row per strategy × metric', () => {
    const c = JSON.parse(readFileSync(join(out1, 'compare.json'), 'utf8')) as CompareResult;
    const lines = readFileSync(join(out1, 'compare.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe(CSV_HEADER.join(','));
    expect(lines.length - 1).toBe(Object.keys(c.strategies.none.aggregate.metrics).length);
    const row = lines.find((l) => l.startsWith('none,messages.perPeerPerSecond,'))?.split(',');
    expect(row).toHaveLength(7);
    expect(Number(row?.[2])).toBe(c.strategies.none.aggregate.metrics['messages.perPeerPerSecond'].mean);
    expect(row?.[6]).toBe('2');
  });

  it('reruns give identical trace hashes, equal to `peermap run` with the same seed', () => {
    const hashes = (d: string) => (JSON.parse(readFileSync(join(d, 'compare.json'), 'utf8')) as CompareResult).strategies.none.runs.map((r) => r.traceHash);
    expect(hashes(out2)).toEqual(hashes(out1));
    expect(new Set(hashes(out1)).size).toBe(2);
    const single = cli('run', file, '--seed', '2', '--quiet', '--out', join(dir, 'single'));
    expect(single.status, single.stderr).toBe(0);
    expect(single.stdout).toContain(`trace: ${hashes(out1)[1]}`);
  });
});

describe('peermap compare errors (exit 2)', () => {
  it('an unknown strategy lists the allowed ones', () => {
    const r = cli('compare', file, '--strategies', 'none,gossip', '--quiet', '--out', join(dir, 'x'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('protocol.strategy (from --strategies): got "gossip"; must be one of "globalmap", "kademlia", "none", "random"');
  });

  it('an invalid scenario or override names the field', () => {
    const r = cli('compare', file, '--strategies', 'none', '--peers', '0', '--quiet', '--out', join(dir, 'x'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('peers.count (from --peers): got 0');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, TINY.replace('durationS: 60', 'durationS: -1'));
    const r2 = cli('compare', bad, '--strategies', 'none', '--quiet');
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/durationS: got -1/);
  });

  it('a flood scenario cannot vary strategies; bad --seeds is a usage error', () => {
    const r = cli('compare', 'scenarios/quickstart.yaml', '--strategies', 'none', '--quiet', '--out', join(dir, 'x'));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('protocol.kind: got "flood"');
    const r2 = cli('compare', file, '--seeds', '3..1');
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('--seeds range 3..1 is empty');
  });

  it('--help documents the options', () => {
    const r = cli('compare', '--help');
    expect(r.status).toBe(0);
    for (const opt of ['--strategies', '--seeds', '--out', '--quiet', '--peers', '--duration']) expect(r.stdout).toContain(opt);
    // Help text wraps at the terminal width, wherever the list of strategies happens to break.
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('default: globalmap,kademlia,random)');
  });
});
