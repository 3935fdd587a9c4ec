import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ReplayRecord } from '../../sim-core/record/format.ts';
import { ReplayFormatError } from '../../sim-core/record/reader.ts';
import { Recorder, runUntil, stepRecorded } from '../../sim-core/record/recorder.ts';
import { parseScenario } from '../../sim-core/scenario/load.ts';
import { Simulation } from '../../sim-core/scenario/simulation.ts';
import { FrameStore } from '../client/store.ts';
import { MAX_REPLAY_LANES, MAX_REPLAY_MARKERS, MAX_REPLAY_TEXT_BYTES_TOTAL, PEER_UP } from './protocol.ts';
import { ReplaySession, replayText, replayTexts } from './replay-session.ts';

const SCENARIO = `${readFileSync('scenarios/classroom.yaml', 'utf8')}
actions:
  - { atS: 30, do: outage, name: dark, hosts: { continents: [Oceania] }, restartAfterS: 20 }
`;
const VIEW = { layout: true, messages: false };

function scenario() {
  return parseScenario(SCENARIO, 'classroom+outage.yaml', { durationS: 80 });
}

/** The classroom run recorded into gzip'd NDJSON bytes, as `peermap run --record` writes it. */
function recordedBytes(): Uint8Array {
  const sim = new Simulation(scenario());
  const lines: string[] = [];
  const rec = new Recorder(sim, { everyS: 1, keyframeEveryS: 20 }, (r: ReplayRecord) => lines.push(JSON.stringify(r)));
  while (!stepRecorded(sim, rec, 5000));
  rec.finish('completed');
  return gzipSync(`${lines.join('\n')}\n`);
}

/** Undirected links of a frame's CSR, "lo-hi" sorted. */
function frameLinks(f: { n: number; offsets: Int32Array; targets: Int32Array }): string[] {
  const out: string[] = [];
  for (let i = 0; i < f.n; i++) for (let k = f.offsets[i]; k < f.offsets[i + 1]; k++) if (f.targets[k] > i) out.push(`${i}-${f.targets[k]}`);
  return out.sort();
}

