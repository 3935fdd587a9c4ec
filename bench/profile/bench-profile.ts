/**
 * `npm run bench:profile`: where a run's CPU time goes, by cause, by file and
 * by function (self and inclusive), from V8's sampling profiler. The run is
 * `peermap run` in a child process under `node --cpu-prof`, with the
 * arguments after `--`; its own files go to a temporary folder.
 *
 *   npm run bench:profile -- [--by cause,file,fn] [--top 25] [--interval-us 1000]
 *                            [--save NAME] [--keep DIR] -- run SCENARIO [peermap run flags]
 *   npm run bench:profile -- --from FILE.cpuprofile [--by …] [--top …]
 *
 * --save NAME writes results/profile-NAME.json (commit, machine, seed, trace
 * hash, the run's arguments and the tables); --keep DIR keeps the profile
 * (open it in Chrome DevTools' Performance panel). A measurement, not a test:
 * the shares move a little from run to run, and sampling perturbs the run's
 * wall time by a few percent (the trace stays the same).
 */
import { runChild, tempFolder } from '../children/children.ts';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeJsonAtomic } from '../../sim-core/node/files.ts';
import { gitCommit, machineInfo } from '../../sim-core/node/machine.ts';
import { aggregate, formatTable, type Grouping } from './aggregate.ts';
import { parseCpuProfile, ProfileError, type CpuProfile } from './cpu-profile.ts';
import { runArgsProblem, saveNameProblem } from '../run-args.ts';

const GROUPINGS: readonly Grouping[] = ['cause', 'file', 'fn'];
/** Rows kept per table in a saved result. */
const SAVED_ROWS = 60;

interface Options {
  by: Grouping[];
  top: number;
  intervalUs: number;
  save?: string;
  keep?: string;
  from?: string;
  runArgs: string[];
}

function usage(message: string): never {
  console.error(`bench:profile: ${message}`);
  console.error('usage: npm run bench:profile -- [--by cause,file,fn] [--top 25] [--interval-us 1000] [--save NAME] [--keep DIR] -- run SCENARIO [flags]');
  console.error('       npm run bench:profile -- --from FILE.cpuprofile [--by …] [--top …]');
  process.exit(2);
}

function options(argv: string[]): Options {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      by: { type: 'string', default: GROUPINGS.join(',') },
      top: { type: 'string', default: '25' },
      'interval-us': { type: 'string', default: '1000' },
      save: { type: 'string' },
      keep: { type: 'string' },
      from: { type: 'string' },
    },
  });
  const by = values.by.split(',').map((s) => s.trim());
  for (const b of by) if (!GROUPINGS.includes(b as Grouping)) usage(`--by: "${b}" is not one of ${GROUPINGS.join(', ')}`);
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1 || top > 1000) usage(`--top: an integer in [1, 1000], got "${values.top}"`);
  const intervalUs = Number(values['interval-us']);
  if (!Number.isInteger(intervalUs) || intervalUs < 50 || intervalUs > 1_000_000) usage(`--interval-us: an integer in [50, 1000000], got "${values['interval-us']}"`);
  const problem = saveNameProblem(values.save) ?? (values.from === undefined ? runArgsProblem(positionals, 'bench:profile') : undefined);
  if (problem !== undefined) usage(problem);
  return { by: by as Grouping[], top, intervalUs, save: values.save, keep: values.keep, from: values.from, runArgs: positionals };
}

/** The profiled run itself failed (its own messages are above): exit with its status. */
class RunFailed extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Profiled {
  profile: CpuProfile;
  summary?: { seed?: number; traceHash?: string; wallSeconds?: number; eventsProcessed?: number };
}

/** Runs `peermap run …` under the profiler; the profile and the run's summary. */
async function profileRun(o: Options): Promise<Profiled> {
  const folder = tempFolder('peermap-profile-');
  const tmp = folder.path;
  try {
    const profDir = join(tmp, 'prof');
    const args = ['--cpu-prof', '--cpu-prof-dir', profDir, '--cpu-prof-interval', String(o.intervalUs), 'bin/peermap.mjs', ...o.runArgs, '--out', join(tmp, 'run'), '--force'];
    console.log(`profiling: node ${args.join(' ')}`);
    // Not spawnSync: a signal to this process must reach the run too (a tracked child gets it passed on).
    const r = await runChild(process.execPath, args, { stdio: 'inherit' });
    if (r.code !== 0) throw new RunFailed(r.code ?? 1, `peermap run exited with ${r.code ?? r.signal}; no profile`);
    // One file per thread (CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile; tsx's loader has a thread of its own): the run is thread 0.
    const files = existsSync(profDir) ? readdirSync(profDir).filter((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)) : [];
    if (files.length !== 1) throw new Error(`expected one main-thread profile in ${profDir}, found ${files.length}`);
    if (o.keep) cpSync(join(profDir, files[0]), resolve(o.keep, files[0]));
    const summaryFile = join(tmp, 'run', 'summary.json');
    const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : undefined;
    return { profile: parseCpuProfile(readFileSync(join(profDir, files[0]), 'utf8')), summary };
  } finally {
    folder.remove();
  }
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  let profiled: Profiled;
  try {
    profiled = o.from ? { profile: parseCpuProfile(readFileSync(o.from, 'utf8')) } : await profileRun(o);
  } catch (e) {
    if (e instanceof ProfileError) usage(`${o.from ?? 'the run\'s profile'}: ${e.message}`);
    if (!(e instanceof RunFailed)) throw e;
    console.error(`bench:profile: ${e.message}`);
    process.exit(e.status);
  }
  const tables = Object.fromEntries(o.by.map((b) => [b, aggregate(profiled.profile, b)]));
  for (const b of o.by) console.log(`\n${formatTable(tables[b], b, o.top)}`);
  if (!o.save) return;
  const out = resolve(`results/profile-${o.save}.json`);
  writeJsonAtomic(out, {
    bench: 'profile',
    commit: gitCommit(),
    machine: machineInfo(),
    loadAverage: loadavg(),
    args: o.from ? { from: o.from } : { run: o.runArgs, intervalUs: o.intervalUs },
    seed: profiled.summary?.seed,
    traceHash: profiled.summary?.traceHash,
    wallSeconds: profiled.summary?.wallSeconds,
    eventsProcessed: profiled.summary?.eventsProcessed,
    method: 'V8 sampling profiler (node --cpu-prof); self = time in the key’s own frames, total = with its callees, a sample counted once per key; causes: bench/profile/causes.ts',
    tables: Object.fromEntries(
      o.by.map((b) => [
        b,
        {
          sampledSeconds: tables[b].totalUs / 1e6,
          rows: tables[b].rows.slice(0, SAVED_ROWS).map((r) => ({ key: r.key, selfSeconds: r.selfUs / 1e6, totalSeconds: r.totalUs / 1e6, selfShare: tables[b].totalUs > 0 ? r.selfUs / tables[b].totalUs : 0 })),
        },
      ]),
    ),
  });
  console.log(`\nsaved: ${out}`);
}

await main();
