/**
 * `npm run bench:ab -- --instructions`: instructions executed instead of
 * seconds. Each side's CLI is bundled (esbuild: no TypeScript compiled at
 * run time, whose cache would make the first run differ from the next) and
 * run once under valgrind's cachegrind with `node --predictable` (V8
 * compiles and collects on the main thread, without the heuristics that
 * read the clock, so its tiering and collections fall at nearly the same
 * points of every run). Both sides run at once, so a busy host slows both
 * alike. Two runs of one build then agree within a few tenths of a
 * percent, where wall time on a shared host moves by ±10% and cachegrind
 * without the flag by up to 4%. It counts the code path, not memory
 * stalls: use it at sizes whose state fits the caches (a few hundred
 * peers), and wall time at scale. With `--cache` cachegrind also simulates
 * a fixed cache (CACHE_GEOMETRY: the same on every host) and counts data
 * misses: a layout change that puts related fields on fewer lines shows
 * there, at a few hundred peers whose state already outgrows a 2 MiB cache.
 */
import { spawn, spawnSync } from 'node:child_process';
import { tracked } from '../children/children.ts';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { field } from './fields.ts';
import { roundTraces, sameTraces, spread, tracesLine, type Spread } from './paired.ts';

export interface CountedSide {
  instructions: number;
  traceHash: string;
  /** With --cache: data reads and writes that missed the simulated L1, and the last level. */
  d1Misses?: number;
  llMisses?: number;
}

/** The simulated caches of --cache (I1, D1 32 KiB 8-way; last level 2 MiB 16-way; 64 B lines): fixed, so counts compare across hosts. */
export const CACHE_GEOMETRY = ['--I1=32768,8,64', '--D1=32768,8,64', '--LL=2097152,16,64'];

export interface CountedRound {
  base: CountedSide;
  head: CountedSide;
}

/** Why `--instructions` cannot run here, or undefined when valgrind is on the PATH. */
export function valgrindProblem(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const r = spawnSync('valgrind', ['--version'], { encoding: 'utf8', env });
  return r.status === 0 ? undefined : '--instructions needs valgrind on the PATH (Debian: apt-get install valgrind)';
}

/**
 * A count cachegrind prints at exit ("==pid== I   refs:   16,536,870,096",
 * "==pid== D1  misses:   207,123,456  ( … rd + … wr)"): the line `name`
 * (its words apart by any spaces), or an error naming it and `hint`.
 */
function countOf(valgrindStderr: string, name: string, hint: string, positive: boolean): number {
  const m = new RegExp(`${name.replace(' ', '\\s+')}:\\s+([\\d,]+)`).exec(valgrindStderr);
  if (m === null) throw new Error(`no "${name}" line in valgrind's output (${hint})`);
  const n = Number(m[1].replaceAll(',', ''));
  if (!Number.isSafeInteger(n) || n < (positive ? 1 : 0)) throw new Error(`"${name}" is not a ${positive ? 'positive ' : ''}count: ${m[1]}`);
  return n;
}

/** The instruction count cachegrind prints at exit. */
export function instructionsOf(valgrindStderr: string): number {
  return countOf(valgrindStderr, 'I refs', 'did cachegrind run?', true);
}

/** Data misses of the simulated first and last level caches (--cache-sim=yes). */
export function missesOf(valgrindStderr: string): { d1Misses: number; llMisses: number } {
  const hint = 'was the cache simulated?';
  return { d1Misses: countOf(valgrindStderr, 'D1 misses', hint, false), llMisses: countOf(valgrindStderr, 'LLd misses', hint, false) };
}

/** cachegrind's cache flags: none simulated, or CACHE_GEOMETRY's. */
export function cacheFlags(cache: boolean): string[] {
  return cache ? ['--cache-sim=yes', ...CACHE_GEOMETRY] : ['--cache-sim=no'];
}

/**
 * Bundles `root`'s CLI (what bin/peermap.mjs runs, without tsx) into
 * `outfile`; packages stay imports, so the folder holding `outfile` must
 * reach a node_modules. Paths in the bundle are relative to `root`, so two
 * checkouts of the same code bundle to the same bytes wherever they sit.
 */
