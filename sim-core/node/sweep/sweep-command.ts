import { comparisonTrace } from '../compare/outputs.ts';
import { generatedBy } from '../cli/compare-command.ts';
import { loadForStrategies } from '../compare/options.ts';
import { defaultWorkers, workerPoolRunner } from '../jobs/pool.ts';
import { gitCommit, machineInfo } from '../machine.ts';
import { selectShard, sweepJobs, type Shard, type SweepPlan } from './plan.ts';
import { formatSweepText, writeRunFile, writeSweepOutputs } from './outputs.ts';
import { SweepProgress } from './progress.ts';
import { buildSweepResult, runSweepJobs } from './sweep.ts';

export interface SweepOptions {
  strategies: string[];
  seeds?: number[];
  workers?: number;
  shard?: Shard;
  peers?: number;
  duration?: number;
  out: string;
  quiet: boolean;
  allMetrics: boolean;
}

export async function sweepCommand(file: string, opts: SweepOptions): Promise<number> {
  const loaded = loadForStrategies(file, opts);
  if (loaded === 2) return 2;
  const { base, strategies } = loaded;
  const plan: SweepPlan = { file, base, strategies, seeds: opts.seeds ?? [base.seed] };
  const all = sweepJobs(plan);
  const shard = opts.shard ?? null;
  const jobs = selectShard(all, shard);
  const workers = Math.max(1, Math.min(opts.workers ?? defaultWorkers(), jobs.length));
  const log = opts.quiet ? () => {} : (s: string) => console.log(s);
  log(
    `peermap sweep ${base.name}: strategies ${strategies.join(', ')}; seeds ${plan.seeds.join(', ')}; ` +
      `${base.peers.count} peers, ${base.durationS} simulated s; ` +
      (shard ? `shard ${shard.index}/${shard.count}: ${jobs.length} of ${all.length} jobs` : `${all.length} job${all.length === 1 ? '' : 's'}`) +
      ` on ${workers} worker${workers === 1 ? '' : 's'}`,
  );
  const progress = new SweepProgress(opts.quiet, jobs.length, workers);
  const perJobLines = !opts.quiet && !progress.enabled;
  const runner = workerPoolRunner({ workers });
  const startMs = performance.now();
  let done = 0;
  let runs;
  try {
    runs = await runSweepJobs(jobs, runner, shard, {
      onJobStart: (job) => progress.progress(job.index, 0),
      onJobProgress: (job, p) => progress.progress(job.index, p.totalS > 0 ? p.simS / p.totalS : 0),
      onJobDone: (job, run) => {
        // Written as each job ends, so an interrupted sweep keeps its finished runs.
        writeRunFile(opts.out, run, job.file);
        progress.jobDone(job.index);
        done++;
        if (perJobLines) {
          console.log(`  [${done}/${jobs.length}] ${job.spec.label}: trace ${run.traceHash}, ${run.execution.wallSeconds.toFixed(2)} s wall (worker ${run.execution.worker})`);
        }
      },
    });
  } finally {
    progress.stop();
    await runner.close();
  }
  const wallSeconds = (performance.now() - startMs) / 1000;
  const result = buildSweepResult(plan, runs, {
    generatedBy: generatedBy(),
    commit: gitCommit(),
    execution: { shard, mergedFrom: null, jobsRun: runs.length, workers, wallSeconds, machine: machineInfo() },
  });
  const paths = writeSweepOutputs(opts.out, result, runs);
  const text = formatSweepText(result, runs, opts.allMetrics);
  if (!opts.quiet && text.table) {
    console.log('');
    console.log(text.table);
    console.log('');
  }
  console.log(text.runLines);
  // The fingerprint of the runs in job order: a complete sweep prints the same as `peermap compare` on the same jobs.
  console.log(`trace: ${comparisonTrace({ strategies: { all: { runs: [...runs].sort((a, b) => a.job - b.job) } } })}`);
  console.log(`sweep: ${paths.json}  (${runs.length} runs in ${wallSeconds.toFixed(2)} s wall on ${workers} worker${workers === 1 ? '' : 's'})`);
  if (paths.csv) console.log(`csv: ${paths.csv}`);
  if (paths.html) console.log(`report: ${paths.html}`);
  if (shard) console.log(`shard ${shard.index}/${shard.count}: combine the shards with  peermap merge DIR... --out DIR`);
  const early = runs.filter((r) => r.endReason !== 'completed');
  if (early.length > 0) {
    console.error(`${early.length} run${early.length === 1 ? '' : 's'} ended early (${early.map((r) => `${r.strategy} seed ${r.seed}: ${r.endReason}`).join(', ')})`);
    return 1;
  }
  return 0;
}
