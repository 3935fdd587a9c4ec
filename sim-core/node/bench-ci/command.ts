/**
 * `npm run bench:ci [-- --update] [--workers N] [--cases GLOBS] [--suite FILE] [--baseline FILE] [--out DIR]`
 *
 * Runs the suite on a worker pool, compares with the baseline and exits 1
 * with a readable diff when a value moved beyond its tolerance; `--update`
 * rewrites the baseline instead (keeping its tolerances). Wall time is
 * reported, never compared.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ScenarioError } from '../../scenario/errors.ts';
import { generatedBy } from '../cli/compare-command.ts';
import { writeFileAtomic, writeJsonAtomic } from '../files.ts';
import { defaultWorkers, workerPoolRunner } from '../jobs/pool.ts';
import { gitCommit, machineInfo } from '../machine.ts';
import { BASELINE_FORMAT, buildBaseline, compareWithBaseline, formatComparison, formatWallTimes, type Baseline } from './baseline.ts';
import { filterCases, loadSuite, runCases } from './suite.ts';

export const USAGE = `usage: npm run bench:ci -- [--update] [--workers N] [--cases GLOB,...] [--suite FILE] [--baseline FILE] [--out DIR]
  --update      rewrite the baseline from this run (its tolerance rules are kept)
  --workers N   worker threads (default: available CPUs, at most one per case)
  --cases       only the cases whose id (case/strategy), case or strategy matches a glob, e.g. steady/*,*/kademlia
  --suite       default bench/ci/suite.yaml
  --baseline    default results/baseline-ci.json
  --out         where this run's values and diff go (default results/ci-bench)`;

/** A baseline file that cannot be read or is not one (exit 2, naming the file and the field). */
export class BaselineError extends Error {}

const rate = z.strictObject({ abs: z.number().nonnegative().optional(), rel: z.number().nonnegative().optional() });
const baselineSchema = z.object({
  format: z.literal(BASELINE_FORMAT),
  tolerance: z.object({
    integers: rate,
    fractions: rate,
    metrics: z.array(
      z.object({ metric: z.string(), case: z.string().optional(), abs: z.number().nonnegative().optional(), rel: z.number().nonnegative().optional(), ignore: z.boolean().optional(), note: z.string().optional() }),
    ),
  }),
  cases: z.record(
    z.string(),
    z.object({
      file: z.string(),
      strategy: z.string(),
      seed: z.number().int(),
      overrides: z.record(z.string(), z.unknown()).nullable(),
      configHash: z.string(),
      wallSeconds: z.number().nonnegative(),
      values: z.record(z.string(), z.union([z.number(), z.string()])),
    }),
  ),
});

/** The baseline at `path` (undefined if there is none), checked field by field: a corrupt one must not pass the gate. */
export function readBaseline(path: string): Baseline | undefined {
  if (!existsSync(path)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new BaselineError(`${path}: not a readable JSON baseline (${(e as Error).message.split('\n')[0]})`);
  }
  const r = baselineSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new BaselineError(`${path}: not a valid baseline: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
  }
  return raw as Baseline;
}

export async function benchCiMain(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        update: { type: 'boolean', default: false },
        workers: { type: 'string' },
        cases: { type: 'string', default: '' },
        suite: { type: 'string', default: 'bench/ci/suite.yaml' },
        baseline: { type: 'string', default: 'results/baseline-ci.json' },
        out: { type: 'string', default: 'results/ci-bench' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(USAGE);
    return 0;
  }
  let cases;
  try {
    const globs = args.cases.split(',').map((s) => s.trim()).filter(Boolean);
    cases = filterCases(loadSuite(args.suite).cases, globs);
    if (cases.length === 0) throw new ScenarioError(args.suite, [{ path: 'cases', got: JSON.stringify(args.cases), allowed: '--cases matches no case' }]);
  } catch (e) {
    if (e instanceof ScenarioError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  const partial = args.cases.trim() !== '';
  let previous: Baseline | undefined;
  try {
    previous = readBaseline(args.baseline);
  } catch (e) {
    if (!(e instanceof BaselineError)) throw e;
    console.error(`bench:ci: ${e.message}`);
    return 2;
  }
  if (!previous && !args.update) {
    console.error(`bench:ci: no baseline at ${args.baseline}; create it with: npm run bench:ci -- --update`);
    return 1;
  }
  const requested = args.workers === undefined ? defaultWorkers() : Number(args.workers);
  if (!Number.isInteger(requested) || requested < 1) {
    console.error(`--workers must be an integer ≥ 1, got ${args.workers}\n${USAGE}`);
    return 2;
  }
  const workers = Math.min(requested, cases.length);
  console.log(`bench:ci: ${cases.length} case${cases.length === 1 ? '' : 's'} from ${args.suite} on ${workers} worker${workers === 1 ? '' : 's'}`);
  const runner = workerPoolRunner({ workers });
  const startMs = performance.now();
  let done = 0;
  // Longest first (by the baseline's wall times), so the long runs do not end up last on one worker;
  // results are put back in suite order, so the order never shows in the outputs.
  const wall = (id: string) => previous?.cases[id]?.wallSeconds ?? Infinity;
  const submitted = [...cases].sort((a, b) => wall(b.id) - wall(a.id));
  let runs;
  try {
    const byId = new Map(
      (
        await runCases(submitted, runner, (c, run, r) => {
          done++;
          console.log(`  [${done}/${cases.length}] ${c.id}: trace ${r.traceHash}, ${r.eventsProcessed} events, ${run.wallSeconds.toFixed(2)} s wall (worker ${r.worker ?? '-'})`);
        })
      ).map((r) => [r.id, r]),
    );
    runs = cases.map((c) => byId.get(c.id)!);
  } finally {
    await runner.close();
  }
  const wallSeconds = (performance.now() - startMs) / 1000;
  console.log(`bench:ci: ran in ${wallSeconds.toFixed(1)} s wall`);
  const meta = { suite: args.suite, commit: gitCommit(), generatedBy: generatedBy(), machine: machineInfo() };
  writeJsonAtomic(join(args.out, 'current.json'), { ...buildBaseline(runs, meta, previous, false), wallSecondsTotal: wallSeconds });

  if (args.update) {
    if (previous) {
      const before = compareWithBaseline(previous, runs, partial);
      const changed = before.cases.filter((k) => k.diffs.length > 0 || k.added || k.missing).length;
      console.log(`bench:ci --update: ${changed} case${changed === 1 ? '' : 's'} changed from the previous baseline`);
      if (changed > 0) console.log(formatComparison(before, { baselinePath: `${args.baseline} (previous)`, maxRows: 20 }));
    }
    const next = buildBaseline(runs, meta, previous, partial);
    writeJsonAtomic(args.baseline, next);
    const values = runs.reduce((n, r) => n + Object.keys(r.values).length, 0);
    console.log(`bench:ci: baseline written: ${args.baseline} (${Object.keys(next.cases).length} cases, ${values} values compared from this run)`);
    return 0;
  }
  const comparison = compareWithBaseline(previous!, runs, partial);
  const text = formatComparison(comparison, { baselinePath: args.baseline });
  writeFileAtomic(join(args.out, 'diff.txt'), formatComparison(comparison, { baselinePath: args.baseline, maxRows: Infinity }) + '\n');
  console.log('');
  console.log(formatWallTimes(comparison));
  console.log('');
  console.log(text);
  if (comparison.failed) console.error(`bench:ci: failed; the full diff is in ${join(args.out, 'diff.txt')}`);
  return comparison.failed ? 1 : 0;
}
