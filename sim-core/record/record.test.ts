import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { compareCommand } from '../node/cli/compare-command.ts';
import { runCommand } from '../node/cli/run-command.ts';
import type { RunSummary } from '../node/cli/run-summary.ts';
import { RecordedRun, readReplayFile } from '../node/record-file.ts';
import { loadScenarioFile } from '../node/files.ts';
import { Simulation } from '../scenario/simulation.ts';
import { DIR_BOTH, REPLAY_FILE, REPLAY_FORMAT, REPLAY_VERSION, STATE_UP, type ReplayRecord } from './format.ts';
import { parseReplayText } from './reader.ts';
import { Recorder, runUntil, stepRecorded } from './recorder.ts';
import { LINK_KEY_BASE, Replay, stateCsr } from './replay.ts';

const dir = mkdtempSync(join(tmpdir(), 'peermap-record-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The classroom scenario with a partition, an outage with restart and a heal written in (actions and faults to record). */
const SCENARIO = join(dir, 'faults.yaml');
writeFileSync(
  SCENARIO,
  `${readFileSync('scenarios/classroom.yaml', 'utf8')}
actions:
  - { atS: 40, do: partition, name: cut, side: { continents: [Eurasia] } }
  - { atS: 60, do: outage, name: dark, hosts: { continents: [Oceania] }, restartAfterS: 30 }
  - { atS: 100, do: heal, name: cut }
`,
);
const OVERRIDES = { peers: 50, duration: 150 };

function scenario() {
  return loadScenarioFile(SCENARIO, { peers: OVERRIDES.peers, durationS: OVERRIDES.duration });
}

/** Runs the scenario recorded in memory; returns the simulation and the records. */
function recordInMemory(everyS = 1, keyframeEveryS = 20): { sim: Simulation; records: ReplayRecord[] } {
  const sim = new Simulation(scenario());
  const records: ReplayRecord[] = [];
  const rec = new Recorder(sim, { everyS, keyframeEveryS }, (r) => records.push(structuredClone(r)));
  while (!stepRecorded(sim, rec, 5000));
  rec.finish('completed');
  return { sim, records };
}

/** Undirected links of the simulation's overlay now, as sorted "lo-hi" strings. */
function overlayLinks(sim: Simulation): string[] {
  const ov = sim.overlay()!;
  const out: string[] = [];
  for (let i = 0; i < ov.n; i++) for (let k = ov.offsets[i]; k < ov.offsets[i + 1]; k++) if (ov.targets[k] > i) out.push(`${i}-${ov.targets[k]}`);
  return [...new Set(out)].sort();
}

function replayLinks(links: Map<number, number>): string[] {
  return [...links.keys()].map((k) => `${Math.floor(k / LINK_KEY_BASE)}-${k % LINK_KEY_BASE}`).sort();
}

const toText = (records: ReplayRecord[]) => records.map((r) => JSON.stringify(r)).join('\n');

describe('recording a run (replay files)', { timeout: 600_000 }, () => {
  const { sim, records } = recordInMemory();
  const replay = new Replay(parseReplayText(toText(records)));

  it('does not change the trace: a recorded run equals an unrecorded one event for event', () => {
    const plain = new Simulation(scenario()).runToEnd();
    expect(sim.traceHash).toBe(plain.traceHash);
    expect(sim.world.scheduler.eventsProcessed).toBe(plain.eventsProcessed);
  });

  it('format: a versioned header first, time-ordered deltas and keyframes, an end record with the trace', () => {
    const h = records[0];
    expect(h.type).toBe('header');
    if (h.type !== 'header') return;
    expect(h.format).toBe(REPLAY_FORMAT);
    expect(h.version).toBe(REPLAY_VERSION);
    expect(h.peers).toBe(OVERRIDES.peers);
    expect(h.places?.lat.length).toBeGreaterThanOrEqual(OVERRIDES.peers);
    expect(h.actions.map((a) => a.do)).toEqual(scenario().actions.map((a) => a.do));
    const times = records.slice(1).map((r) => (r as { tUs: number }).tUs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const end = records[records.length - 1];
    expect(end).toMatchObject({ type: 'end', traceHash: sim.traceHash, endReason: 'completed', tUs: sim.endUs });
    // keyframes every 20 s, plus one at the end
    const keys = records.filter((r) => r.type === 'key').map((r) => r.tUs / 1e6);
    expect(keys).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 150]);
    // every link direction is a DIR_* code; links with an open connection say who dialed
    const dirs = records.flatMap((r) => (r.type === 'delta' && r.linkUp ? r.linkUp.filter((_, i) => i % 3 === 2) : []));
    expect(dirs.every((d) => d >= 0 && d <= DIR_BOTH)).toBe(true);
    expect(dirs.some((d) => d > 0)).toBe(true);
  });

  it('carries the series the run reports, messages per type per sample, and the faults with their times', () => {
    const series = (sim.result().metrics.series as Record<string, number>[]).map((p) => JSON.parse(JSON.stringify(p)));
    expect(replay.series).toEqual(series.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => typeof v === 'number'))));
    const sent = replay.messages.reduce((s, m) => s + Object.values(m.byType).reduce((a, b) => a + b, 0), 0);
    expect(sent).toBe(sim.world.counters.totalSent());
    expect(replay.messages.some((m) => (m.byType['gm-events'] ?? 0) > 0)).toBe(true);
    const timeline = sim.underlay.timeline;
    expect(timeline.length).toBeGreaterThan(0);
    expect(replay.markers.filter((m) => m.kind === 'fault').map((m) => m.tS)).toEqual(timeline.map((e) => e.tS));
    expect(replay.markers.filter((m) => m.kind === 'action').map((m) => m.tS)).toEqual(scenario().actions.map((a) => a.atS));
  });

  it("a replay's final topology equals the run's final topology", () => {
    const end = replay.at(replay.endUs);
    expect(replayLinks(end.links)).toEqual(overlayLinks(sim));
    const ov = sim.overlay()!;
    expect(end.addresses).toEqual(Array.from(ov.addresses));
    expect(end.state.map((s) => (s === STATE_UP ? 1 : 0))).toEqual(Array.from(ov.alive));
    const csr = stateCsr(end);
    expect(Array.from(csr.offsets)).toEqual(Array.from(ov.offsets));
  });

  it('round trip: seeking to any capture time gives the topology the run had then (from keyframes or by playing forward)', () => {
    const checkAt = [0, 7, 20, 33, 61, 100, 149].map((s) => s * 1e6);
    const playing = replay.at(0);
    // Re-run, stopping at each checked time, and compare both ways of reaching it.
    const third = new Simulation(scenario());
    for (const t of checkAt) {
      runUntil(third, t);
      expect(replayLinks(replay.at(t).links), `seek to ${t / 1e6} s`).toEqual(overlayLinks(third));
      expect(replayLinks(replay.advance(playing, t).links), `play to ${t / 1e6} s`).toEqual(overlayLinks(third));
    }
  });
});

