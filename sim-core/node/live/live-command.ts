import { join } from 'node:path';
import { ScenarioError } from '../../scenario/errors.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import { loadScenarioFile, writeJsonAtomic } from '../files.ts';
import { gitCommit, peakRssBytes } from '../machine.ts';
import { prepareOutDir } from '../out-dir.ts';
import { scenarioOverrides } from '../cli/sets.ts';
import { checkLiveLimits, LiveLimitError } from './limits.ts';
import { BindError } from './live-net.ts';
import { LiveRun, type LiveResult } from './live-run.ts';
import { useNativeEd25519 } from './native-ed25519.ts';
import { starvationVerdict } from './starvation.ts';
import { MAX_LIVE_WORKERS, WorkerRun } from './live-workers.ts';

/** What a live run needs of a scenario: real Ed25519, and bytes on the wire (a socket carries nothing else). Applied after the user's --set. */
export const LIVE_SETS = ['crypto.signatures=real', 'wire.materialize=true'] as const;

export const LIVE_FOLDER = 'results/live';

export interface LiveOptions {
  peers?: number;
  duration?: number;
  seed?: number;
  set?: string[];
  out?: string;
  force?: boolean;
  latency?: boolean;
  quiet?: boolean;
  /** Worker threads the peers are spread over (default 1: all in this thread). */
  workers?: number;
}

export function loadLiveScenario(file: string, opts: LiveOptions): Scenario {
  const o = scenarioOverrides(opts);
  return loadScenarioFile(file, { ...o, sets: [...(o.sets ?? []), ...LIVE_SETS] });
}

/** Runs a scenario live; the summary as `run` writes it, plus "mode": "live". */
export async function runLiveScenario(scenario: Scenario, opts: { latency?: boolean; workers?: number; log?: (s: string) => void }): Promise<LiveResult & { wallSeconds: number }> {
  const startMs = performance.now();
  if ((opts.workers ?? 1) > 1) {
    const run = new WorkerRun(scenario, { workers: opts.workers!, latency: opts.latency, native: true, log: opts.log });
    await run.start();
    const result = await run.finish();
    return { ...result, wallSeconds: (performance.now() - startMs) / 1000 };
  }
  const restore = useNativeEd25519();
  try {
    const run = new LiveRun(scenario, { latency: opts.latency, log: opts.log, signer: 'openssl' });
    try {
      await run.start();
    } catch (e) {
      await run.net.close();
      throw e;
    }
    opts.log?.(`live: ${run.net.hostCount} peers listening on 127.0.0.1 (ports ${run.net.portOf(0)}…); running ${scenario.durationS} s`);
    await run.runToEnd();
    const result = await run.finish();
    return { ...result, wallSeconds: (performance.now() - startMs) / 1000 };
  } finally {
    restore();
  }
}

/** `peermap live FILE`: exit 0, 2 for a bad scenario, limit or bind failure, 1 when the run failed. */
export async function liveCommand(file: string, opts: LiveOptions): Promise<number> {
  const scenario = startableScenario(file, opts);
  if (typeof scenario === 'number') return scenario;
  const out = prepareOutDir({ out: opts.out, force: opts.force === true, defaultBase: LIVE_FOLDER, name: scenario.name, markers: ['summary.json'] });
  const log = opts.quiet ? () => {} : (s: string) => console.log(s);
  log(`live: ${scenario.name}, ${scenario.peers.count} peers, ${scenario.durationS} s, seed ${scenario.seed}, strategy ${(scenario.protocol as { strategy?: string }).strategy ?? '-'}`);
  log(`  output: ${out}`);
  let result: LiveResult & { wallSeconds: number };
  try {
    result = await runLiveScenario(scenario, { latency: opts.latency, workers: opts.workers, log });
  } catch (e) {
    if (e instanceof LiveLimitError || e instanceof BindError) return fail(e.message);
    throw e;
  }
  const summary = {
    ...result,
    eventsPerSecond: result.wallSeconds > 0 ? result.eventsProcessed / result.wallSeconds : 0,
    peakRssBytes: peakRssBytes(),
    commit: gitCommit(),
    scenarioConfig: scenario,
  };
  const path = join(out, 'summary.json');
  writeJsonAtomic(path, summary);
  const m = result.metrics as { topology?: { lccFraction?: number; degree?: { mean?: number } }; discovery?: { coverageMean?: number } };
  console.log(`mode: live  peers: ${result.peers}  wall: ${result.wallSeconds.toFixed(1)} s  events: ${result.eventsProcessed}`);
  console.log(`lcc: ${fmt(m.topology?.lccFraction)}  mean degree: ${fmt(m.topology?.degree?.mean)}  coverage: ${fmt(m.discovery?.coverageMean)}`);
  console.log(`protocol errors: ${result.live.protocolErrors}  sockets open at end: ${result.live.socketsOpenAtEnd}`);
  console.log(starvationVerdict(result.live.starvation).line);
  console.log(`summary: ${path}`);
  return result.live.protocolErrors > 0 || result.live.socketsOpenAtEnd > 0 ? 1 : 0;
}

function fmt(x: number | undefined): string {
  return typeof x === 'number' ? x.toFixed(3) : '-';
}

/**
 * The scenario, loaded and within the live limits, or exit 2 with the
 * reason printed. Checked before the output folder is made: a run that
 * cannot start leaves nothing behind.
 */
export function startableScenario(file: string, opts: LiveOptions): Scenario | number {
  try {
    const scenario = loadLiveScenario(file, opts);
    checkLiveLimits(scenario);
    const k = opts.workers ?? 1;
    if (!Number.isInteger(k) || k < 1 || k > MAX_LIVE_WORKERS) return fail(`live: --workers must be an integer in 1..${MAX_LIVE_WORKERS}, got ${k}`);
    return scenario;
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof LiveLimitError) return fail(e.message);
    throw e;
  }
}

export function fail(message: string): number {
  console.error(message);
  return 2;
}
