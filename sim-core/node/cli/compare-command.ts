import { createRequire } from 'node:module';
import { join } from 'node:path';
import { loadForStrategies } from '../compare/options.ts';
import { runComparison } from '../compare/compare.ts';
import { comparisonTrace, formatCompareTable, formatRunLines, writeCompareOutputs } from '../compare/outputs.ts';
import { CompareProgress } from '../compare/progress.ts';
import { inProcessRunner, type JobRunner } from '../jobs/jobs.ts';
import { gitCommit } from '../machine.ts';
import { prepareOutDir } from '../out-dir.ts';
import { EXIT_INTERRUPTED, onInterrupt } from './interrupt.ts';
import { recordOptions } from './run-command.ts';
import { loadSweepPlan } from '../sweep/load-plan.ts';
import type { VarySpec } from '../sweep/vary.ts';
import type { Variant } from '../sweep/vary.ts';

export const DEFAULT_STRATEGIES = 'globalmap,kademlia,random';
export const COMPARE_FOLDER = 'results/compare';

export interface CompareOptions {
  strategies: string[];
  /** Undefined: the scenario file's own seed. */
  seeds?: number[];
  peers?: number;
  duration?: number;
  set?: string[];
  /** --vary path=v1,v2 (as sweep): each combination is run for every strategy × seed and shown as its own column. */
  vary?: VarySpec[];
  /** Undefined: a new folder under results/compare/. */
  out?: string;
  force?: boolean;
  quiet: boolean;
  allMetrics: boolean;
  /** One replay file per run (see run --record). */
  record?: boolean;
  recordEvery?: number;
  keyframeEvery?: number;
}

/** "peermap <version>", from package.json. */
export function generatedBy(): string {
  try {
    const pkg = createRequire(import.meta.url)('../../../package.json') as { name?: string; version?: string };
    return `${pkg.name ?? 'peermap'} ${pkg.version ?? '?'}`;
  } catch {
    return 'peermap';
  }
}

export async function compareCommand(file: string, opts: CompareOptions, runner: JobRunner = inProcessRunner()): Promise<number> {
  const loaded = loadForStrategies(file, opts);
  if (loaded === 2) return 2;
  const { base, strategies } = loaded;
  const seeds = opts.seeds ?? [base.seed];
  let vary: { specs: VarySpec[]; variants: readonly Variant[] } | undefined;
  if (opts.vary && opts.vary.length > 0) {
    // Sweep's plan: each variant loaded and validated like the file, duplicates refused.
    const plan = loadSweepPlan(file, { ...opts, seeds });
    if ('error' in plan) {
      console.error(plan.error.replace(/^peermap sweep/, 'peermap compare'));
      return 2;
    }
    vary = { specs: opts.vary, variants: plan.variants };
  }
  const columns = vary ? vary.variants.length * strategies.length : strategies.length;
  const total = columns * seeds.length;
  // Before any run: a bad folder must not cost the comparison (OutDirError: exit 2 in main).
  const out = prepareOutDir({ out: opts.out, force: opts.force === true, defaultBase: COMPARE_FOLDER, name: base.name, markers: ['compare.json', 'compare.csv', 'report.html'], artifacts: /^replay-[\w.-]+-(v\d+-)?seed\d+\.ndjson\.gz$/ });
  const log = opts.quiet ? () => {} : (s: string) => console.log(s);
  log(
    `peermap compare ${base.name}: strategies ${strategies.join(', ')}; ` +
      `${vary ? `variants ${vary.variants.map((v) => `[${v.sets.join(', ')}]`).join(' ')}; ` : ''}seeds ${seeds.join(', ')}; ` +
      `${base.peers.count} peers, ${base.durationS} simulated s; ${total} run${total === 1 ? '' : 's'}; output ${out}`,
  );
  const progress = new CompareProgress(opts.quiet, total);
  // Without a bar (not a terminal) each finished run gets a line, so long comparisons show life in CI logs.
  const perJobLines = !opts.quiet && !progress.enabled;
  let finished = 0;
  // Ctrl-C: stop the bar, cancel the jobs (they stop at their next chunk) and write nothing: a part of a comparison compares nothing.
  const interrupt = onInterrupt(() => {
    progress.stop();
    void runner.close();
  });
  let result;
  try {
    result = await runComparison(
      { file, base, strategies, seeds, runner, ...(vary && { vary }), generatedBy: generatedBy(), commit: gitCommit(), ...(opts.record && { record: { dir: out, ...recordOptions(opts) } }) },
      {
        onJobStart: (_i, _n, spec) => progress.running(spec.label, 0),
        onJobProgress: (_i, _n, spec, p) => progress.running(spec.label, p.totalS > 0 ? p.simS / p.totalS : 0),
        onJobDone: (i, n, spec, r) => {
          finished++;
          progress.jobDone();
          if (perJobLines) console.log(`  [${i + 1}/${n}] ${spec.label}: trace ${r.traceHash}, ${r.wallSeconds.toFixed(2)} s wall`);
        },
      },
    );
  } catch (e) {
    if (!interrupt.requested) throw e;
  } finally {
    progress.stop();
    await runner.close();
    interrupt.dispose();
  }
  if (interrupt.requested || result === undefined) {
    console.error(`interrupted after ${finished} of ${total} runs; no comparison written to ${out}${opts.record ? ' (the finished runs\' replays are there)' : ''}`);
    return EXIT_INTERRUPTED;
  }
  const paths = writeCompareOutputs(out, result);
  if (!opts.quiet) {
    console.log('');
    console.log(formatCompareTable(result, opts.allMetrics));
    if (!opts.allMetrics) console.log(`(every metric: ${paths.csv}, or --all-metrics)`);
    console.log('');
  }
  console.log(formatRunLines(result));
  console.log(`trace: ${comparisonTrace(result)}`);
  console.log(`compare: ${paths.json}`);
  console.log(`csv: ${paths.csv}`);
  console.log(`report: ${paths.html}`);
  if (opts.record) console.log(`replays: ${join(out, vary ? 'replay-<strategy>-v<variant>-seed<N>.ndjson.gz' : 'replay-<strategy>-seed<N>.ndjson.gz')}`);
  const early = Object.values(result.strategies).flatMap((s) => s.runs.filter((r) => r.endReason !== 'completed'));
  if (early.length > 0) {
    console.error(`${early.length} run${early.length === 1 ? '' : 's'} ended early (${early.map((r) => `seed ${r.seed}: ${r.endReason}`).join(', ')})`);
    return 1;
  }
  return 0;
}
