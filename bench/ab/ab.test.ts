import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { field, options, UsageError } from './bench-ab.ts';
import { bundleCli, formatCountedRound, formatCountedSummary, instructionsOf, missesOf, summarizeCounted, valgrindProblem } from './instructions.ts';
import { formatRound, formatSummary, interval95, spread, summarize, verdict, type Round } from './paired.ts';

const side = (wallSeconds: number, cpuSeconds: number, traceHash = 'aaaa') => ({ wallSeconds, cpuSeconds, peakRssBytes: 2 ** 20, traceHash });

describe('bench:ab paired ratios', () => {
  it('median, min and max of odd and even lists, in any order', () => {
    expect(spread([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
    expect(() => spread([])).toThrow(RangeError);
  });

  it('ratios are head / base per round, and a round whose traces differ is reported', () => {
    const rounds: Round[] = [
      { base: side(10, 20), head: side(9, 19) },
      { base: side(12, 24), head: side(12, 12) },
      { base: side(8, 16), head: side(10, 16) },
    ];
    const s = summarize(rounds);
    expect(s.wallRatio).toEqual({ median: 1, min: 0.9, max: 1.25 });
    expect(s.cpuRatio).toEqual({ median: 0.95, min: 0.5, max: 1 });
    expect(s.sameTraces).toBe(true);
    const differ = summarize([...rounds, { base: side(1, 1), head: side(1, 1, 'bbbb') }]);
    expect(differ.sameTraces).toBe(false);
    expect(formatRound(3, { base: side(1, 1), head: side(1, 1, 'bbbb') })).toContain('traces DIFFER: base aaaa, head bbbb');
  });
});

describe('bench:ab interval of the mean ratio', () => {
  it('is Student\'s t over the log ratios: e^-0.1, 1, e^0.1 give mean 1 and e^±(t(0.975, 2) × 0.1 / √3)', () => {
    const i = interval95([Math.exp(-0.1), 1, Math.exp(0.1)])!;
    expect(i.geomean).toBeCloseTo(1, 12);
    expect(i.low).toBeCloseTo(Math.exp((-4.302653 * 0.1) / Math.sqrt(3)), 12);
    expect(i.high).toBeCloseTo(Math.exp((4.302653 * 0.1) / Math.sqrt(3)), 12);
    expect(interval95([0.97])).toBeUndefined();
  });

  it('says faster or slower only when the whole interval is on one side of 1', () => {
    expect(verdict(interval95([0.95, 0.96, 0.97])!)).toBe('head faster');
    expect(verdict(interval95([1.03, 1.04, 1.05])!)).toBe('head slower');
    expect(verdict(interval95([0.96, 1.0, 1.04])!)).toMatch(/^no difference shown/);
  });

  it('the summary prints it from two rounds on', () => {
    const two = summarize([
      { base: side(10, 10), head: side(9.5, 9.6) },
      { base: side(10, 10), head: side(9.7, 9.6) },
    ]);
    expect(formatSummary(two)).toMatch(/mean ratio \[95% interval\]: wall 0\.960 \[[\d.]+–[\d.]+\]/);
    expect(formatSummary(summarize([{ base: side(10, 10), head: side(9, 9) }]))).not.toContain('interval');
  });
});

describe('bench:ab options', () => {
  const ok = ['--base', 'HEAD', '--', 'run', 'scenarios/default.yaml'];
  it('reads the base, rounds and the run after --', () => {
    expect(options(ok)).toEqual({ base: 'HEAD', rounds: 3, save: undefined, runArgs: ['run', 'scenarios/default.yaml'], instructions: false, cache: false });
    expect(options(['--base', 'main~2', '--rounds', '5', '--save', 'gc-walk', '--', 'run', 'x.yaml', '--peers', '500']).rounds).toBe(5);
  });

  it('--instructions: one round unless told otherwise', () => {
    expect(options(['--base', 'HEAD', '--instructions', '--', 'run', 'x.yaml'])).toMatchObject({ instructions: true, rounds: 1 });
    expect(options(['--base', 'HEAD', '--instructions', '--rounds', '2', '--', 'run', 'x.yaml']).rounds).toBe(2);
  });

  it('--cache counts instructions too (one round), with the cache simulated', () => {
    expect(options(['--base', 'HEAD', '--cache', '--', 'run', 'x.yaml'])).toMatchObject({ instructions: true, cache: true, rounds: 1 });
    expect(options(['--base', 'HEAD', '--instructions', '--', 'run', 'x.yaml']).cache).toBe(false);
  });

  it.each([
    [['--', 'run', 'x.yaml'], '--base'],
    [['--base', 'HEAD', '--rounds', '0', '--', 'run', 'x.yaml'], '--rounds'],
    [['--base', 'HEAD', '--rounds', '2.5', '--', 'run', 'x.yaml'], '--rounds'],
    [['--base', 'HEAD', '--save', '../x', '--', 'run', 'x.yaml'], '--save'],
    [['--base', 'HEAD', '--', 'sweep', 'x.yaml'], 'run SCENARIO'],
    [['--base', 'HEAD', '--', 'run', 'x.yaml', '--out', 'y'], '--out'],
    [['--base', 'HEAD', '--bogus', '--', 'run', 'x.yaml'], 'bogus'],
  ])('refuses %j, naming %s', (argv, names) => {
    expect(() => options(argv)).toThrow(UsageError);
    expect(() => options(argv)).toThrow(names);
  });
});

describe('bench:ab reading a run\'s result files', () => {
  it('takes finite numbers and strings, and names the field it could not use', () => {
    expect(field({ wallSeconds: 1.5 }, 'wallSeconds', 'number')).toBe(1.5);
    expect(field({ traceHash: 'ab12' }, 'traceHash', 'string')).toBe('ab12');
    expect(() => field({ wallSeconds: '1.5' }, 'wallSeconds', 'number')).toThrow('wallSeconds: expected a finite number, got "1.5"');
    expect(() => field({ wallSeconds: null }, 'wallSeconds', 'number')).toThrow('wallSeconds');
    expect(() => field({}, 'traceHash', 'string')).toThrow('traceHash: expected a string, got undefined');
    expect(() => field(null, 'userUs', 'number')).toThrow('userUs');
    expect(() => field([], 'userUs', 'number')).toThrow('userUs');
  });
});

describe('bench:ab end to end', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'peermap-ab-test-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('runs this checkout against HEAD side by side: one round, both sides measured, the same trace', () => {
    const r = spawnSync(
      process.execPath,
      ['bin/tsx-run.mjs', 'bench/ab/bench-ab.ts', '--base', 'HEAD', '--rounds', '1', '--', 'run', 'bench/ci/steady.yaml', '--peers', '30', '--duration', '20', '--set', 'peers.joinOverS=5'],
      { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp } },
    );
    expect(r.stderr).not.toMatch(/Error/);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/round 1: base [\d.]+ s wall, [\d.]+ CPU-s, \d+ MiB \| head [\d.]+ s wall/);
    expect(r.stdout).toContain('traces: the same on both sides in every round');
    // The extracted commit and the runs' outputs went to a folder of the temporary directory, and it is gone (tsx keeps its cache there too).
    expect(readdirSync(tmp).filter((f) => f.startsWith('peermap-ab-'))).toEqual([]);
  });

  it('an unknown base is a usage error naming it', () => {
    const r = spawnSync(process.execPath, ['bin/tsx-run.mjs', 'bench/ab/bench-ab.ts', '--base', 'no-such-ref-xyz', '--', 'run', 'bench/ci/steady.yaml'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('"no-such-ref-xyz" is not a commit');
  });
});


