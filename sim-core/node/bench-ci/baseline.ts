/**
 * The CI regression bench's comparison: every case's values (run fields and
 * every scalar metric, flattened to dotted paths) against
 * results/baseline-ci.json, with a tolerance per metric, and a readable diff.
 * Pure functions: the runner (run.ts) and the CLI entry (bench/ci/bench-ci.ts)
 * do the I/O.
 */
import { comparePaths, flattenMetrics } from '../../metrics/aggregate.ts';

export const BASELINE_FORMAT = 'peermap-bench-ci/1';

/** A case's compared values: `run.*` fields, then metrics by dotted path. */
export type Values = Record<string, number | string>;

/**
 * A per-metric tolerance. `metric` and `case` are globs (`*` matches any
 * characters, dots included); the first rule matching both wins. A numeric
 * value passes if |new − old| ≤ max(abs, rel × |old|); `ignore` skips the
 * metric altogether (and its removal).
 */
export interface ToleranceRule {
  metric: string;
  case?: string;
  abs?: number;
  rel?: number;
  ignore?: boolean;
  /** Why: shown nowhere but kept for the reader of the baseline. */
  note?: string;
}

export interface ToleranceSpec {
  /** For values that are integers in the baseline and now (counts): default exact. */
  integers: { abs?: number; rel?: number };
  /** For other numbers (rates, means, fractions): default a relative 1e-9, i.e. float rounding only. */
  fractions: { abs?: number; rel?: number };
  /** Per-metric exceptions, checked in order. */
  metrics: ToleranceRule[];
}

export const DEFAULT_TOLERANCE: ToleranceSpec = { integers: { abs: 0 }, fractions: { rel: 1e-9 }, metrics: [] };

export interface BaselineCase {
  file: string;
  strategy: string;
  seed: number;
  overrides: Record<string, unknown> | null;
  /** Hash of the resolved scenario: when it differs, the case's scenario itself was edited. */
  configHash: string;
  /** Reported, never compared. */
  wallSeconds: number;
  values: Values;
}

export interface Baseline {
  format: typeof BASELINE_FORMAT;
  about: string;
  tolerance: ToleranceSpec;
  suite: string;
  commit: string;
  generatedBy: string;
  machine: unknown;
  cases: Record<string, BaselineCase>;
}

/** A case as just run. */
export interface CaseRun extends BaselineCase {
  id: string;
}

/** What is compared for one run: trace hash, end reason, event count and every scalar metric (series and per-node rows excluded). */
export function extractValues(r: { traceHash: string; endReason: string; eventsProcessed: number; metrics: Record<string, unknown> }): Values {
  const out: Values = { 'run.traceHash': r.traceHash, 'run.endReason': r.endReason, 'run.eventsProcessed': r.eventsProcessed };
  const { scalars } = flattenMetrics(r.metrics);
  for (const k of [...scalars.keys()].sort(comparePaths)) out[k] = scalars.get(k)!;
  return out;
}

export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

export interface Allowed {
  abs: number;
  rel: number;
  ignore: boolean;
  /** The rule that applied, if not a default. */
  rule: ToleranceRule | null;
}

/**
 * The tolerance of one value. Without a matching rule: strings exact; the
 * `integers` default when the baseline value is an integer and the new one
 * is too (or absent) — counts; the `fractions` default otherwise, so a mean
 * that happened to be whole may still move by float rounding.
 */
export function toleranceFor(spec: ToleranceSpec, caseId: string, metric: string, old: number | string | undefined, now?: number | string): Allowed {
  for (const rule of spec.metrics) {
    if (globToRegExp(rule.metric).test(metric) && (rule.case === undefined || globToRegExp(rule.case).test(caseId))) {
      return { abs: rule.abs ?? 0, rel: rule.rel ?? 0, ignore: rule.ignore === true, rule };
    }
  }
  if (typeof old !== 'number') return { abs: 0, rel: 0, ignore: false, rule: null }; // strings (trace hash, end reason): exact
  const d = Number.isInteger(old) && (now === undefined || Number.isInteger(now)) ? spec.integers : spec.fractions;
  return { abs: d.abs ?? 0, rel: d.rel ?? 0, ignore: false, rule: null };
}

export function withinTolerance(old: number | string, now: number | string, t: Allowed): boolean {
  if (t.ignore || old === now) return true;
  if (typeof old !== 'number' || typeof now !== 'number') return false;
  return Math.abs(now - old) <= Math.max(t.abs, t.rel * Math.abs(old));
}

export type Status = 'changed' | 'removed';

export interface MetricDiff {
  metric: string;
  status: Status;
  old: number | string;
  now: number | string | undefined;
  allowed: Allowed;
}

