/**
 * The CI bench suite (bench/ci/suite.yaml): scenario files × strategies,
 * each run once with a fixed seed, optionally with overrides (a patch merged
 * into the scenario before validation, e.g. a gossip TTL).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { readYaml } from '../../scenario/yaml-text.ts';
import { z } from 'zod';
import { validateScenarioObject } from '../../scenario/load.ts';
import { ScenarioError } from '../../scenario/errors.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import { STRATEGIES, type Strategy } from '../../scenario/schema/protocols.ts';
import { checkStrategies, withStrategy } from '../compare/options.ts';
import type { JobResult, JobRunner } from '../jobs/jobs.ts';
import { configHash } from '../sweep/plan.ts';
import { extractValues, globToRegExp, type CaseRun } from './baseline.ts';

const overridesSchema = z.record(z.string(), z.unknown());

export const suiteSchema = z.strictObject({
  description: z.string().default(''),
  /** Seed of every run unless a case sets its own. */
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(1),
  /** Strategies every case runs unless it lists its own. */
  strategies: z.array(z.enum(STRATEGIES)).min(1),
  cases: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" or "-"'),
        /** Scenario file, relative to the suite file. */
        scenario: z.string().min(1),
        strategies: z.array(z.enum(STRATEGIES)).min(1).optional(),
        seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
        /** Merged into the scenario before validation, e.g. `{ protocol: { globalmap: { ttl: 4 } } }`. */
        overrides: overridesSchema.optional(),
      }),
    )
    .min(1),
});

export type Suite = z.infer<typeof suiteSchema>;

/** One run of the suite: `<case>/<strategy>`. */
export interface CiCase {
  id: string;
  name: string;
  strategy: Strategy;
  seed: number;
  /** The scenario file as recorded in the baseline (relative to the working folder). */
  file: string;
  overrides: Record<string, unknown> | null;
  scenario: Scenario;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** `patch` merged into `base`: objects key by key, anything else replaced. */
export function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isObject(base) || !isObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(patch)) out[k] = k in out ? deepMerge(out[k], v) : structuredClone(v);
  return out;
}

/** Resolves one case × strategy from scenario text: overrides merged, validated, strategy and seed set. */
export function resolveCase(
  c: { name: string; file: string; text: string; strategy: Strategy; seed: number; overrides?: Record<string, unknown> | null },
): CiCase {
  const raw: unknown = readYaml(c.text, c.file).value;
  const source = c.overrides ? `${c.file} (with the case's overrides)` : c.file;
  const base = validateScenarioObject(c.overrides ? deepMerge(raw, c.overrides) : raw, source);
  checkStrategies(source, base, [c.strategy]);
  return { id: `${c.name}/${c.strategy}`, name: c.name, strategy: c.strategy, seed: c.seed, file: c.file, overrides: c.overrides ?? null, scenario: withStrategy(base, c.strategy, c.seed) };
}

/** Reads the suite and resolves every case × strategy (case order, then strategy order). */
export function loadSuite(path: string, cwd = process.cwd()): { suite: Suite; cases: CiCase[] } {
  const raw = readYaml(readText(path, 'YAML suite'), path).value;
  const parsed = suiteSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ScenarioError(
      path,
      parsed.error.issues.map((i) => ({ path: i.path.join('.'), got: undefined, allowed: i.message })),
    );
  }
  const suite = parsed.data;
  const names = suite.cases.map((c) => c.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new ScenarioError(path, [{ path: 'cases', got: JSON.stringify(dup), allowed: 'case names must be unique' }]);
  const cases = suite.cases.flatMap((c) => {
    const abs = join(dirname(path), c.scenario);
    const file = relative(cwd, abs) || abs;
    const text = readText(abs, 'scenario file', file);
    return (c.strategies ?? suite.strategies).map((strategy) => resolveCase({ name: c.name, file, text, strategy, seed: c.seed ?? suite.seed, overrides: c.overrides }));
  });
  return { suite, cases };
}

/** A file's text, or a ScenarioError naming it (missing, a folder, unreadable). */
function readText(path: string, what: string, shown = path): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ScenarioError(shown, [{ path: '', got: undefined, allowed: `a readable ${what} (${(e as Error).message.split('\n')[0]})` }]);
  }
}

/** Keeps the cases whose id matches one of the globs (`steady/*`, `*\/kademlia`); all without filters. */
export function filterCases(cases: readonly CiCase[], globs: readonly string[]): CiCase[] {
  if (globs.length === 0) return [...cases];
  const res = globs.map(globToRegExp);
  return cases.filter((c) => res.some((r) => r.test(c.id) || r.test(c.name) || r.test(c.strategy)));
}

export function toCaseRun(c: CiCase, r: JobResult): CaseRun {
  return { id: c.id, file: c.file, strategy: c.strategy, seed: c.seed, overrides: c.overrides, configHash: configHash(c.scenario), wallSeconds: r.wallSeconds, values: extractValues(r) };
}

/** Runs the cases through the runner (all submitted at once, in suite order); results in suite order. */
export async function runCases(cases: readonly CiCase[], runner: JobRunner, onDone?: (c: CiCase, run: CaseRun, r: JobResult) => void): Promise<CaseRun[]> {
  return Promise.all(
    cases.map(async (c) => {
      const r = await runner.run({ label: c.id, scenario: c.scenario });
      const run = toCaseRun(c, r);
      onDone?.(c, run, r);
      return run;
    }),
  );
}
