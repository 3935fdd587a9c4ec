import { formatSweepText, readSweepDir, SweepInputError, writeRunFile, writeSweepOutputs } from './outputs.ts';
import { mergeSweeps } from './merge.ts';
import { runFileName } from './plan.ts';

export interface MergeOptions {
  out: string;
  quiet: boolean;
  allMetrics: boolean;
}

/** Exit 0 merged, 1 some run ended early, 2 the folders do not make one complete sweep. */
export async function mergeCommand(dirs: string[], opts: MergeOptions): Promise<number> {
  let merged;
  try {
    merged = mergeSweeps(dirs.map(readSweepDir));
  } catch (e) {
    if (e instanceof SweepInputError) {
      console.error(`peermap merge: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const { result, runs } = merged;
  for (const run of runs) writeRunFile(opts.out, run, runFileName(run.strategy, run.seed));
  const paths = writeSweepOutputs(opts.out, result, runs);
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
