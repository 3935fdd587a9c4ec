/**
 * Reading sweep folders for `peermap merge`, trusting nothing in them:
 * sizes are capped before reading, sweep.json and run files are checked
 * against schemas (strategies from the known set, integer seeds, bounded
 * strings and counts), scenario configs are validated again, and run files
 * are read only at the path derived from their job — never from a `file`
 * field — after checking that the path (symlinks resolved) stays inside the
 * folder. Every problem is a SweepInputError naming the file.
 */
import { closeSync, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { ScenarioError } from '../../scenario/errors.ts';
import { validateScenarioObject } from '../../scenario/load.ts';
import { STRATEGIES } from '../../scenario/schema/protocols.ts';
import { MAX_SEEDS } from '../compare/options.ts';
import { MAX_JOBS, MAX_SHARDS, sweepJobs, type SweepJob, type SweepPlan } from './plan.ts';
import { RUN_FORMAT, SWEEP_FORMAT, SWEEP_FORMAT_VARIED, planOf, type SweepResult, type SweepRunFile } from './sweep.ts';
import { MAX_SET_CHARS, MAX_VALUE_CHARS, MAX_VARIANTS, MAX_VARY_FLAGS, MAX_VARY_VALUES, variantLabel, variantSets } from './vary.ts';

/** A problem with a sweep folder given to merge (exit 2); the message starts with the file or folder. */
export class SweepInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepInputError';
  }
}

/** Cap on any one file merge reads. */
export const MAX_INPUT_FILE_BYTES = 64 * 1024 * 1024;
/** Cap on everything one merge reads. */
export const MAX_INPUT_TOTAL_BYTES = 1024 * 1024 * 1024;
const MAX_METRIC_DEPTH = 16;
const MAX_METRIC_NODES = 1_000_000;

const nonNegative = z.number().finite().nonnegative();
const seedSchema = z.number().int().min(0).max(2 ** 32 - 1);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const shardSchema = z.strictObject({ index: z.number().int().min(1).max(MAX_SHARDS), count: z.number().int().min(1).max(MAX_SHARDS) });
const endReason = z.enum(['completed', 'max-events', 'stopped']);
const traceHash = z.string().regex(/^[0-9a-f]{8,128}$/, 'hexadecimal');
const strategy = z.enum(STRATEGIES);
const unique = <T>(a: readonly T[]) => new Set(a).size === a.length;

const executionSchema = z.strictObject({
  wallSeconds: nonNegative,
  eventsPerSecond: nonNegative,
  peakRssBytes: nonNegative,
  heapPeakBytes: nonNegative.nullable(),
  cpuSeconds: nonNegative.nullable(),
  worker: z.number().int().min(1).nullable(),
  shard: shardSchema.nullable(),
});

/** Metrics are a tree of numbers, strings, booleans, nulls, arrays and objects; bounded so aggregation cannot recurse without end. */
function boundedTree(value: unknown): boolean {
  let nodes = 0;
  const walk = (v: unknown, depth: number): boolean => {
    if (++nodes > MAX_METRIC_NODES || depth > MAX_METRIC_DEPTH) return false;
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return true;
    if (typeof v === 'string') return v.length <= 1000;
    if (Array.isArray(v)) return v.every((x) => walk(x, depth + 1));
    if (typeof v === 'object') return Object.entries(v).every(([k, x]) => k.length <= 200 && walk(x, depth + 1));
    return false;
  };
  return walk(value, 0);
}

const runFileSchema = z.strictObject({
  format: z.literal(RUN_FORMAT),
  job: z.number().int().min(0).max(MAX_JOBS - 1),
  strategy,
  seed: seedSchema,
  variant: z.number().int().min(1).max(MAX_VARIANTS).optional(),
  scenario: z.string().max(100),
  configHash: z.string().regex(/^[0-9a-f]{16}$/, '16 hexadecimal digits'),
  traceHash,
  endReason,
  eventsProcessed: count,
  simulatedSeconds: nonNegative,
  metrics: z.record(z.string(), z.unknown()).refine(boundedTree, `a tree of metric values at most ${MAX_METRIC_DEPTH} deep`),
  execution: executionSchema,
});

const summarySchema = z.strictObject({
  job: z.number().int().min(0).max(MAX_JOBS - 1),
  seed: seedSchema,
  traceHash,
  endReason,
  eventsProcessed: count,
  simulatedSeconds: nonNegative,
  file: z.string().max(300),
  execution: executionSchema,
});

