/**
 * `npm run bench:ab`: is the working tree faster than a commit? Runs
 * `peermap run` from both — the commit extracted to a temporary folder, and
 * this checkout — side by side, both at once, for a number of rounds, and
 * prints each round's head/base ratio of wall and CPU time and whether the
 * two ran the same trace. On a shared host whose speed drifts by ±10% over
 * minutes, runs one after another cannot show a 3% change; two runs at the
 * same time see the same host.
 *
 *   npm run bench:ab -- --base REF [--rounds 3] [--save NAME] -- run SCENARIO [peermap run flags]
 *   npm run bench:ab -- --base REF --instructions [--cache] [--rounds 1] -- run SCENARIO [flags]
 *
 * --instructions counts instructions under valgrind instead (instructions.ts):
 * repeatable within a few tenths of a percent, so one round shows a 1% change; it measures
 * the code path, so run it at sizes whose state fits the caches. --cache
 * (implies --instructions) also counts the data misses of a simulated
 * 32 KiB L1 and 2 MiB last-level cache: what a layout change is for.
 * --save NAME writes results/ab-NAME.json (both commits, machine, the run's
 * arguments, every round and the summary). A measurement, not a test. Each
 * side takes one core: on a 2-core machine the two compete for the shared
 * cache and memory, so absolute times are slower than a run alone.
 */
import { spawn, spawnSync } from 'node:child_process';
import { tempFolder, tracked } from '../children/children.ts';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { writeJsonAtomic } from '../../sim-core/node/files.ts';
import { gitCommit, machineInfo } from '../../sim-core/node/machine.ts';
import { runArgsProblem, saveNameProblem } from '../run-args.ts';
import { field } from './fields.ts';
import { bundleCli, CACHE_GEOMETRY, cacheFlags, formatCountedRound, formatCountedSummary, runCounted, summarizeCounted, valgrindProblem, type CountedSide, type CountedSummary } from './instructions.ts';
import { formatRound, formatSummary, summarize, type PairedSummary, type Side } from './paired.ts';

export { field } from './fields.ts';

const ROUNDS_MAX = 50;
/** Preloaded into each run: writes its CPU time at exit. */
const CPU_AT_EXIT = pathToFileURL(resolve(import.meta.dirname, 'cpu-at-exit.mjs')).href;

interface Options {
  base: string;
  rounds: number;
  save?: string;
  runArgs: string[];
  /** Count instructions under valgrind instead of timing (one round by default). */
  instructions: boolean;
  /** With instructions: simulate a fixed cache and count its data misses too. */
  cache: boolean;
}

/** A bad command line: main prints it with the usage and exits 2. */
export class UsageError extends Error {}

function usage(msg: string): never {
  throw new UsageError(msg);
}

export function options(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { base: { type: 'string' }, rounds: { type: 'string' }, save: { type: 'string' }, instructions: { type: 'boolean', default: false }, cache: { type: 'boolean', default: false } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    usage((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.base === undefined || values.base === '') usage('--base: the commit to compare with (a git ref such as HEAD, main~3 or a sha)');
  const cache = values.cache === true;
  const instructions = values.instructions === true || cache;
  const rounds = Number(values.rounds ?? (instructions ? '1' : '3'));
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > ROUNDS_MAX) usage(`--rounds: an integer in [1, ${ROUNDS_MAX}], got "${values.rounds}"`);
  const problem = saveNameProblem(values.save) ?? runArgsProblem(positionals, 'bench:ab');
  if (problem !== undefined) usage(problem);
  return { base: values.base, rounds, save: values.save, runArgs: positionals, instructions, cache };
}

/** The full sha of `ref` in this repository, or a usage error naming it. */
function resolveRef(ref: string): string {
  const r = spawnSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { encoding: 'utf8' });
  if (r.status !== 0) usage(`--base: "${ref}" is not a commit of this repository`);
  return r.stdout.trim();
}