export interface CaseComparison {
  id: string;
  /** In the baseline but not run (only when the whole suite ran). */
  missing: boolean;
  /** Run but not in the baseline: reported, not a failure. */
  added: boolean;
  configChanged: boolean;
  /** Beyond tolerance: failures. */
  diffs: MetricDiff[];
  /** Different but within tolerance. */
  withinTolerance: string[];
  /** New metric keys, not compared. */
  addedMetrics: string[];
  wallSeconds: { old: number | null; now: number | null };
}

export interface Comparison {
  cases: CaseComparison[];
  failed: boolean;
}

/**
 * Compares runs with the baseline. With `partial` (a filtered run) baseline
 * cases that were not run are skipped instead of reported missing.
 */
export function compareWithBaseline(baseline: Baseline, runs: readonly CaseRun[], partial = false): Comparison {
  const cases: CaseComparison[] = [];
  const runIds = new Set(runs.map((r) => r.id));
  for (const run of runs) {
    const base = baseline.cases[run.id];
    if (!base) {
      cases.push({ id: run.id, missing: false, added: true, configChanged: false, diffs: [], withinTolerance: [], addedMetrics: [], wallSeconds: { old: null, now: run.wallSeconds } });
      continue;
    }
    const diffs: MetricDiff[] = [];
    const within: string[] = [];
    for (const [metric, old] of Object.entries(base.values)) {
      const now = run.values[metric];
      const allowed = toleranceFor(baseline.tolerance, run.id, metric, old, now);
      if (allowed.ignore) continue;
      if (now === undefined) diffs.push({ metric, status: 'removed', old, now, allowed });
      else if (!withinTolerance(old, now, allowed)) diffs.push({ metric, status: 'changed', old, now, allowed });
      else if (old !== now) within.push(metric);
    }
    const addedMetrics = Object.keys(run.values).filter((k) => !(k in base.values));
    cases.push({
      id: run.id,
      missing: false,
      added: false,
      configChanged: base.configHash !== run.configHash,
      diffs,
      withinTolerance: within,
      addedMetrics,
      wallSeconds: { old: base.wallSeconds, now: run.wallSeconds },
    });
  }
  if (!partial) {
    for (const id of Object.keys(baseline.cases)) {
      if (!runIds.has(id)) cases.push({ id, missing: true, added: false, configChanged: false, diffs: [], withinTolerance: [], addedMetrics: [], wallSeconds: { old: baseline.cases[id].wallSeconds, now: null } });
    }
  }
  // A full run that compared nothing (every case new) is no check at all: a baseline of another suite, or emptied.
  const nothingCompared = !partial && runs.length > 0 && cases.every((c) => c.added);
  return { cases, failed: nothingCompared || cases.some((c) => c.missing || c.diffs.length > 0) };
}

/** The baseline for these runs, keeping the previous baseline's tolerances (and its cases not run this time, when `partial`). */
export function buildBaseline(runs: readonly CaseRun[], meta: { suite: string; commit: string; generatedBy: string; machine: unknown }, previous?: Baseline, partial = false): Baseline {
  const cases: Record<string, BaselineCase> = partial && previous ? { ...previous.cases } : {};
  for (const r of runs) {
    cases[r.id] = { file: r.file, strategy: r.strategy, seed: r.seed, overrides: r.overrides, configHash: r.configHash, wallSeconds: round(r.wallSeconds, 2), values: r.values };
  }
  return {
    format: BASELINE_FORMAT,
    about:
      'Regression baseline of `npm run bench:ci` (bench/ci/suite.yaml). Values are compared exactly for integers (counts), ' +
      'within `tolerance.fractions` for other numbers, unless a `tolerance.metrics` rule (first match of metric/case globs) says otherwise; ' +
      'new metric keys are reported, not compared. Rewrite with `npm run bench:ci -- --update` (tolerances are kept).',
    tolerance: previous?.tolerance ?? DEFAULT_TOLERANCE,
    suite: meta.suite,
    commit: meta.commit,
    generatedBy: meta.generatedBy,
    machine: meta.machine,
    cases,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

// ---------------------------------------------------------------- formatting

function groupDigits(s: string): string {
  const [int, frac] = s.split('.');
  const sign = int.startsWith('-') ? '-' : '';
  const digits = sign ? int.slice(1) : int;
  const grouped = digits.length > 3 ? digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : digits;
  return sign + grouped + (frac !== undefined ? `.${frac}` : '');
}

/** Both numbers with just enough significant digits to tell them apart (6 at least). */
export function formatPair(a: number | string | undefined, b: number | string | undefined): [string, string] {
  const one = (x: number | string | undefined, p: number): string => {
    if (x === undefined) return '—';
    if (typeof x === 'string') return x;
    if (Number.isInteger(x) && Math.abs(x) < 1e15) return groupDigits(String(x));
    if (x !== 0 && (Math.abs(x) < 1e-4 || Math.abs(x) >= 1e15)) return x.toExponential(p - 1);
    return groupDigits(String(Number(x.toPrecision(p))));
  };
  for (let p = 6; p <= 17; p++) {
    const pair: [string, string] = [one(a, p), one(b, p)];
    if (pair[0] !== pair[1] || a === b) return pair;
  }
  return [one(a, 17), one(b, 17)];
}

export function formatChange(old: number | string, now: number | string | undefined): string {
  if (now === undefined) return 'removed';
  if (typeof old !== 'number' || typeof now !== 'number') return 'changed';
  const d = now - old;
  const [, ds] = formatPair(0, d);
  const signed = d > 0 ? `+${ds}` : ds;
  if (old === 0) return `${signed} (was 0)`;
  const pct = (100 * d) / Math.abs(old);
  const pcts = Math.abs(pct) >= 0.01 ? pct.toFixed(2) : pct.toPrecision(2);
  return `${signed} (${pct > 0 ? '+' : ''}${pcts}%)`;
}

export function formatAllowed(a: Allowed): string {
  if (a.ignore) return 'ignored';
  const parts = [];
  if (a.abs > 0) parts.push(`±${a.abs}`);
  if (a.rel > 0) parts.push(`±${a.rel * 100 >= 0.01 ? `${+(a.rel * 100).toPrecision(3)}%` : `${a.rel} rel`}`);
  return parts.length === 0 ? 'exact' : parts.join(' or ');
}

function table(header: string[], rows: string[][], indent = '  '): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    indent +
    cells
      .map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), indent + widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)];
}