const sweepSchema = z.strictObject({
  format: z.enum([SWEEP_FORMAT, SWEEP_FORMAT_VARIED]),
  scenario: z.strictObject({ name: z.string().max(100), file: z.string().max(4096), peers: count, durationS: nonNegative, config: z.unknown() }),
  strategies: z.array(strategy).min(1).max(STRATEGIES.length).refine(unique, 'no strategy twice'),
  seeds: z.array(seedSchema).min(1).max(MAX_SEEDS).refine(unique, 'no seed twice'),
  vary: z
    .array(z.strictObject({ path: z.string().max(MAX_SET_CHARS), values: z.array(z.string().max(MAX_VALUE_CHARS)).min(1).max(MAX_VARY_VALUES) }))
    .min(1)
    .max(MAX_VARY_FLAGS)
    .optional(),
  variants: z
    .array(z.strictObject({ index: z.number().int().min(1), label: z.string().max(MAX_VARY_FLAGS * (MAX_SET_CHARS + 2)), sets: z.array(z.string().max(MAX_SET_CHARS)).max(MAX_VARY_FLAGS), config: z.unknown() }))
    .min(1)
    .max(MAX_VARIANTS)
    .optional(),
  jobs: z.number().int().min(1).max(MAX_JOBS),
  complete: z.boolean(),
  results: z.record(
    z.string().max(MAX_VARY_FLAGS * (MAX_SET_CHARS + 2) + 20),
    z.strictObject({ strategy: strategy.optional(), variant: z.number().int().min(1).optional(), aggregate: z.unknown(), runs: z.array(summarySchema).max(MAX_SEEDS) }),
  ),
  generatedBy: z.string().max(200),
  commit: z.string().max(100),
  execution: z.looseObject({
    shard: shardSchema.nullable().optional(),
    workers: z.number().int().min(1).nullable().optional(),
    wallSeconds: nonNegative.nullable().optional(),
  }),
});

/** The schema's first problems as "field: what", without echoing values. */
function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((i) => {
    const field = i.path.map(String).join('.') || '(file)';
    // zod leaves the input out of its issues: a missing field is the one whose message says it received undefined.
    if (i.code === 'invalid_type' && /received undefined$/.test(i.message)) return `${field}: missing`;
    if (i.code === 'unrecognized_keys') return `${field === '(file)' ? '' : field + ': '}unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.slice(0, 3).map((k) => JSON.stringify(k.slice(0, 40))).join(', ')}`;
    return `${field}: ${i.message}`;
  });
  return shown.join('; ') + (error.issues.length > 5 ? `; and ${error.issues.length - 5} more` : '');
}