/** Extracts commit `sha` into `dir` (git archive: the repository's own files are untouched) with this checkout's node_modules. */
function extract(sha: string, dir: string): void {
  const tar = spawnSync('git', ['archive', '--format=tar', sha], { maxBuffer: 1 << 30 });
  if (tar.status !== 0) throw new Error(`git archive ${sha} failed: ${tar.stderr.toString()}`);
  mkdirSync(dir, { recursive: true });
  const x = spawnSync('tar', ['-x', '-C', dir], { input: tar.stdout });
  if (x.status !== 0) throw new Error(`tar -x failed: ${x.stderr.toString()}`);
  symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
}

/** Runs one side; resolves with its figures from the run's summary and its CPU time. */
function runSide(root: string, runArgs: string[], work: string, label: string): Promise<Side> {
  const out = join(work, `out-${label}`);
  const cpuFile = join(work, `cpu-${label}.json`);
  const args = ['--import', CPU_AT_EXIT, join(root, 'bin/peermap.mjs'), ...runArgs, '--out', out, '--force', '--quiet'];
  return new Promise((done, fail) => {
    const child = tracked(spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, PEERMAP_AB_CPU_FILE: cpuFile } }));
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      if (code !== 0) return fail(new Error(`${label}: peermap run exited with ${code ?? signal}`));
      try {
        const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
        const cpu = JSON.parse(readFileSync(cpuFile, 'utf8'));
        done({
          wallSeconds: field(summary, 'wallSeconds', 'number'),
          cpuSeconds: (field(cpu, 'userUs', 'number') + field(cpu, 'systemUs', 'number')) / 1e6,
          peakRssBytes: field(summary, 'peakRssBytes', 'number'),
          traceHash: field(summary, 'traceHash', 'string'),
        });
      } catch (e) {
        fail(new Error(`${label}: could not read the run's results: ${(e as Error).message}`));
      }
    });
  });
}

async function main(): Promise<void> {
  let o: Options;
  let baseSha: string;
  try {
    o = options(process.argv.slice(2));
    baseSha = resolveRef(o.base);
    const noValgrind = o.instructions ? valgrindProblem() : undefined;
    if (noValgrind !== undefined) usage(noValgrind);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`bench:ab: ${e.message}`);
    console.error('usage: npm run bench:ab -- --base REF [--rounds 3] [--instructions [--cache]] [--save NAME] -- run SCENARIO [flags]');
    process.exit(2);
  }
  if (o.instructions) await compare(o, baseSha, countedSides, countedReport(o));
  else await compare(o, baseSha, timedSides, timedReport(o));
}

/** The two sides of one comparison, ready to run: what runs, said in a few lines, and round i started. */
interface Sides<S> {
  header: string[];
  start(i: number): { base: Promise<S>; head: Promise<S> };
}

/** How a comparison's rounds are printed, summarised and saved. */
interface Report<S, Sum extends { sameTraces: boolean }> {
  formatRound(i: number, r: { base: S; head: S }): string;
  summarize(rounds: readonly { base: S; head: S }[]): Sum;
  formatSummary(s: Sum): string;
  /** What results/ab-NAME.json says besides the commits, the machine, the rounds and the summary. */
  saved: Record<string, unknown>;
}

/**
 * Extracts the base, prepares both sides, runs the rounds (both sides at
 * once), prints and saves them; exit code 1 when a round's traces differ.
 */
