import { join } from 'node:path';
import { ScenarioError } from '../../scenario/errors.ts';
import { Simulation, type RunResult } from '../../scenario/simulation.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import { usToSeconds } from '../../engine/time.ts';
import { loadScenarioFile, writeJsonAtomic } from '../files.ts';
import { gitCommit, peakRssBytes } from '../machine.ts';
import { formatRate, RunProgress } from '../progress.ts';
import { describeScenario, formatSummary } from './report.ts';

export interface RunOptions {
  seed?: number;
  peers?: number;
  duration?: number;
  out: string;
  quiet: boolean;
}

/** What `summary.json` holds. */
export interface RunSummary extends RunResult {
  wallSeconds: number;
  eventsPerSecond: number;
  peakRssBytes: number;
  commit: string;
  scenarioConfig: Scenario;
}

/** Events per chunk between progress updates: small enough to refresh often, big enough to be free. */
const CHUNK_EVENTS = 200_000;

export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  let scenario: Scenario;
  try {
    scenario = loadScenarioFile(file, { seed: opts.seed, peers: opts.peers, durationS: opts.duration });
  } catch (e) {
    if (e instanceof ScenarioError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
  const log = opts.quiet ? () => {} : (s: string) => console.log(s);
  log(describeScenario(scenario));
  const startMs = performance.now();
  const sim = new Simulation(scenario);
  const progress = new RunProgress(opts.quiet, scenario.durationS);
  while (!sim.step(CHUNK_EVENTS)) {
    const p = sim.progress;
    progress.update(usToSeconds(p.nowUs), p.events);
  }
  progress.stop();
  const wallSeconds = (performance.now() - startMs) / 1000;
  const result = sim.result();
  const summary: RunSummary = {
    ...result,
    wallSeconds,
    eventsPerSecond: wallSeconds > 0 ? result.eventsProcessed / wallSeconds : 0,
    peakRssBytes: peakRssBytes(),
    commit: gitCommit(),
    scenarioConfig: scenario,
  };
  const path = join(opts.out, 'summary.json');
  writeJsonAtomic(path, summary);
  if (!opts.quiet) console.log(formatSummary(summary));
  console.log(`seed: ${summary.seed}`);
  console.log(`trace: ${summary.traceHash}`);
  console.log(
    `events: ${summary.eventsProcessed}  simulated: ${summary.simulatedSeconds.toFixed(3)} s  wall: ${wallSeconds.toFixed(2)} s  events/s: ${formatRate(summary.eventsPerSecond)}`,
  );
  console.log(`summary: ${path}`);
  if (result.endReason !== 'completed') {
    console.error(`run ended early: ${result.endReason}`);
    return 1;
  }
  return 0;
}