describe('replay in the dashboard (worker core)', { timeout: 600_000 }, () => {
  const bytes = recordedBytes();

  it('frames after a seek show the topology and peer states the run had then; the end shows its trace hash', async () => {
    const session = new ReplaySession(await replayText(bytes), 'replay.ndjson.gz');
    const info = session.info();
    expect(info.replay?.markers.map((m) => `${m.kind}@${m.tS}`)).toEqual(['action@30', 'fault@30', 'fault@50']);
    expect(info.places?.lat.length).toBeGreaterThanOrEqual(50);
    const sim = new Simulation(scenario());
    let seq = 0;
    // Forward, backwards across keyframes, forward again.
    for (const tS of [10, 35, 12, 61, 45, 80]) {
      session.seek(tS * 1e6);
      const lane = session.frame(VIEW, seq++, false, 0).frame.lanes[0];
      const fresh = new Simulation(scenario());
      runUntil(fresh, tS * 1e6);
      const ov = fresh.overlay()!;
      expect(lane.nowUs).toBe(tS * 1e6);
      expect(frameLinks(lane), `links at ${tS} s`).toEqual(frameLinks(ov));
      expect(Array.from(lane.state).map((s) => (s === PEER_UP ? 1 : 0)), `peers up at ${tS} s`).toEqual(Array.from(ov.alive));
      expect(lane.positions?.length).toBe(2 * lane.n);
    }
    expect(session.done).toBe(true);
    expect(session.frame(VIEW, seq, false, 0).frame.lanes[0].traceHash).toBe(sim.runToEnd().traceHash);
  });

  it('the charts follow the playhead: series up to the playhead, replaced after a seek back', async () => {
    const session = new ReplaySession(await replayText(bytes), 'r');
    const store = new FrameStore();
    store.reset(session.info());
    let seq = 0;
    const push = () => store.push(session.frame(VIEW, seq++, true, 0).frame);
    for (let t = 0; t <= 60; t += 7) {
      session.advance(t * 1e6);
      push();
    }
    const last = () => store.series[0][store.series[0].length - 1].tS;
    expect(last()).toBeLessThanOrEqual(56);
    expect(store.series[0].map((p) => p.tS)).toEqual([...new Set(store.series[0].map((p) => p.tS))].sort((a, b) => a - b));
    session.seek(20e6);
    push();
    expect(last()).toBeLessThanOrEqual(20);
    expect(store.series[0].every((p) => p.tS <= 20)).toBe(true);
  });

  it('hostile bytes: not gzip, truncated gzip, or inflating past the limit fail with a ReplayFormatError', async () => {
    await expect(replayText(bytes.subarray(0, bytes.length >> 1))).rejects.toBeInstanceOf(ReplayFormatError);
    await expect(replayText(bytes, 10_000)).rejects.toThrow(/larger than 10000 bytes/);
    await expect(replayText(new TextEncoder().encode('hello')).then((t) => new ReplaySession(t, 'x'))).rejects.toThrow(/line 1/);
    // Plain (uncompressed) NDJSON also opens.
    const plain = (await replayText(bytes)).split('\n').join('\n');
    expect(new ReplaySession(await replayText(new TextEncoder().encode(plain)), 'plain').endUs).toBe(80e6);
  });

  it('a delta written after a keyframe at its own instant is played (the keyframe does not hold it)', () => {
    const header = JSON.parse((recordedText ??= gunzip(recordedBytes())).split('\n')[0]) as Record<string, unknown>;
    const recs: unknown[] = [
      { ...header, peers: 6, endUs: 10e6, durationS: 10, keyframeEveryUs: 1e6, actions: [] },
      { type: 'delta', tUs: 0, peers: [0, 0, 1, 1], up: [0, 1], linkUp: [0, 1, 1] },
      { type: 'key', tUs: 0, addresses: [0, 1], state: [PEER_UP, PEER_UP], edges: [0, 1, 1] },
      { type: 'delta', tUs: 0, peers: [2, 2, 3, 3, 4, 4, 5, 5] },
      { type: 'delta', tUs: 1000, up: [2, 3, 4, 5], linkUp: [2, 3, 1, 3, 4, 1, 4, 5, 1] },
      { type: 'end', tUs: 10e6, traceHash: 'h', events: 1, endReason: 'completed' },
    ];
    const s = new ReplaySession(recs.map((r) => JSON.stringify(r)).join('\n'), 'straddle');
    for (const t of [5e6, 0, 2000]) {
      s.seek(t);
      const lane = s.frame(VIEW, 0, false, 0).frame.lanes[0];
      expect(lane.n, `at ${t} µs`).toBe(6);
      expect(lane.state.length).toBe(6);
      expect(frameLinks(lane), `at ${t} µs`).toEqual(t === 0 ? ['0-1'] : ['0-1', '2-3', '3-4', '4-5']);
    }
  });

  it("plays forward from the state at hand, not by the header's claim of keyframe spacing (a header saying 1 µs made every frame a rebuild and a full series resend)", () => {
    const lines = (recordedText ??= gunzip(recordedBytes())).split('\n').filter((l) => l !== '');
    lines[0] = JSON.stringify({ ...JSON.parse(lines[0]), keyframeEveryUs: 1 });
    const s = new ReplaySession(lines.join('\n'), 'liar');
    const honest = new ReplaySession(recordedText!, 'honest');
    let resets = 0;
    for (let t = 21e6; t <= 39e6; t += 1e6) {
      s.seek(t);
      honest.seek(t);
      const lane = s.frame(VIEW, 0, false, 0).frame.lanes[0];
      if (lane.seriesReset) resets++;
      expect(frameLinks(lane), `at ${t} µs`).toEqual(frameLinks(honest.frame(VIEW, 0, false, 0).frame.lanes[0]));
    }
    // The first frame sends the series whole; moving forward never resends it.
    expect(resets).toBe(1);
  });

  it('several files: counted before any is decompressed, and their text shares one budget', async () => {
    // A gzip bomb each: the count must refuse them before inflating any.
    const bomb = gzipSync(Buffer.alloc(8 << 20));
    const seven = Array.from({ length: MAX_REPLAY_LANES + 1 }, (_, i) => ({ bytes: bomb, source: `r${i}.gz` }));
    await expect(replayTexts(seven)).rejects.toThrow(`at most ${MAX_REPLAY_LANES} replays side by side, got ${MAX_REPLAY_LANES + 1}`);
    // Six files of a sixth of the budget plus a little: each is over its share.
    const share = Math.floor(MAX_REPLAY_TEXT_BYTES_TOTAL / MAX_REPLAY_LANES);
    const over = gzipSync(Buffer.alloc(share + 4096, 0x20));
    const six = Array.from({ length: MAX_REPLAY_LANES }, (_, i) => ({ bytes: over, source: `r${i}.gz` }));
    await expect(replayTexts(six)).rejects.toThrow(`larger than ${share} bytes decompressed`);
    const [one] = await replayTexts([{ bytes: recordedBytes(), source: 'one.gz' }]);
    expect(new ReplaySession([one]).endUs).toBe(80e6);
  });

  it('marks at most MAX_REPLAY_MARKERS faults on the timeline and says how many more there are', () => {
    const lines = (recordedText ??= gunzip(recordedBytes())).split('\n').filter((l) => l !== '');
    const at = lines.findIndex((l) => JSON.parse(l).type === 'delta' && JSON.parse(l).tUs > 0);
    const d = JSON.parse(lines[at]);
    const n = MAX_REPLAY_MARKERS + 250;
    d.faults = Array.from({ length: n }, (_, i) => ({ tS: d.tUs / 1e6, event: 'outage', name: `x${i}`, hosts: 1 }));
    lines[at] = JSON.stringify(d);
    const info = new ReplaySession(lines.join('\n'), 'many-faults').info();
    const faults = info.replay!.markers.filter((m) => m.kind !== 'action').length;
    expect(info.replay!.markers).toHaveLength(MAX_REPLAY_MARKERS);
    expect(info.replay!.markersDropped).toBeGreaterThanOrEqual(250);
    expect(faults).toBeGreaterThan(0);
  });
});

let recordedText: string | undefined;
function gunzip(b: Uint8Array): string {
  return gunzipSync(b).toString('utf8');
}