/**
 * `npm run bench:alloc`: what a run allocates, and where. The run is
 * `peermap run` in this process under V8's sampling heap profiler, with the
 * objects every GC collected kept in, so the table is the allocation rate by
 * site (a function and its caller), not what is live at the end. Its own
 * files go to a temporary folder.
 *
 *   npm run bench:alloc -- [--top 30] [--interval-bytes 8192] [--save NAME] -- run SCENARIO [peermap run flags]
 *
 * Allocation is what the young generation's collections and the cache
 * misses of fresh memory cost; it moves little from run to run (same trace,
 * same work), so a change that allocates less shows here when wall time is
 * within a busy host's noise. A measurement, not a test.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { main as peermap } from '../../sim-core/node/cli/main.ts';
import { writeJsonAtomic } from '../../sim-core/node/files.ts';
import { gitCommit, machineInfo } from '../../sim-core/node/machine.ts';
import { runArgsProblem, saveNameProblem } from '../run-args.ts';
import { allocTable, formatAllocTable, type HeapNode } from './alloc-sites.ts';

const SAVED_ROWS = 60;

function usage(message: string): never {
  console.error(`bench:alloc: ${message}`);
  console.error('usage: npm run bench:alloc -- [--top 30] [--interval-bytes 8192] [--save NAME] -- run SCENARIO [flags]');
  process.exit(2);
}

function options(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { top: { type: 'string', default: '30' }, 'interval-bytes': { type: 'string', default: '8192' }, save: { type: 'string' } },
  });
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1 || top > 1000) usage(`--top: an integer in [1, 1000], got "${values.top}"`);
  const intervalBytes = Number(values['interval-bytes']);
  if (!Number.isInteger(intervalBytes) || intervalBytes < 64 || intervalBytes > 1 << 24) usage(`--interval-bytes: an integer in [64, 16777216], got "${values['interval-bytes']}"`);
  const problem = saveNameProblem(values.save) ?? runArgsProblem(positionals, 'bench:alloc');
  if (problem !== undefined) usage(problem);
  return { top, intervalBytes, save: values.save, runArgs: positionals };
}

async function run(): Promise<void> {
  const o = options(process.argv.slice(2));
  const tmp = mkdtempSync(join(tmpdir(), 'peermap-alloc-'));
  const session = new Session();
  session.connect();
  try {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', { samplingInterval: o.intervalBytes, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
    const status = await peermap(['node', 'peermap', ...o.runArgs, '--out', join(tmp, 'run'), '--force']);
    const { profile } = await session.post('HeapProfiler.stopSampling');
    if (status !== 0) {
      console.error(`bench:alloc: peermap run exited with ${status}`);
      process.exitCode = status;
      return;
    }
    const table = allocTable(profile.head as unknown as HeapNode);
    console.log(`\n${formatAllocTable(table, o.top)}`);
    if (!o.save) return;
    const summaryFile = join(tmp, 'run', 'summary.json');
    const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : {};
    const out = resolve(`results/alloc-${o.save}.json`);
    writeJsonAtomic(out, {
      bench: 'alloc',
      commit: gitCommit(),
      machine: machineInfo(),
      args: { run: o.runArgs, intervalBytes: o.intervalBytes },
      seed: summary.seed,
      traceHash: summary.traceHash,
      eventsProcessed: summary.eventsProcessed,
      method: 'V8 sampling heap profiler (HeapProfiler.startSampling, objects collected by minor and major GCs included): bytes allocated per site',
      allocatedBytes: table.totalBytes,
      rows: table.rows.slice(0, SAVED_ROWS),
    });
    console.log(`saved ${out}`);
  } finally {
    session.disconnect();
    rmSync(tmp, { recursive: true, force: true });
  }
}

await run();
