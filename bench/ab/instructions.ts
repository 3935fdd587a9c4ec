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
 * peers), and wall time at scale.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { field } from './fields.ts';
import { roundTraces, sameTraces, spread, tracesLine, type Spread } from './paired.ts';

export interface CountedSide {
  instructions: number;
  traceHash: string;
}

export interface CountedRound {
  base: CountedSide;
  head: CountedSide;
}

/** Why `--instructions` cannot run here, or undefined when valgrind is on the PATH. */
export function valgrindProblem(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const r = spawnSync('valgrind', ['--version'], { encoding: 'utf8', env });
  return r.status === 0 ? undefined : '--instructions needs valgrind on the PATH (Debian: apt-get install valgrind)';
}

/** The instruction count cachegrind prints at exit ("==pid== I   refs:      16,536,870,096"). */
export function instructionsOf(valgrindStderr: string): number {
  const m = /I\s+refs:\s+([\d,]+)/.exec(valgrindStderr);
  if (m === null) throw new Error('no "I refs" line in valgrind\'s output (did cachegrind run?)');
  const n = Number(m[1].replaceAll(',', ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`"I refs" is not a positive count: ${m[1]}`);
  return n;
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
export function runCounted(bundle: string, runArgs: string[], out: string, label: string): Promise<CountedSide> {
  const args = ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', process.execPath, '--predictable', bundle, ...runArgs, '--out', out, '--force', '--quiet'];
  return new Promise((done, fail) => {
    const child = spawn('valgrind', args, { stdio: ['ignore', 'ignore', 'pipe'] });
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
        done({ instructions: instructionsOf(stderr), traceHash: field(summary, 'traceHash', 'string') });
      } catch (e) {
        fail(new Error(`${label}: could not read the run's results: ${(e as Error).message}`));
      }
    });
  });
}

export interface CountedSummary {
  rounds: number;
  ratio: Spread;
  sameTraces: boolean;
}

export function summarizeCounted(rounds: readonly CountedRound[]): CountedSummary {
  return {
    rounds: rounds.length,
    ratio: spread(rounds.map((r) => r.head.instructions / r.base.instructions)),
    sameTraces: sameTraces(rounds),
  };
}

const millions = (n: number) => `${Math.round(n / 1e6).toLocaleString('en-US')} M`;

export function formatCountedRound(i: number, r: CountedRound): string {
  return `round ${i + 1}: base ${millions(r.base.instructions)} instructions | head ${millions(r.head.instructions)} | head/base ${(r.head.instructions / r.base.instructions).toFixed(4)} | ${roundTraces(r)}`;
}

export function formatCountedSummary(s: CountedSummary): string {
  const { median, min, max } = s.ratio;
  const lines = [`head/base instructions over ${s.rounds} round${s.rounds === 1 ? '' : 's'}, median (min–max): ${median.toFixed(4)} (${min.toFixed(4)}–${max.toFixed(4)})`];
  lines.push('two runs of one build made together agree within about 0.2%: a ratio further from 1 than that is the change');
  lines.push(tracesLine(s.sameTraces));
  return lines.join('\n');
}
