import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { keyMetricRows, textTable } from '../../metrics/aggregate-table.ts';
import { writeFileAtomic, writeJsonAtomic } from '../files.ts';
import { buildReportHtml } from '../report/html.ts';
import type { CompareResult } from './compare.ts';

export const CSV_HEADER = ['strategy', 'metric', 'mean', 'ci95', 'min', 'max', 'n'] as const;

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** compare.csv: one row per strategy × scalar metric, strategies in command-line order, metrics by path. */
export function compareCsv(c: CompareResult): string {
  const lines = [CSV_HEADER.join(',')];
  for (const [strategy, { aggregate }] of Object.entries(c.strategies)) {
    for (const [metric, s] of Object.entries(aggregate.metrics)) {
      const row = [strategy, metric, String(s.mean), s.ci95 === null ? '' : String(s.ci95), String(s.min), String(s.max), String(s.n)];
      lines.push(row.map(csvField).join(','));
    }
  }
  return lines.join('\n') + '\n';
}

export interface ComparePaths {
  json: string;
  csv: string;
  html: string;
}

/** Writes compare.json, compare.csv and report.html into `dir`, each atomically. */
export function writeCompareOutputs(dir: string, c: CompareResult): ComparePaths {
  const paths = { json: join(dir, 'compare.json'), csv: join(dir, 'compare.csv'), html: join(dir, 'report.html') };
  writeJsonAtomic(paths.json, c);
  writeFileAtomic(paths.csv, compareCsv(c));
  writeFileAtomic(paths.html, buildReportHtml(c));
  return paths;
}

/** The end-of-comparison table: key metrics as rows, strategies as columns, cells `mean ± ci`. */
export function formatCompareTable(c: CompareResult, all = false): string {
  const strategies = Object.keys(c.strategies);
  const aggregates = Object.fromEntries(strategies.map((s) => [s, c.strategies[s].aggregate]));
  const rows = keyMetricRows(aggregates, { all }).map((r) => [r.label, ...strategies.map((s) => r.cells[s]?.text ?? '—')]);
  return textTable([`metric (mean ± 95% CI, n = ${c.seeds.length})`, ...strategies], rows);
}

/** One line per run: strategy, seed, trace hash, wall time; the replay command is `peermap run` with that seed. */
export function formatRunLines(c: CompareResult): string {
  const runs = Object.entries(c.strategies).flatMap(([strategy, s]) => s.runs.map((r) => ({ strategy, r })));
  const early = runs.some(({ r }) => r.endReason !== 'completed');
  const rows = runs.map(({ strategy, r }) => {
    const row = [strategy, String(r.seed), r.traceHash, `${r.wallSeconds.toFixed(2)} s`];
    return early ? [...row, r.endReason] : row;
  });
  return textTable(['strategy', 'seed', 'trace', 'wall', ...(early ? ['end'] : [])], rows);
}

/** One fingerprint of a whole comparison: SHA-256 over its runs' trace hashes in job order (strategy-major, seeds as given). */
export function comparisonTrace(result: { strategies: Record<string, { runs: { traceHash: string }[] }> }): string {
  const hashes = Object.values(result.strategies).flatMap((s) => s.runs.map((r) => r.traceHash));
  return createHash('sha256').update(hashes.join(',')).digest('hex').slice(0, 16);
}
