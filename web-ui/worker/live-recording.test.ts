import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseReplayText } from '../../sim-core/record/reader.ts';
import { parseScenario } from '../../sim-core/scenario/load.ts';
import { Simulation } from '../../sim-core/scenario/simulation.ts';
import { PEER_UP } from './protocol.ts';
import { END_SAVED, gzipText } from './live-recording.ts';
import { ReplaySession, replayText } from './replay-session.ts';
import { Session } from './session.ts';

const CLASSROOM = readFileSync('scenarios/classroom.yaml', 'utf8');
const VIEW = { layout: false, messages: false };

/** Undirected links of a frame's CSR, "lo-hi" sorted. */
function frameLinks(f: { n: number; offsets: Int32Array; targets: Int32Array }): string[] {
  const out: string[] = [];
  for (let i = 0; i < f.n; i++) for (let k = f.offsets[i]; k < f.offsets[i + 1]; k++) if (f.targets[k] > i) out.push(`${i}-${f.targets[k]}`);
  return out.sort();
}

describe('save a live session as a replay', { timeout: 300_000 }, () => {
  it('the saved file opens in replay mode with the live links, the fault marker and the trace so far; recording keeps the trace', async () => {
    const session = new Session({ text: CLASSROOM, source: 'classroom.yaml', seed: 4, durationS: 90, messageLog: true });
    session.advance(20_000_000, 1e9);
    const r = session.fault({ kind: 'kill-region', continent: 'Oceania', restartAfterS: 30 });
    expect(r.ok).toBe(true);
    const atS = r.ok ? r.action.atS : 0;
    session.advance(37_250_000, 1e9);
    for (let i = 0; i < 5; i++) session.stepEvent(); // mid-second: the file ends where the session is, not at a capture
    const live = session.frame(VIEW, 0, false, 0).frame.lanes[0];
    const [file] = session.replayFiles();
    expect(file.name).toBe('replay-classroom-seed4.ndjson.gz');
    const bytes = await gzipText(file.text);
    // What the CLI's reader reads (node:zlib here, the browser's DecompressionStream in the dashboard).
    const data = parseReplayText(gunzipSync(bytes).toString('utf8'));
    expect(data.end).toMatchObject({ tUs: Math.ceil(live.nowUs), traceHash: live.traceHash, endReason: END_SAVED });
    expect(data.header.actions).toContainEqual(expect.objectContaining({ atS, do: 'outage' }));
    const replay = new ReplaySession([{ text: await replayText(bytes), source: file.name }]);
    expect(replay.info().replay!.markers).toContainEqual(expect.objectContaining({ tS: atS, kind: 'action' }));
    expect(replay.info().replay!.markers.some((m) => m.kind === 'fault' && Math.abs(m.tS - atS) < 1e-3)).toBe(true);
    replay.seek(Math.ceil(live.nowUs));
    const end = replay.frame(VIEW, 0, false, 0).frame.lanes[0];
    expect(end.nowUs).toBe(Math.ceil(live.nowUs));
    expect(frameLinks(end)).toEqual(frameLinks(live));
    // Up peers (the live lane tells "down" from "not started" by the frames it sent, and this test sent none before).
    const up = (st: Uint8Array) => Array.from(st, (x) => (x === PEER_UP ? 1 : 0));
    expect(up(end.state)).toEqual(up(live.state));
    expect(up(end.state)).toContain(0); // the outage is on

    // Recording only reads: the session keeps the CLI's trace of the same scenario with the action written in.
    session.runToEnd();
    const withAction = parseScenario(session.exportYaml(), 'exported');
    expect(session.frame(VIEW, 1, false, 0).frame.lanes[0].traceHash).toBe(new Simulation(withAction).runToEnd().traceHash);
  });

  it('side by side: one file per lane, named as `peermap compare --record` names them', async () => {
    const session = new Session({ text: CLASSROOM, source: 'classroom.yaml', seed: 1, durationS: 20, strategies: ['globalmap', 'random'] });
    session.advance(12_000_000, 1e9);
    const files = session.replayFiles();
    expect(files.map((f) => f.name)).toEqual(['replay-globalmap-seed1.ndjson.gz', 'replay-random-seed1.ndjson.gz']);
    const replay = new ReplaySession(files.map((f) => ({ text: f.text, source: f.name })));
    expect(replay.info().strategies).toEqual(['globalmap', 'random']);
    replay.seek(12_000_000);
    const lanes = replay.frame(VIEW, 0, false, 0).frame.lanes;
    const live = session.frame(VIEW, 0, false, 0).frame.lanes;
    lanes.forEach((l, i) => expect(frameLinks(l)).toEqual(frameLinks(live[i])));
  });
});