/** `inner` is `root` or below it (both absolute, symlinks resolved). */
function isInside(root: string, inner: string): boolean {
  const rel = relative(root, inner);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export interface ReadBudget {
  bytesLeft: number;
}

/**
 * Reads `rel` in the folder `dir` (`root`: its resolved path): refused if it
 * leaves the folder, is not a regular file or is too large.
 */
function readInside(dir: string, root: string, rel: string, what: string, budget: ReadBudget): string {
  const path = join(dir, rel);
  if (!isInside(root, resolve(root, rel))) throw new SweepInputError(`${path}: outside ${dir}; refused`);
  let real: string;
  try {
    real = realpathSync(join(root, rel));
  } catch {
    throw new SweepInputError(`${path}: no ${what} here`);
  }
  if (!isInside(root, real)) throw new SweepInputError(`${path}: a link to a file outside ${dir}; refused`);
  let fd: number;
  try {
    fd = openSync(real, 'r');
  } catch (e) {
    throw new SweepInputError(`${path}: cannot open the ${what} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SweepInputError(`${path}: not a file`);
    const limit = Math.min(MAX_INPUT_FILE_BYTES, budget.bytesLeft);
    if (st.size > limit) throw new SweepInputError(`${path}: ${st.size} bytes; a ${what} may have at most ${limit} bytes${limit < MAX_INPUT_FILE_BYTES ? ' (merge reads at most ' + MAX_INPUT_TOTAL_BYTES + ' bytes in all)' : ''}`);
    // Read at most limit + 1 bytes whatever the size said, in case the file grows meanwhile.
    const buf = Buffer.alloc(Math.min(st.size, limit) + 1);
    let n = 0;
    for (let got = 1; got > 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null);
    if (n > limit) throw new SweepInputError(`${path}: larger than ${limit} bytes`);
    budget.bytesLeft -= n;
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

function parseJson<T>(text: string, path: string, what: string, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text: say where, never what.
    throw new SweepInputError(`${path}: not a ${what} (not valid JSON)`);
  }
  const r = schema.safeParse(value);
  if (!r.success) throw new SweepInputError(`${path}: not a valid ${what}: ${describeIssues(r.error)}`);
  return r.data;
}

function validConfig(value: unknown, path: string, field: string) {
  try {
    return validateScenarioObject(value, `${path}: ${field}`);
  } catch (e) {
    if (e instanceof ScenarioError) throw new SweepInputError(`${path}: ${field} is not a valid scenario:\n  ${e.problems.slice(0, 5).map((p) => `${p.path || '(config)'}: ${p.allowed}`).join('\n  ')}`);
    throw e;
  }
}

/** sweep.json's content checked against its own plan; returns the result with configs as validated. */
function checkSweep(raw: z.infer<typeof sweepSchema>, path: string): SweepResult {
  const config = validConfig(raw.scenario.config, path, 'scenario.config');
  const varied = raw.format === SWEEP_FORMAT_VARIED;
  if (varied !== (raw.vary !== undefined) || varied !== (raw.variants !== undefined)) {
    throw new SweepInputError(`${path}: format ${raw.format} ${varied ? 'needs' : 'has no'} vary and variants`);
  }
  let variants: SweepResult['variants'];
  if (raw.vary && raw.variants) {
    let expected: string[][];
    try {
      expected = variantSets(raw.vary);
    } catch {
      throw new SweepInputError(`${path}: vary makes more than ${MAX_VARIANTS} variants`);
    }
    if (raw.variants.length !== expected.length) throw new SweepInputError(`${path}: vary makes ${expected.length} variants but variants lists ${raw.variants.length}`);
    variants = raw.variants.map((v, i) => {
      if (v.index !== i + 1 || JSON.stringify(v.sets) !== JSON.stringify(expected[i])) throw new SweepInputError(`${path}: variants.${i} is not combination ${i + 1} of vary`);
      return { index: v.index, label: variantLabel(v.sets), sets: v.sets, config: validConfig(v.config, path, `variants.${i}.config`) };
    });
  }
  const result = { ...raw, scenario: { ...raw.scenario, config }, variants } as unknown as SweepResult;
  if (!variants) delete result.variants;
  return result;
}

export interface SweepInput {
  dir: string;
  result: SweepResult;
  runs: SweepRunFile[];
}

/** A sweep folder: its sweep.json and the run files of the jobs it lists, each checked. */
export function readSweepDir(dir: string, budget: ReadBudget = { bytesLeft: MAX_INPUT_TOTAL_BYTES }): SweepInput {
  let root: string;
  try {
    root = realpathSync(dir);
  } catch {
    throw new SweepInputError(`${dir}: no such folder`);
  }
  if (!statSync(root).isDirectory()) throw new SweepInputError(`${dir}: not a folder`);
  const jsonPath = join(dir, 'sweep.json');
  const result = checkSweep(parseJson(readInside(dir, root, 'sweep.json', 'sweep.json', budget), jsonPath, 'sweep.json', sweepSchema), jsonPath);
  const plan: SweepPlan = planOf(result);
  // Counted before the jobs are built (each job copies its scenario): a small sweep.json may describe millions.
  const planned = plan.variants.length * plan.strategies.length * plan.seeds.length;
  if (planned !== result.jobs) throw new SweepInputError(`${jsonPath}: jobs is ${result.jobs} but the plan has ${planned}`);
  const jobs = sweepJobs(plan);
  if (jobs.length !== result.jobs) throw new SweepInputError(`${jsonPath}: jobs is ${result.jobs} but the plan has ${jobs.length}`);
  const keys = new Set(jobs.map((j) => j.key));
  const listed = new Map<number, { job: SweepJob; traceHash: string }>();
  for (const [key, entry] of Object.entries(result.results)) {
    const at = `${jsonPath}: results.${JSON.stringify(key.slice(0, 120))}`;
    if (!keys.has(key)) throw new SweepInputError(`${at} is not a strategy${result.variants ? ' and variant' : ''} of the plan`);
    for (const r of entry.runs) {
      const job = jobs[r.job];
      if (!job || job.key !== key || job.seed !== r.seed) throw new SweepInputError(`${at}: run of job ${r.job} seed ${r.seed} is not in the plan there`);
      if (r.file !== job.file) throw new SweepInputError(`${at}: job ${r.job}'s file must be ${job.file}; refused`);
      if (listed.has(r.job)) throw new SweepInputError(`${at}: job ${r.job} is listed twice`);
      listed.set(r.job, { job, traceHash: r.traceHash });
    }
  }
  const runs: SweepRunFile[] = [];
  for (const { job, traceHash: listedHash } of [...listed.values()].sort((a, b) => a.job.index - b.job.index)) {
    const path = join(dir, job.file);
    const run = parseJson(readInside(dir, root, job.file, 'run file', budget), path, 'run file', runFileSchema) as SweepRunFile;
    const variant = run.variant ?? null;
    if (run.job !== job.index || run.strategy !== job.strategy || run.seed !== job.seed || variant !== job.variant) {
      throw new SweepInputError(`${path}: holds job ${run.job} (${run.strategy} seed ${run.seed}${variant === null ? '' : ` variant ${variant}`}), not job ${job.index}`);
    }
    if (run.traceHash !== listedHash) throw new SweepInputError(`${path}: trace ${run.traceHash} but sweep.json lists ${listedHash} for job ${job.index}`);
    runs.push(run);
  }
  return { dir, result, runs };
}
