import { parseExportTimes } from '../../scenario/graph-export.ts';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { ScenarioError } from '../../scenario/errors.ts';
import { parseSeeds, parseStrategyList } from '../compare/options.ts';
import { compareCommand, DEFAULT_STRATEGIES } from './compare-command.ts';
import { workerPoolRunner } from '../jobs/pool.ts';
import { mergeCommand } from '../sweep/merge-command.ts';
import { parseShard } from '../sweep/plan.ts';
import { sweepCommand } from '../sweep/sweep-command.ts';
import { collectVary } from '../sweep/vary.ts';
import { runCommand } from './run-command.ts';
import { validateCommand } from './validate-command.ts';
import { OutDirError } from '../out-dir.ts';
import { collectSet } from './sets.ts';
import { versionText } from './version.ts';
import { addLiveCommands } from '../live/cli.ts';
import { STRATEGIES } from '../../protocols/strategies.ts';

/** Strategy names for help texts, from the registry (so a registered strategy shows up without editing the CLI). */
const STRATEGY_NAMES = STRATEGIES.join(', ');

/** Exit codes: 0 success, 1 failure during a run, 2 bad usage, invalid scenario or unusable --out; 130 interrupted (SIGINT/SIGTERM). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function parseIntArg(name: string) {
  return (v: string): number => {
    if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`${name} must be an integer, got "${v}"`);
    return Number(v);
  };
}

/** `--export-graph-at 300,600`: seconds, checked (usage error, exit 2, otherwise). */
function parseExportTimesArg(v: string): number[] {
  try {
    return parseExportTimes(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

export function parseNumberArg(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a number, got "${v}"`);
    return n;
  };
}

/** --record-every / --keyframe-every: simulated seconds, > 0. */
function parseRecordSeconds(name: string) {
  return (v: string): number => {
    const n = parseNumberArg(name)(v);
    if (!(n >= 0.001 && n <= 86_400)) throw new InvalidArgumentError(`${name} must be in 0.001..86400 seconds, got ${n}`);
    return n;
  };
}

const RECORD_HELP = 'also write a replay file for the dashboard (peer and link changes, faults, samples, keyframes; gzip\'d NDJSON)';
const RECORD_EVERY_HELP = 'with --record: simulated seconds between captures (time resolution of peer and link changes; default 1)';
const KEYFRAME_EVERY_HELP = 'with --record: simulated seconds between keyframes of the full topology (seek cost; default 60)';

function parseStrategyName(v: string): string {
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(v.trim())) throw new InvalidArgumentError(`--strategy must be a strategy name such as globalmap or kademlia, got "${v}"`);
  return v.trim();
}

const SET_HELP = 'override a scenario field before validation, e.g. --set protocol.globalmap.ttl=4 (value is YAML; repeatable)';
const FORCE_HELP = 'write into --out even if it already holds results (they are replaced)';

function parseWorkers(v: string): number {
  const n = parseIntArg('--workers')(v);
  if (n < 1 || n > 1024) throw new InvalidArgumentError(`--workers must be in 1..1024, got ${n}`);
  return n;
}

export function buildProgram(): Command {
  const program = new Command()
    .name('peermap')
    .description('Deterministic discrete-event simulator for peer-to-peer overlays.')
    .showHelpAfterError('(run with --help for usage)')
    .version(versionText(), '-V, --version', 'print the version (and git commit) and exit')
    .exitOverride();

  program
    .command('run')
    .description('Run one scenario and write DIR/summary.json')
    .argument('<file>', 'scenario file (YAML)')
    .option('--seed <n>', 'master seed (overrides the file)', parseIntArg('--seed'))
    .option('--peers <n>', 'number of peers (overrides peers.count)', parseIntArg('--peers'))
    .option('--duration <seconds>', 'simulated seconds (overrides durationS)', parseNumberArg('--duration'))
    .option('--strategy <name>', `protocol.strategy (overrides the file): ${STRATEGY_NAMES}`, parseStrategyName)
    .option('--set <path=value>', SET_HELP, collectSet)
    .option('--out <dir>', 'output folder (default: a new folder results/runs/<scenario>-<yyyymmdd-hhmmss>)')
    .option('--force', FORCE_HELP, false)
    .option('--quiet', 'no progress bar and only the final lines', false)
    .option('--export-graph', 'also write the final overlay as GraphML: DIR/graph-end.graphml', false)
    .option('--export-graph-at <times>', 'also write the overlay at these simulated times, seconds (e.g. 300,600): DIR/graph-<t>s.graphml', parseExportTimesArg)
    .option('--record', `${RECORD_HELP}: DIR/replay.ndjson.gz`, false)
    .option('--record-every <seconds>', RECORD_EVERY_HELP, parseRecordSeconds('--record-every'))
    .option('--keyframe-every <seconds>', KEYFRAME_EVERY_HELP, parseRecordSeconds('--keyframe-every'))
    .action(async (file: string, opts) => {
      process.exitCode = await runCommand(file, opts);
    });

  program
    .command('compare')
    .description('Run a scenario for each strategy × seed; write DIR/compare.json, compare.csv and report.html')
    .argument('<file>', 'scenario file (YAML); only protocol.strategy and the seed vary between runs')
    .addOption(
      new Option('--strategies <list>', `comma-separated: ${STRATEGY_NAMES}`)
        .argParser(parseStrategyList)
        .default(parseStrategyList(DEFAULT_STRATEGIES), DEFAULT_STRATEGIES),
    )
    .option('--seeds <list>', "seeds, e.g. 1..5 or 1,2,7 (default: the file's seed)", parseSeeds)
    .option('--peers <n>', 'number of peers (overrides peers.count)', parseIntArg('--peers'))
    .option('--duration <seconds>', 'simulated seconds (overrides durationS)', parseNumberArg('--duration'))
    .option('--set <path=value>', SET_HELP, collectSet)
    .option('--vary <path=v1,v2,...>', 'also compare values of a scenario field, each combination a column beside the strategies, e.g. --vary protocol.globalmap.security=seed,signed (as sweep --vary; repeatable)', collectVary, [])
    .option('--out <dir>', 'output folder (default: a new folder results/compare/<scenario>-<yyyymmdd-hhmmss>)')
    .option('--force', FORCE_HELP, false)
    .option('--quiet', 'no progress bar, no tables; only the run lines and file paths', false)
    .option('--all-metrics', 'list every aggregated metric in the terminal table, not just the key ones', false)
    .option('--workers <n>', 'run jobs on a pool of n worker threads (default: one at a time in this process)', parseWorkers)
    .option('--record', `${RECORD_HELP}: one per run, DIR/replay-<strategy>-seed<N>.ndjson.gz`, false)
    .option('--record-every <seconds>', RECORD_EVERY_HELP, parseRecordSeconds('--record-every'))
    .option('--keyframe-every <seconds>', KEYFRAME_EVERY_HELP, parseRecordSeconds('--keyframe-every'))
    .action(async (file: string, opts) => {
      process.exitCode = await compareCommand(file, opts, opts.workers ? workerPoolRunner({ workers: opts.workers }) : undefined);
    });

  program
    .command('sweep')
    .description('Run strategies × seeds in parallel on worker threads; write DIR/runs/<strategy>-seed<N>.json and DIR/sweep.json (mean ± 95% CI)')
    .argument('<file>', 'scenario file (YAML); only protocol.strategy and the seed vary between runs')
    .addOption(
      new Option('--strategies <list>', `comma-separated: ${STRATEGY_NAMES}`)
        .argParser(parseStrategyList)
        .default(parseStrategyList(DEFAULT_STRATEGIES), DEFAULT_STRATEGIES),
    )
    .option('--seeds <list>', "seeds, e.g. 1..20 or 1,2,7 (default: the file's seed)", parseSeeds)
    .option('--workers <n>', 'worker threads (default: available CPUs, at most one per job)', parseWorkers)
    .option('--shard <i/n>', 'run only shard i of n: job j (by --vary value, then strategy, then seed) goes to shard (j mod n) + 1; combine with `peermap merge`', parseShard)
    .option('--peers <n>', 'number of peers (overrides peers.count)', parseIntArg('--peers'))
    .option('--duration <seconds>', 'simulated seconds (overrides durationS)', parseNumberArg('--duration'))
    .option('--set <path=value>', 'set a scenario field before validation, e.g. --set protocol.globalmap.ttl=4 (value is YAML; repeatable)', collectSet, [])
    .option('--vary <path=v1,v2,...>', 'run every strategy × seed once per value, e.g. --vary protocol.globalmap.ttl=2,4,8 (values split on commas outside [], {} and quotes; repeatable: every combination)', collectVary, [])
    .option('--out <dir>', 'output folder (default: a new folder results/sweep/<name>-<time>)')
    .option('--force', 'write into --out even if it already holds a sweep (its old sweep files are removed first)', false)
    .option('--quiet', 'no progress bar, no tables; only the run lines and file paths', false)
    .option('--all-metrics', 'list every aggregated metric in the terminal table, not just the key ones', false)
    .action(async (file: string, opts) => {
      process.exitCode = await sweepCommand(file, opts);
    });

  program
    .command('merge')
    .description('Combine sweep folders (e.g. the shards of `peermap sweep --shard i/n`) into one sweep, as if run unsharded')
    .argument('<dirs...>', 'sweep output folders')
    .option('--out <dir>', 'output folder (default: a new folder results/sweep/<name>-merged-<time>)')
    .option('--force', 'write into --out even if it already holds a sweep', false)
    .option('--quiet', 'no tables; only the run lines and file paths', false)
    .option('--all-metrics', 'list every aggregated metric in the terminal table, not just the key ones', false)
    .action(async (dirs: string[], opts) => {
      process.exitCode = await mergeCommand(dirs, opts);
    });

  program
    .command('validate')
    .description('Check a scenario file; exit 0 if valid, 2 with the field-named errors otherwise')
    .argument('<file>', 'scenario file (YAML)')
    .action((file: string) => {
      process.exitCode = validateCommand(file);
    });

  addLiveCommands(program, parseIntArg, parseNumberArg);
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  process.exitCode = EXIT_OK;
  try {
    await program.parseAsync(argv);
    return Number(process.exitCode ?? EXIT_OK);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    if (e instanceof ScenarioError || e instanceof OutDirError) {
      console.error(e.message);
      return EXIT_USAGE;
    }
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    return EXIT_FAILURE;
  }
}