describe('the CLI writes replay files', { timeout: 600_000 }, () => {
  it('run --record: replay.ndjson.gz next to summary.json, the same trace as without, readable back', async () => {
    const base = { ...OVERRIDES, strategy: 'globalmap', force: true, quiet: true };
    expect(await runCommand(SCENARIO, { ...base, out: join(dir, 'plain') })).toBe(0);
    expect(await runCommand(SCENARIO, { ...base, out: join(dir, 'rec'), record: true, recordEvery: 2, keyframeEvery: 30 })).toBe(0);
    const plain = JSON.parse(readFileSync(join(dir, 'plain', 'summary.json'), 'utf8')) as RunSummary;
    const rec = JSON.parse(readFileSync(join(dir, 'rec', 'summary.json'), 'utf8')) as RunSummary;
    expect(rec.traceHash).toBe(plain.traceHash);
    expect(rec.replay).toMatchObject({ file: REPLAY_FILE, everyS: 2, keyframeEveryS: 30 });
    const data = readReplayFile(join(dir, 'rec', REPLAY_FILE));
    expect(data.header.everyUs).toBe(2e6);
    expect(data.end).toMatchObject({ traceHash: plain.traceHash, endReason: 'completed' });
    expect(readdirSync(join(dir, 'rec')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('compare --record: one replay per strategy and seed, each with its run’s trace', async () => {
    const out = join(dir, 'cmp');
    const code = await compareCommand(SCENARIO, { strategies: ['globalmap', 'kademlia'], seeds: [1, 2], peers: 30, duration: 40, out, force: true, quiet: true, allMetrics: false, record: true });
    expect(code).toBe(0);
    const cmp = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8'));
    for (const strategy of ['globalmap', 'kademlia']) {
      for (const run of cmp.strategies[strategy].runs) {
        expect(run.replay.file).toBe(`replay-${strategy}-seed${run.seed}.ndjson.gz`);
        const data = readReplayFile(join(out, run.replay.file));
        expect(data.header.strategy).toBe(strategy);
        expect(data.end?.traceHash).toBe(run.traceHash);
      }
    }
  });

  it('the file is gzip’d NDJSON: one JSON record per line', () => {
    const lines = gunzipSync(readFileSync(join(dir, 'rec', REPLAY_FILE))).toString('utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as ReplayRecord).type)).toContain('key');
  });

  it('a recording stopped early still reads: its keyframe and end say where it stopped', async () => {
    const sim = new Simulation(scenario());
    const path = join(dir, 'partial.ndjson.gz');
    const run = new RecordedRun(sim, path, { everyS: 1, keyframeEveryS: 60 });
    while (sim.world.now < 30e6) run.step(5000, 30e6);
    await run.close('interrupted');
    const replay = new Replay(readReplayFile(path));
    expect(replay.endUs).toBe(30e6);
    expect(replayLinks(replay.at(30e6).links)).toEqual(overlayLinks(sim));
  });
});
