/**
 * `npm run bench:split-bound`: how much one run could gain from splitting
 * its hosts over threads (conservative lookahead windows; see WindowTally).
 * The run is `peermap run` in this process with World's dispatch wrapped to
 * time each event and note its receiving host; the trace is unchanged.
 *
 *   npm run bench:split-bound -- [--window-us 20000] [--threads 2] [--save NAME] -- run SCENARIO [peermap run flags]
 *
 * --window-us must not exceed the smallest delay between two hosts (20 ms in
 * convergence-2500's latency model): within it, no event of one host can
 * cause an event of another. Hosts go to threads by host number modulo
 * --threads. A measurement, not a test: the per-event timing adds its own
 * noise, and the bound leaves out what a real split costs on top.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { main as peermap } from '../../sim-core/node/cli/main.ts';
import { writeJsonAtomic } from '../../sim-core/node/files.ts';
import { gitCommit, machineInfo } from '../../sim-core/node/machine.ts';
import { World } from '../../sim-core/net/world.ts';
import { EV_ACTION, EV_START, EV_TIMER } from '../../sim-core/net/event-kinds.ts';
import { runArgsProblem, saveNameProblem } from '../run-args.ts';
import { WindowTally } from './window-tally.ts';

/** Windows tallied at most (20 ms windows: 5.8 simulated hours). */
const MAX_WINDOWS = 1 << 20;

function usage(message: string): never {
  console.error(`bench:split-bound: ${message}`);
  console.error('usage: npm run bench:split-bound -- [--window-us 20000] [--threads 2] [--save NAME] -- run SCENARIO [flags]');
  process.exit(2);
}

function options(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'window-us': { type: 'string', default: '20000' }, threads: { type: 'string', default: '2' }, save: { type: 'string' } },
  });
  const windowUs = Number(values['window-us']);
  if (!Number.isInteger(windowUs) || windowUs < 1 || windowUs > 60_000_000) usage(`--window-us: an integer in [1, 60000000], got "${values['window-us']}"`);
  const threads = Number(values.threads);
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) usage(`--threads: an integer in [1, 64], got "${values.threads}"`);
  const problem = saveNameProblem(values.save) ?? runArgsProblem(positionals, 'bench:split-bound');
  if (problem !== undefined) usage(problem);
  return { windowUs, threads, save: values.save, runArgs: positionals };
}

/** The host an engine event is handled by (event-kinds.ts: a is the host of starts and timers, b the receiver of the rest), or -1 for scenario actions. */
function receiverOf(kind: number, a: number, b: number): number {
  if (kind === EV_START || kind === EV_TIMER) return a;
  return kind === EV_ACTION ? -1 : b;
}

type Dispatch = (this: World<unknown>, kind: number, a: number, b: number, c: number, d: number, payload: unknown) => void;

async function run(): Promise<void> {
  const o = options(process.argv.slice(2));
  const tally = new WindowTally(o.windowUs, o.threads, MAX_WINDOWS);
  const proto = World.prototype as unknown as { dispatch: Dispatch };
  const dispatch = proto.dispatch;
  proto.dispatch = function (kind, a, b, c, d, payload) {
    const t0 = performance.now();
    dispatch.call(this, kind, a, b, c, d, payload);
    tally.add(this.now, receiverOf(kind, a, b), performance.now() - t0);
  };
  const tmp = mkdtempSync(join(tmpdir(), 'peermap-split-'));
  try {
    const t0 = performance.now();
    const status = await peermap(['node', 'peermap', ...o.runArgs, '--out', join(tmp, 'run'), '--force']);
    const wallMs = performance.now() - t0;
    if (status !== 0) {
      console.error(`bench:split-bound: peermap run exited with ${status}`);
      process.exitCode = status;
      return;
    }
    const inEventsMs = tally.eventsMs;
    const s = tally.summary(Math.max(0, wallMs - inEventsMs));
    console.log(
      `\n${o.threads} threads, ${o.windowUs} µs windows (${s.windows}): run ${(wallMs / 1000).toFixed(1)} s, in events ${(inEventsMs / 1000).toFixed(1)} s, ` +
        `serial ${(s.serialMs / 1000).toFixed(1)} s; by thread ${s.byPartitionMs.map((m) => (m / 1000).toFixed(1)).join(' / ')} s; ` +
        `critical path ${(s.criticalPathMs / 1000).toFixed(1)} s: speed-up at most ${s.speedupBound.toFixed(2)}×`,
    );
    if (!o.save) return;
    const summaryFile = join(tmp, 'run', 'summary.json');
    const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : {};
    const out = resolve(`results/split-bound-${o.save}.json`);
    writeJsonAtomic(out, {
      bench: 'split-bound',
      commit: gitCommit(),
      machine: machineInfo(),
      args: { run: o.runArgs, windowUs: o.windowUs, threads: o.threads },
      seed: summary.seed,
      traceHash: summary.traceHash,
      eventsProcessed: summary.eventsProcessed,
      method: 'each engine event timed (performance.now) and summed per (window, receiving host mod threads); per window the busiest thread; serial: scenario actions and time outside events',
      wallMs,
      ...s,
    });
    console.log(`saved ${out}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

await run();
