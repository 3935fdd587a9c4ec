import type { RunResult } from '../../scenario/simulation.ts';
import type { Scenario } from '../../scenario/schema/index.ts';

/** The replay file written by --record. */
export interface ReplayFileRecord {
  file: string;
  bytes: number;
  everyS: number;
  keyframeEveryS: number;
}

/** One overlay file written by --export-graph / --export-graph-at. */
export interface GraphExportRecord {
  file: string;
  timeS: number;
  nodes: number;
  edges: number;
}

/** What `summary.json` holds; "interrupted" when SIGINT/SIGTERM stopped the run (the numbers are then partial). */
export interface RunSummary extends Omit<RunResult, 'endReason'> {
  endReason: RunResult['endReason'] | 'interrupted';
  wallSeconds: number;
  eventsPerSecond: number;
  peakRssBytes: number;
  commit: string;
  scenarioConfig: Scenario;
  /** Overlay snapshots written (GraphML), when asked for. */
  graphExports?: GraphExportRecord[];
  /** The replay file, when --record was given. */
  replay?: ReplayFileRecord;
}
