import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareCsv, formatCompareTable, formatRunLines } from '../compare/outputs.ts';
import { writeFileAtomic, writeJsonAtomic } from '../files.ts';
import { buildReportHtml } from '../report/html.ts';
import { RUN_FORMAT, SWEEP_FORMAT, toCompareResult, type SweepResult, type SweepRunFile } from './sweep.ts';

export interface SweepPaths {
  json: string;
  /** Written only for a complete sweep (a shard's partial aggregate is in sweep.json only). */
  csv: string | null;
  html: string | null;
}

/** A problem with a sweep folder given to merge (exit 2). */
export class SweepInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepInputError';
  }
}

export function writeRunFile(dir: string, run: SweepRunFile, file: string): void {
  writeJsonAtomic(join(dir, file), run);
}

/** sweep.json, and for a complete sweep sweep.csv (compare.csv's columns) and report.html; each atomically. */
export function writeSweepOutputs(dir: string, result: SweepResult, runs: readonly SweepRunFile[]): SweepPaths {
  const paths: SweepPaths = { json: join(dir, 'sweep.json'), csv: null, html: null };
  writeJsonAtomic(paths.json, result);
  if (result.complete) {
    const c = toCompareResult(result, runs);
    paths.csv = join(dir, 'sweep.csv');
    paths.html = join(dir, 'report.html');
    writeFileAtomic(paths.csv, compareCsv(c));
    writeFileAtomic(paths.html, buildReportHtml(c));
  }
  return paths;
}

function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw new SweepInputError(`${path}: no ${what} here`);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new SweepInputError(`${path}: not a readable ${what} (${(e as Error).message})`);
  }
}

/** A sweep folder: its sweep.json and the run files it lists. */
export function readSweepDir(dir: string): { dir: string; result: SweepResult; runs: SweepRunFile[] } {
  const result = readJson(join(dir, 'sweep.json'), 'sweep.json') as SweepResult;
  if (result?.format !== SWEEP_FORMAT) throw new SweepInputError(`${join(dir, 'sweep.json')}: format is ${JSON.stringify(result?.format)}; expected "${SWEEP_FORMAT}"`);
  const runs: SweepRunFile[] = [];
  for (const res of Object.values(result.results)) {
    for (const r of res.runs) {
      const path = join(dir, r.file);
      const run = readJson(path, 'run file') as SweepRunFile;
      if (run?.format !== RUN_FORMAT) throw new SweepInputError(`${path}: format is ${JSON.stringify(run?.format)}; expected "${RUN_FORMAT}"`);
      if (run.job !== r.job || run.traceHash !== r.traceHash) throw new SweepInputError(`${path}: does not match sweep.json (job ${run.job} trace ${run.traceHash}; listed as job ${r.job} trace ${r.traceHash})`);
      runs.push(run);
    }
  }
  return { dir, result, runs };
}

/** The end-of-sweep text: the aggregate table (complete sweeps) and one line per run. */
export function formatSweepText(result: SweepResult, runs: readonly SweepRunFile[], allMetrics: boolean): { table: string | null; runLines: string } {
  const c = toCompareResult(result, runs);
  return { table: result.complete ? formatCompareTable(c, allMetrics) : null, runLines: formatRunLines(c) };
}
