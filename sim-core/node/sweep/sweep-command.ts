import { comparisonTrace } from '../compare/outputs.ts';
import { generatedBy } from '../cli/compare-command.ts';
import { EXIT_INTERRUPTED, onInterrupt } from '../cli/interrupt.ts';
import { defaultWorkers, workerPoolRunner } from '../jobs/pool.ts';
import { gitCommit, machineInfo } from '../machine.ts';
import { OutDirError } from '../out-dir.ts';
import { loadSweepPlan, type PlanOptions } from './load-plan.ts';
import { selectShard, sweepJobs, type Shard } from './plan.ts';
import { formatSweepText, prepareSweepOutDir, SweepOutputError, writeRunFile, writeSweepOutputs } from './outputs.ts';
import { SweepProgress } from './progress.ts';
import { buildSweepResult, runSweepJobs } from './sweep.ts';

export interface SweepOptions extends PlanOptions {
  strategies: string[];
  workers?: number;
  shard?: Shard;
  /** Undefined: a new folder results/sweep/<name>-<time>. */
  out?: string;
  /** Write into an --out that already holds a sweep (its old sweep files are removed first). */
  force?: boolean;
  quiet: boolean;
  allMetrics: boolean;
}

/** Exit 0 done, 1 a run ended early, 2 bad scenario / options / --out, 130 interrupted (finished runs and a partial sweep.json kept). */
export async function sweepCommand(file: string, opts: SweepOptions): Promise<number> {
  const plan = loadSweepPlan(file, opts);
  if ('error' in plan) {
    console.error(plan.error);
    return 2;
  }
  const { base, strategies } = plan;
  const all = sweepJobs(plan);
  const shard = opts.shard ?? null;
  const jobs = selectShard(all, shard);
  let out: string;
  try {
    out = prepareSweepOutDir(opts.out, opts.force === true, base.name);
  } catch (e) {
    if (e instanceof OutDirError || e instanceof SweepOutputError) {
      console.error(`peermap sweep: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const workers = Math.max(1, Math.min(opts.workers ?? defaultWorkers(), jobs.length));
  const log = opts.quiet ? () => {} : (s: string) => console.log(s);
  const variants = plan.vary.length > 0 ? `${plan.variants.length} variants (${plan.vary.map((v) => v.path).join(' × ')}); ` : '';
  log(
    `peermap sweep ${base.name}: ${variants}strategies ${strategies.join(', ')}; seeds ${plan.seeds.join(', ')}; ` +
      `${base.peers.count} peers, ${base.durationS} simulated s; ` +
      (shard ? `shard ${shard.index}/${shard.count}: ${jobs.length} of ${all.length} jobs` : `${all.length} job${all.length === 1 ? '' : 's'}`) +
      ` on ${workers} worker${workers === 1 ? '' : 's'}`,
  );
  const progress = new SweepProgress(opts.quiet, jobs.length, workers);
  const perJobLines = !opts.quiet && !progress.enabled;
  const runner = workerPoolRunner({ workers });
  // Ctrl-C: no new jobs start, the pool's workers are terminated, finished runs are kept.
  const interrupt = onInterrupt(() => {
    progress.stop();
    void runner.close();
  });
  const startMs = performance.now();
  let done = 0;
  let runs;
  try {
    runs = await runSweepJobs(jobs, runner, shard, {
      onJobStart: (job) => progress.progress(job.index, 0),
      onJobProgress: (job, p) => progress.progress(job.index, p.totalS > 0 ? p.simS / p.totalS : 0),
      onJobDone: (job, run) => {
        // Written as each job ends, so an interrupted sweep keeps its finished runs.
        writeRunFile(out, run, job.file);
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
    interrupt.dispose();
  }
  const interrupted = interrupt.requested;
  const wallSeconds = (performance.now() - startMs) / 1000;
  const result = buildSweepResult(plan, runs, {
    generatedBy: generatedBy(),
    commit: gitCommit(),
    execution: { shard, mergedFrom: null, jobsRun: runs.length, ...(interrupted ? { interrupted: true } : {}), workers, wallSeconds, machine: machineInfo() },
  });
  const paths = writeSweepOutputs(out, result, runs);
  if (interrupted) {
    console.error(`interrupted (${interrupt.signal}): ${runs.length} of ${jobs.length} runs finished and kept; partial sweep: ${paths.json} (the same command with --force starts over)`);
    return EXIT_INTERRUPTED;
  }
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
    console.error(`${early.length} run${early.length === 1 ? '' : 's'} ended early (${early.map((r) => `${r.strategy} seed ${r.seed}${r.variant ? ` variant ${r.variant}` : ''}: ${r.endReason}`).join(', ')})`);
    return 1;
  }
  return 0;
}
