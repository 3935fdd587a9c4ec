/**
 * `peermap merge`: combines the outputs of `peermap sweep --shard i/n` (or
 * any sweeps of the same plan) into the sweep.json the unsharded sweep would
 * have written. Runs are checked against the plan (job index, strategy,
 * seed and the hash of the resolved scenario), duplicates must agree, and
 * every job must be present.
 */
import { configHash, sweepJobs, type SweepJob } from './plan.ts';
import { SweepInputError, type SweepInput } from './inputs.ts';
import { buildSweepResult, planOf, type SweepResult, type SweepRunFile } from './sweep.ts';

const label = (j: SweepJob) => j.spec.label;

/** What must be equal for two outputs to belong to one sweep. */
function planKey(r: SweepResult): Record<string, string> {
  return {
    scenario: JSON.stringify(r.scenario),
    strategies: JSON.stringify(r.strategies),
    seeds: JSON.stringify(r.seeds),
    vary: JSON.stringify(r.vary ?? null),
    variants: JSON.stringify(r.variants ?? null),
    jobs: String(r.jobs),
    commit: r.commit,
    generatedBy: r.generatedBy,
  };
}

export function mergeSweeps(inputs: readonly SweepInput[]): { result: SweepResult; runs: SweepRunFile[] } {
  if (inputs.length === 0) throw new SweepInputError('merge needs at least one sweep folder');
  const first = inputs[0];
  const key = planKey(first.result);
  for (const input of inputs.slice(1)) {
    const k = planKey(input.result);
    for (const field of Object.keys(key)) {
      if (k[field] !== key[field]) {
        const show = (v: string) => (v.length > 80 ? `${v.slice(0, 77)}...` : v);
        throw new SweepInputError(`${input.dir}: ${field} differs from ${first.dir}'s (${show(k[field])} vs ${show(key[field])}); merge only shards of one sweep, run by one commit`);
      }
    }
  }
  const plan = planOf(first.result);
  const jobs = sweepJobs(plan);
  const byJob = new Map<number, { run: SweepRunFile; dir: string }>();
  for (const input of inputs) {
    for (const run of input.runs) {
      const job = jobs[run.job];
      const where = `${input.dir}: run ${job ? label(job) : `${run.strategy} seed ${run.seed}`}`;
      if (!job || job.strategy !== run.strategy || job.seed !== run.seed || job.variant !== (run.variant ?? null)) throw new SweepInputError(`${where} is not job ${run.job} of the plan`);
      if (run.configHash !== configHash(job.spec.scenario)) throw new SweepInputError(`${where} ran a different scenario (config hash ${run.configHash}, plan's ${configHash(job.spec.scenario)})`);
      const seen = byJob.get(run.job);
      if (seen && seen.run.traceHash !== run.traceHash) {
        throw new SweepInputError(`${where} has trace ${run.traceHash} but ${seen.dir} has ${seen.run.traceHash} for the same job: the runs are not deterministic, or the folders come from different code`);
      }
      if (!seen) byJob.set(run.job, { run, dir: input.dir });
    }
  }
  const missing = jobs.filter((j) => !byJob.has(j.index));
  if (missing.length > 0) {
    const counts = [...new Set(inputs.map((i) => i.result.execution?.shard?.count).filter((c) => c !== undefined))];
    const shardNote = counts.length === 1 ? ` (shards ${[...new Set(missing.map((j) => (j.index % counts[0]!) + 1))].map((s) => `${s}/${counts[0]}`).join(', ')} missing or incomplete?)` : '';
    const shown = missing.slice(0, 10).map(label).join(', ');
    throw new SweepInputError(`${missing.length} of ${jobs.length} jobs have no run: ${shown}${missing.length > 10 ? ', ...' : ''}${shardNote}`);
  }
  const runs = jobs.map((j) => byJob.get(j.index)!.run);
  const result = buildSweepResult(plan, runs, {
    generatedBy: first.result.generatedBy,
    commit: first.result.commit,
    execution: {
      shard: null,
      mergedFrom: inputs.map((i) => ({
        dir: i.dir,
        shard: i.result.execution?.shard ?? null,
        workers: i.result.execution?.workers ?? null,
        wallSeconds: i.result.execution?.wallSeconds ?? null,
        machine: i.result.execution?.machine ?? null,
      })),
      jobsRun: runs.length,
      workers: null,
      wallSeconds: null,
      machine: null,
    },
  });
  return { result, runs };
}