export async function bundleCli(root: string, outfile: string): Promise<void> {
  const { build } = await import('esbuild');
  const dir = resolve(root); // esbuild wants an absolute working directory
  await build({
    stdin: { contents: "import { main } from './sim-core/node/cli/main.ts';\nprocess.exitCode = await main(process.argv);\n", resolveDir: dir, sourcefile: 'peermap-entry.ts', loader: 'ts' },
    absWorkingDir: dir,
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
}

/** Runs a bundled CLI once under cachegrind; resolves with its instruction count and trace. */
export function runCounted(bundle: string, runArgs: string[], out: string, label: string, cache = false): Promise<CountedSide> {
  const args = ['--tool=cachegrind', ...cacheFlags(cache), '--cachegrind-out-file=/dev/null', process.execPath, '--predictable', bundle, ...runArgs, '--out', out, '--force', '--quiet'];
  return new Promise((done, fail) => {
    const child = tracked(spawn('valgrind', args, { stdio: ['ignore', 'ignore', 'pipe'] }));
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      // Only the tail matters (the summary); a run that prints much must not grow this without bound.
      stderr = (stderr + s).slice(-65536);
    });
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      if (code !== 0) return fail(new Error(`${label}: valgrind … peermap run exited with ${code ?? signal}: ${stderr.slice(-400)}`));
      try {
        const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
        done({ instructions: instructionsOf(stderr), traceHash: field(summary, 'traceHash', 'string'), ...(cache ? missesOf(stderr) : {}) });
      } catch (e) {
        fail(new Error(`${label}: could not read the run's results: ${(e as Error).message}`));
      }
    });
  });
}

export interface CountedSummary {
  rounds: number;
  ratio: Spread;
  /** With --cache: head/base of the data misses, first and last level. */
  d1Ratio?: Spread;
  llRatio?: Spread;
  sameTraces: boolean;
}

export function summarizeCounted(rounds: readonly CountedRound[]): CountedSummary {
  const s: CountedSummary = {
    rounds: rounds.length,
    ratio: spread(rounds.map((r) => r.head.instructions / r.base.instructions)),
    sameTraces: sameTraces(rounds),
  };
  if (rounds.every((r) => r.base.d1Misses !== undefined && r.head.d1Misses !== undefined)) {
    s.d1Ratio = spread(rounds.map((r) => r.head.d1Misses! / r.base.d1Misses!));
    s.llRatio = spread(rounds.map((r) => r.head.llMisses! / r.base.llMisses!));
  }
  return s;
}

const millions = (n: number, digits = 0) => `${(n / 1e6).toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })} M`;
const missesText = (b: number, h: number, what: string) => `${what} misses base ${millions(b, 1)}, head ${millions(h, 1)}, head/base ${(h / b).toFixed(4)}`;

export function formatCountedRound(i: number, r: CountedRound): string {
  const parts = [`round ${i + 1}: base ${millions(r.base.instructions)} instructions | head ${millions(r.head.instructions)} | head/base ${(r.head.instructions / r.base.instructions).toFixed(4)}`];
  if (r.base.d1Misses !== undefined && r.head.d1Misses !== undefined) {
    parts.push(missesText(r.base.d1Misses, r.head.d1Misses, 'D1'), missesText(r.base.llMisses!, r.head.llMisses!, 'LL data'));
  }
  parts.push(roundTraces(r));
  return parts.join(' | ');
}

export function formatCountedSummary(s: CountedSummary): string {
  const { median, min, max } = s.ratio;
  const lines = [`head/base instructions over ${s.rounds} round${s.rounds === 1 ? '' : 's'}, median (min–max): ${median.toFixed(4)} (${min.toFixed(4)}–${max.toFixed(4)})`];
  lines.push('two runs of one build made together agree within about 0.2%: a ratio further from 1 than that is the change');
  const misses = (r: Spread, what: string) => `head/base ${what} misses, median (min–max): ${r.median.toFixed(4)} (${r.min.toFixed(4)}–${r.max.toFixed(4)})`;
  if (s.d1Ratio !== undefined) lines.push(misses(s.d1Ratio, 'D1'), misses(s.llRatio!, 'last-level data'));
  lines.push(tracesLine(s.sameTraces));
  return lines.join('\n');
}
