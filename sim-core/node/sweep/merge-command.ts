import { resolve } from 'node:path';
import { OutDirError } from '../out-dir.ts';
import { MAX_INPUT_TOTAL_BYTES, readSweepDir, SweepInputError } from './inputs.ts';
import { mergeSweeps } from './merge.ts';
import { formatSweepText, prepareSweepOutDir, SweepOutputError, writeRunFile, writeSweepOutputs } from './outputs.ts';
import { sweepJobs } from './plan.ts';
import { planOf } from './sweep.ts';

export interface MergeOptions {
  /** Undefined: a new folder results/sweep/<name>-merged-<time>. */
  out?: string;
  force?: boolean;
  quiet: boolean;
  allMetrics: boolean;
}

/** Bound on the folders one merge reads (as many as shards). */
export const MAX_MERGE_DIRS = 10_000;

/** Exit 0 merged, 1 some run ended early, 2 the folders do not make one complete sweep (or --out is unusable). */
export async function mergeCommand(dirs: string[], opts: MergeOptions): Promise<number> {
  let merged;
  let out: string;
  try {
    if (dirs.length > MAX_MERGE_DIRS) throw new SweepInputError(`${dirs.length} folders; merge reads at most ${MAX_MERGE_DIRS}`);
    if (opts.out !== undefined && dirs.some((d) => resolve(d) === resolve(opts.out!))) {
      throw new SweepInputError(`--out ${opts.out} is one of the folders being merged; choose another folder`);
    }
    const budget = { bytesLeft: MAX_INPUT_TOTAL_BYTES };
    merged = mergeSweeps(dirs.map((d) => readSweepDir(d, budget)));
    out = prepareSweepOutDir(opts.out, opts.force === true, `${merged.result.scenario.name}-merged`);
  } catch (e) {
    if (e instanceof SweepInputError || e instanceof OutDirError || e instanceof SweepOutputError) {
      console.error(`peermap merge: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const { result, runs } = merged;
  // File names come from the plan (strategy from the known set, integer seed and variant), never from the inputs.
  const jobs = sweepJobs(planOf(result));
  for (const run of runs) writeRunFile(out, run, jobs[run.job].file);
  const paths = writeSweepOutputs(out, result, runs);
  const text = formatSweepText(result, runs, opts.allMetrics);
  if (!opts.quiet && text.table) {
    console.log(`peermap merge: ${dirs.length} folder${dirs.length === 1 ? '' : 's'}, ${runs.length} runs of ${result.scenario.name}`);
    console.log('');
    console.log(text.table);
    console.log('');
  }
  console.log(text.runLines);
  console.log(`sweep: ${paths.json}`);
  if (paths.csv) console.log(`csv: ${paths.csv}`);
  if (paths.html) console.log(`report: ${paths.html}`);
  return runs.some((r) => r.endReason !== 'completed') ? 1 : 0;
}
