import { dirname, join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ScenarioError } from '../../scenario/errors.ts';
import { Simulation } from '../../scenario/simulation.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import { secondsToUs, usToSeconds } from '../../engine/time.ts';
import { exportOverlay, toGraphml } from '../../scenario/graph-export.ts';
import { loadScenarioFile, writeFileAtomic, writeJsonAtomic } from '../files.ts';
import { gitCommit, peakRssBytes } from '../machine.ts';
import { prepareOutDir } from '../out-dir.ts';
import { RecordedRun } from '../record-file.ts';
import { REPLAY_FILE } from '../../record/format.ts';
import { DEFAULT_RECORD, type RecordOptions } from '../../record/recorder.ts';
import { formatRate, RunProgress } from '../progress.ts';
import { EXIT_INTERRUPTED, onInterrupt } from './interrupt.ts';
import { describeScenario, formatSummary } from './report.ts';
import type { GraphExportRecord, RunSummary } from './run-summary.ts';
import { nameStrategyFlag, scenarioOverrides } from './sets.ts';

export interface RunOptions {
  seed?: number;
  peers?: number;
  duration?: number;
  strategy?: string;
  set?: string[];
  /** Undefined: a new folder under results/runs/. */
  out?: string;
  force?: boolean;
  quiet: boolean;
  /** Write the final overlay as GraphML (DIR/graph-end.graphml). */
  exportGraph?: boolean;
  /** Also write it at these simulated times, seconds (DIR/graph-<t>s.graphml). */
  exportGraphAt?: number[];
  /** Write DIR/replay.ndjson.gz (see sim-core/record/format.ts). */
  record?: boolean;
  /** Simulated seconds between captures / keyframes of the recording. */
  recordEvery?: number;
  keyframeEvery?: number;
}

export const RUNS_FOLDER = 'results/runs';

/**
 * Events per chunk: between chunks the progress is updated and signals are
 * handled, so this bounds how long Ctrl-C waits. Chunking does not change
 * the trace (the simulation stops only at event boundaries).
 */
const CHUNK_EVENTS = 10_000;

export async function runCommand(file: string, opts: RunOptions): Promise<number> {
  let scenario: Scenario;
  try {
    scenario = loadScenarioFile(file, scenarioOverrides(opts));
  } catch (e) {
    if (e instanceof ScenarioError) {
      console.error(nameStrategyFlag(e, opts.strategy).message);
      return 2;
    }
    throw e;
  }
  // Before any simulating: a bad folder must not cost the run (OutDirError: exit 2 in main).
  const out = prepareOutDir({ out: opts.out, force: opts.force === true, defaultBase: RUNS_FOLDER, name: scenario.name, markers: ['summary.json'], artifacts: /^(replay\.ndjson\.gz|graph-(end|\d+(\.\d+)?s)\.graphml)$/ });
  const log = opts.quiet ? () => {} : (s: string) => console.log(s);
  log(describeScenario(scenario));
  log(`  output: ${out}`);
  const startMs = performance.now();
  const progress = new RunProgress(opts.quiet, scenario.durationS);
  const interrupt = onInterrupt(() => {
    progress.stop();
  });
  let recording: RecordedRun | undefined;
  try {
    const sim = new Simulation(scenario);
    const recordOpts = recordOptions(opts);
    recording = opts.record ? new RecordedRun(sim, join(out, REPLAY_FILE), recordOpts) : undefined;
    const step = (maxEvents: number, untilUs: number) => (recording ? recording.step(maxEvents, untilUs) : sim.step(maxEvents, untilUs));
    const exports: GraphExportRecord[] = [];
    const exportAt = (opts.exportGraphAt ?? []).map(secondsToUs).filter((t) => t < sim.endUs);
    const writeGraph = (name: string) => {
      const g = exportOverlay(sim);
      writeFileAtomic(join(out, name), toGraphml(g));
      exports.push({ file: name, timeS: g.timeS, nodes: g.nodes.length, edges: g.edges.length });
    };
    // Stops at each export time (chunking by time never changes the run), writes the overlay, goes on.
    while (!interrupt.requested && !step(CHUNK_EVENTS, exportAt[0] ?? sim.endUs)) {
      const p = sim.progress;
      if (exportAt.length > 0 && p.nowUs === exportAt[0] && (sim.world.scheduler.nextTime() ?? Infinity) > exportAt[0]) {
        writeGraph(`graph-${usToSeconds(exportAt.shift()!)}s.graphml`);
      }
      progress.update(usToSeconds(p.nowUs), p.events);
      await recording?.writer.drain();
      // Lets the signal handlers run; otherwise the loop never yields.
      await yieldToLoop();
    }
    progress.stop();
    if (opts.exportGraph && sim.done) writeGraph('graph-end.graphml');
    const result = sim.result();
    const endReason = interrupt.requested && !sim.done ? 'interrupted' : result.endReason;
    const replay = recording && { file: REPLAY_FILE, bytes: await recording.close(endReason), everyS: recordOpts.everyS, keyframeEveryS: recordOpts.keyframeEveryS };
    const wallSeconds = (performance.now() - startMs) / 1000;
    const summary: RunSummary = {
      ...result,
      endReason,
      wallSeconds,
      eventsPerSecond: wallSeconds > 0 ? result.eventsProcessed / wallSeconds : 0,
      peakRssBytes: peakRssBytes(),
      commit: gitCommit(),
      scenarioConfig: scenario,
      ...(exports.length > 0 ? { graphExports: exports } : {}),
      ...(replay && { replay }),
    };
    const path = join(out, 'summary.json');
    writeJsonAtomic(path, summary);
    return report(summary, path, opts.quiet);
  } finally {
    progress.stop();
    interrupt.dispose();
    // A run that threw leaves no half-written replay (a no-op once the file is closed).
    recording?.writer.abort();
  }
}

/** --record-every / --keyframe-every, defaults filled in. */
export function recordOptions(opts: { recordEvery?: number; keyframeEvery?: number }): RecordOptions {
  return { everyS: opts.recordEvery ?? DEFAULT_RECORD.everyS, keyframeEveryS: opts.keyframeEvery ?? DEFAULT_RECORD.keyframeEveryS };
}

function report(summary: RunSummary, path: string, quiet: boolean): number {
  if (!quiet) console.log(formatSummary(summary));
  console.log(`seed: ${summary.seed}`);
  console.log(`trace: ${summary.traceHash}`);
  console.log(
    `events: ${summary.eventsProcessed}  simulated: ${summary.simulatedSeconds.toFixed(3)} s  wall: ${summary.wallSeconds.toFixed(2)} s  events/s: ${formatRate(summary.eventsPerSecond)}`,
  );
  if (summary.replay) console.log(`replay: ${join(dirname(path), summary.replay.file)} (${summary.replay.bytes} bytes)`);
  console.log(`summary: ${path}`);
  if (summary.endReason === 'interrupted') {
    console.error(`interrupted at t = ${summary.simulatedSeconds.toFixed(3)} s of ${summary.scenarioConfig.durationS} s; partial summary: ${path}`);
    return EXIT_INTERRUPTED;
  }
  if (summary.endReason !== 'completed') {
    console.error(`run ended early: ${summary.endReason}`);
    return 1;
  }
  return 0;
}