async function compare<S, Sum extends { sameTraces: boolean }>(
  o: Options,
  baseSha: string,
  prepare: (o: Options, work: string, baseRoot: string) => Promise<Sides<S>>,
  report: Report<S, Sum>,
): Promise<void> {
  const headCommit = gitCommit();
  const folder = tempFolder('peermap-ab-');
  const work = folder.path;
  const rounds: { base: S; head: S }[] = [];
  try {
    const baseRoot = join(work, 'base');
    extract(baseSha, baseRoot);
    const sides = await prepare(o, work, baseRoot);
    console.log(`base: ${o.base} (${baseSha}), extracted to ${baseRoot}`);
    console.log(`head: this checkout (${headCommit})`);
    for (const line of sides.header) console.log(line);
    for (let i = 0; i < o.rounds; i++) {
      const { base: b, head: h } = sides.start(i);
      // Both settle before anything is cleaned up: a side that failed must not pull the folder from under the other.
      const [base, head] = await Promise.allSettled([b, h]);
      if (base.status === 'rejected') throw base.reason;
      if (head.status === 'rejected') throw head.reason;
      rounds.push({ base: base.value, head: head.value });
      console.log(report.formatRound(i, rounds[i]));
    }
  } finally {
    folder.remove();
  }
  const summary = report.summarize(rounds);
  console.log(report.formatSummary(summary));
  if (o.save) {
    const out = resolve(`results/ab-${o.save}.json`);
    writeJsonAtomic(out, { bench: 'ab', base: { ref: o.base, commit: baseSha }, head: { commit: headCommit }, machine: machineInfo(), ...report.saved, rounds, summary });
    console.log(`saved: ${out}`);
  }
  if (!summary.sameTraces) process.exitCode = 1;
}

const roundsText = (o: Options) => `${o.rounds} round${o.rounds === 1 ? '' : 's'}`;

/** `peermap run` from both checkouts, timed. */
async function timedSides(o: Options, work: string, baseRoot: string): Promise<Sides<Side>> {
  return {
    header: [`run: peermap ${o.runArgs.join(' ')}, side by side, ${roundsText(o)}`],
    start(i) {
      // Alternate which side starts first: a head start of a few ms is not an advantage either side keeps.
      const startBase = () => runSide(baseRoot, o.runArgs, work, 'base');
      const startHead = () => runSide(resolve('.'), o.runArgs, work, 'head');
      if (i % 2 === 0) {
        const base = startBase();
        return { base, head: startHead() };
      }
      const head = startHead();
      return { base: startBase(), head };
    },
  };
}

function timedReport(o: Options): Report<Side, PairedSummary> {
  return {
    formatRound,
    summarize,
    formatSummary,
    saved: {
      loadAverage: loadavg(),
      args: { run: o.runArgs, rounds: o.rounds },
      method: 'both builds run at once (one core each), rounds alternating which starts first; ratios head/base per round',
    },
  };
}

/** --instructions: both checkouts bundled, then run under cachegrind (at once: a busy host slows both alike). */
async function countedSides(o: Options, work: string, baseRoot: string): Promise<Sides<CountedSide>> {
  // The bundles import packages: they sit beside a node_modules.
  symlinkSync(resolve('node_modules'), join(work, 'node_modules'), 'dir');
  const baseBundle = join(work, 'base.mjs');
  const headBundle = join(work, 'head.mjs');
  await bundleCli(baseRoot, baseBundle);
  await bundleCli(resolve('.'), headBundle);
  return {
    header: [`run: valgrind --tool=cachegrind ${cacheFlags(o.cache).join(' ')} node --predictable peermap ${o.runArgs.join(' ')} (both bundled in ${work}), ${roundsText(o)}`],
    start: () => ({
      base: runCounted(baseBundle, o.runArgs, join(work, 'out-base'), 'base', o.cache),
      head: runCounted(headBundle, o.runArgs, join(work, 'out-head'), 'head', o.cache),
    }),
  };
}

function countedReport(o: Options): Report<CountedSide, CountedSummary> {
  return {
    formatRound: formatCountedRound,
    summarize: summarizeCounted,
    formatSummary: formatCountedSummary,
    saved: {
      args: { run: o.runArgs, rounds: o.rounds, instructions: true, cache: o.cache },
      method: `each side bundled (esbuild) and run under valgrind --tool=cachegrind with node --predictable, both at once; ratios head/base of instructions executed${o.cache ? `, and of data misses of simulated caches (${CACHE_GEOMETRY.join(' ')})` : ''}`,
    },
  };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
