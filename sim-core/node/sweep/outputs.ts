import { lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { compareCsv, formatCompareTable, formatRunLines } from '../compare/outputs.ts';
import { writeFileAtomic, writeJsonAtomic } from '../files.ts';
import { prepareOutDir } from '../out-dir.ts';
import { buildReportHtml } from '../report/html.ts';
import { toCompareResult, type SweepResult, type SweepRunFile } from './sweep.ts';

export interface SweepPaths {
  json: string;
  /** Written only for a complete sweep (a shard's partial aggregate is in sweep.json only). */
  csv: string | null;
  html: string | null;
}

/** Bound on the entries of an old runs/ folder looked at when clearing it. */
const MAX_CLEAR_SCAN = 100_000;
const RUN_FILE = /^(v\d+-)?[a-z]+-seed\d+\.json$/;

/** A sweep output could not be written (exit 2); the message names the folder. */
export class SweepOutputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepOutputError';
  }
}

/**
 * Makes `out`/runs (`out` exists: prepareOutDir made it). Refuses a runs/
 * that is a link or a file, so nothing is written outside `out`, and one
 * holding run files unless `clear` (--force): then an earlier sweep's files
 * are removed first, so no stale run or aggregate stays next to the new ones.
 */
export function prepareRunsFolder(out: string, clear: boolean): void {
  const runs = join(out, 'runs');
  let st;
  try {
    st = lstatSync(runs);
  } catch {
    st = null;
  }
  if (st && !st.isDirectory()) throw new SweepOutputError(`--out ${out}: runs is ${st.isSymbolicLink() ? 'a link' : 'not a folder'}; refusing to write through it`);
  const old = st ? readdirSync(runs).slice(0, MAX_CLEAR_SCAN).filter((f) => RUN_FILE.test(f)) : [];
  if (clear) {
    for (const f of ['sweep.json', 'sweep.csv', 'report.html']) rmSync(join(out, f), { force: true });
    for (const f of old) rmSync(join(runs, f), { force: true });
  } else if (old.length > 0) {
    throw new SweepOutputError(`--out ${out}: already holds run files (runs/${old[0]}); use --force to overwrite or choose another folder`);
  }
  if (!st) mkdirSync(runs);
}

/** The file whose presence means a folder already holds a sweep (run files in runs/ are checked by prepareRunsFolder). */
export const SWEEP_MARKERS = ['sweep.json'];

/**
 * The folder a sweep or merge writes into, checked and made before anything
 * runs (prepareOutDir, then prepareRunsFolder); undefined `out`: a new
 * folder results/sweep/<name>-<time>. Throws OutDirError or SweepOutputError.
 */
export function prepareSweepOutDir(out: string | undefined, force: boolean, name: string): string {
  const dir = prepareOutDir({ out, force, defaultBase: 'results/sweep', name, markers: SWEEP_MARKERS });
  prepareRunsFolder(dir, force);
  return dir;
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

/** The end-of-sweep text: the aggregate table (complete sweeps) and one line per run. */
export function formatSweepText(result: SweepResult, runs: readonly SweepRunFile[], allMetrics: boolean): { table: string | null; runLines: string } {
  const c = toCompareResult(result, runs);
  return { table: result.complete ? formatCompareTable(c, allMetrics) : null, runLines: formatRunLines(c) };
}