describe('bench:ab --instructions', () => {
  it("reads cachegrind's instruction count, and says so when there is none", () => {
    const stderr = '==16214== \n==16214== I   refs:      16,536,870,096\n';
    expect(instructionsOf(stderr)).toBe(16_536_870_096);
    expect(() => instructionsOf('==1== Cachegrind, a high-precision tracing profiler\n')).toThrow('no "I refs" line');
  });

  it('ratios are head / base instructions, and differing traces are named', () => {
    const s = summarizeCounted([
      { base: { instructions: 1000, traceHash: 'aa' }, head: { instructions: 990, traceHash: 'aa' } },
      { base: { instructions: 1000, traceHash: 'aa' }, head: { instructions: 1010, traceHash: 'aa' } },
    ]);
    expect(s.ratio).toEqual({ median: 1, min: 0.99, max: 1.01 });
    expect(s.sameTraces).toBe(true);
    expect(formatCountedSummary(s)).toContain('median (min–max): 1.0000 (0.9900–1.0100)');
    expect(formatCountedRound(0, { base: { instructions: 2e9, traceHash: 'aa' }, head: { instructions: 1.5e9, traceHash: 'bb' } })).toBe(
      'round 1: base 2,000 M instructions | head 1,500 M | head/base 0.7500 | traces DIFFER: base aa, head bb',
    );
  });

  it("--cache: reads the simulated caches' data misses and puts their ratios beside the instructions'", () => {
    const stderr = [
      '==7== I   refs:      16,536,870,096',
      '==7== D1  misses:       207,123,456  (  180,000,000 rd   +  27,123,456 wr)',
      '==7== LLd misses:        81,000,000  (   70,000,000 rd   +  11,000,000 wr)',
      '==7== LL misses:         82,500,000  (   71,500,000 rd   +  11,000,000 wr)',
    ].join('\n');
    expect(missesOf(stderr)).toEqual({ d1Misses: 207_123_456, llMisses: 81_000_000 });
    expect(() => missesOf('==7== I   refs:      16,536,870,096\n')).toThrow('no "D1 misses" line');
    const round = {
      base: { instructions: 1000, traceHash: 'aa', d1Misses: 400, llMisses: 100 },
      head: { instructions: 1000, traceHash: 'aa', d1Misses: 300, llMisses: 90 },
    };
    const s = summarizeCounted([round]);
    expect(s.d1Ratio?.median).toBe(0.75);
    expect(s.llRatio?.median).toBe(0.9);
    expect(formatCountedRound(0, round)).toContain('D1 misses base 0.0 M, head 0.0 M, head/base 0.7500 | LL data misses base 0.0 M, head 0.0 M, head/base 0.9000');
    expect(formatCountedSummary(s)).toContain('head/base last-level data misses, median (min–max): 0.9000 (0.9000–0.9000)');
    expect(summarizeCounted([{ base: { instructions: 1, traceHash: 'a' }, head: { instructions: 1, traceHash: 'a' } }]).d1Ratio).toBeUndefined();
  });

  it('without valgrind on the PATH, says how to get it', () => {
    expect(valgrindProblem({ PATH: tmpdir() })).toContain('apt-get install valgrind');
  });

  it('bundles a checkout with paths relative to it: the same code gives the same bytes wherever it sits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peermap-ab-bundle-'));
    try {
      await bundleCli('.', join(dir, 'a.mjs'));
      const text = readFileSync(join(dir, 'a.mjs'), 'utf8');
      expect(text).toContain('// sim-core/node/cli/main.ts');
      expect(text).not.toContain(process.cwd());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