export interface FormatOptions {
  /** Rows shown per case before "… and N more" (the JSON report has them all). */
  maxRows?: number;
  /** Where the baseline lives, for the messages. */
  baselinePath?: string;
}

/** The readable diff: per failing case a table metric / old / new / change / allowed, then notes. */
export function formatComparison(c: Comparison, opts: FormatOptions = {}): string {
  const maxRows = opts.maxRows ?? 60;
  const where = opts.baselinePath ?? 'the baseline';
  const out: string[] = [];
  const failing = c.cases.filter((k) => k.missing || k.diffs.length > 0);
  for (const k of c.cases) {
    if (k.missing) {
      out.push(`${k.id}: in ${where} but not run (case or strategy removed from the suite?)`);
      continue;
    }
    if (k.added) {
      out.push(`${k.id}: new case, not in ${where} (not compared; add it with --update)`);
      continue;
    }
    if (k.diffs.length === 0) continue;
    out.push(`${k.id}: ${k.diffs.length} value${k.diffs.length === 1 ? '' : 's'} differ${k.diffs.length === 1 ? 's' : ''} beyond tolerance${k.configChanged ? ' (its scenario was edited: config hash differs)' : ''}`);
    const rows = k.diffs.slice(0, maxRows).map((d) => {
      const [o, n] = formatPair(d.old, d.now);
      return [d.metric, o, n, formatChange(d.old, d.now), formatAllowed(d.allowed)];
    });
    out.push(...table(['metric', 'old', 'new', 'change', 'allowed'], rows));
    if (k.diffs.length > maxRows) out.push(`  … and ${k.diffs.length - maxRows} more`);
  }
  for (const k of c.cases) {
    if (k.withinTolerance.length > 0) out.push(`${k.id}: ${k.withinTolerance.length} value(s) differ within tolerance: ${k.withinTolerance.slice(0, 8).join(', ')}${k.withinTolerance.length > 8 ? ', …' : ''}`);
    if (k.addedMetrics.length > 0) out.push(`${k.id}: ${k.addedMetrics.length} new metric(s), not compared: ${k.addedMetrics.slice(0, 8).join(', ')}${k.addedMetrics.length > 8 ? ', …' : ''}`);
  }
  const compared = c.cases.filter((k) => !k.added && !k.missing).length;
  if (c.failed && failing.length === 0) {
    out.push(`bench:ci: FAILED — none of the ${c.cases.length} case${c.cases.length === 1 ? '' : 's'} run is in ${where}: nothing was compared. If the suite is new: npm run bench:ci -- --update`);
    return out.join('\n');
  }
  out.push(
    failing.length === 0
      ? `bench:ci: OK — ${compared} case${compared === 1 ? '' : 's'} match ${where}`
      : `bench:ci: FAILED — ${failing.length} of ${c.cases.length} case${c.cases.length === 1 ? '' : 's'} differ from ${where}. If the change is intended: npm run bench:ci -- --update`,
  );
  return out.join('\n');
}

/** Wall time per case against the baseline's: informational only. */
export function formatWallTimes(c: Comparison): string {
  const rows = c.cases.map((k) => {
    const { old, now } = k.wallSeconds;
    return [k.id, old === null ? '—' : `${old.toFixed(2)} s`, now === null ? '—' : `${now.toFixed(2)} s`, old && now ? `×${(now / old).toFixed(2)}` : '—'];
  });
  return table(['case', 'baseline wall', 'wall', 'ratio'], rows, '').join('\n') + '\n(wall times are reported, never compared: machines and load differ)';
}
