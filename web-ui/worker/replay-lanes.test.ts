import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ReplayRecord } from '../../sim-core/record/format.ts';
import { Recorder, runUntil, stepRecorded } from '../../sim-core/record/recorder.ts';
import { parseScenario } from '../../sim-core/scenario/load.ts';
import { Simulation } from '../../sim-core/scenario/simulation.ts';
import type { LaneFrame } from './protocol.ts';
import { ReplaySession } from './replay-session.ts';
import { Session } from './session.ts';

/** The classroom with a cut written in: Eurasia off from the rest from 20 s to 45 s. */
const SCENARIO = `${readFileSync('scenarios/classroom.yaml', 'utf8')}
actions:
  - { atS: 20, do: partition, name: cut, side: { continents: [Eurasia] } }
  - { atS: 45, do: heal, name: cut }
`;
const DURATION_S = 60;
const VIEW = { layout: false, messages: false };
const scenario = (strategy: string) => parseScenario(SCENARIO.replace(/strategy: \w+/, `strategy: ${strategy}`), 'cut.yaml', { durationS: DURATION_S });

/** One strategy's run recorded as `peermap compare --record` writes it (NDJSON text). */
function recordText(strategy: string): string {
  const sim = new Simulation(scenario(strategy));
  const lines: string[] = [];
  const rec = new Recorder(sim, { everyS: 1, keyframeEveryS: 15 }, (r: ReplayRecord) => lines.push(JSON.stringify(r)));
  while (!stepRecorded(sim, rec, 5000));
  rec.finish('completed');
  return `${lines.join('\n')}\n`;
}

const links = (f: { n: number; offsets: Int32Array; targets: Int32Array }) => {
  const out: string[] = [];
  for (let i = 0; i < f.n; i++) for (let k = f.offsets[i]; k < f.offsets[i + 1]; k++) if (f.targets[k] > i) out.push(`${i}-${f.targets[k]}`);
  return out.sort();
};

describe('replays side by side, and partitions in frames', { timeout: 600_000 }, () => {
  const texts = ['globalmap', 'random'].map((s) => ({ text: recordText(s), source: `replay-${s}-seed1.ndjson.gz` }));

  it('two replays are two lanes on one playhead: every seek shows each run as it was then', () => {
    const session = new ReplaySession(texts);
    const info = session.info();
    expect(info.strategies).toEqual(['globalmap', 'random']);
    expect(info.replay?.sources).toEqual(texts.map((t) => t.source));
    // The same action in both runs is one marker.
    expect(info.replay?.markers.filter((m) => m.kind === 'action').map((m) => m.tS)).toEqual([20, 45]);
    let seq = 0;
    for (const tS of [12, 33, 5, 50, 60]) {
      session.seek(tS * 1e6);
      const { frame } = session.frame(VIEW, seq++, false, 0);
      expect(frame.nowUs).toBe(tS * 1e6);
      frame.lanes.forEach((lane, i) => {
        const sim = new Simulation(scenario(info.strategies[i]));
        runUntil(sim, tS * 1e6);
        expect(lane.nowUs, `${info.strategies[i]} at ${tS} s`).toBe(tS * 1e6);
        expect(links(lane), `${info.strategies[i]} links at ${tS} s`).toEqual(links(sim.overlay()!));
      });
    }
    expect(session.done).toBe(true);
  });

  it('a replayed partition has the sides the live run draws, from its start to its heal', () => {
    const replay = new ReplaySession(texts.slice(0, 1));
    const live = new Session({ text: SCENARIO, source: 'cut.yaml', durationS: DURATION_S });
    let seq = 0;
    const sides = (l: LaneFrame) => (l.partition ? `${l.partition.names.join(',')}:${Array.from(l.partition.sides).join('')}` : 'none');
    for (const tS of [10, 20, 21, 30, 44, 45, 50]) {
      replay.seek(tS * 1e6);
      while (!live.advance(tS * 1e6, 1 << 20));
      const r = replay.frame(VIEW, seq, false, 0).frame.lanes[0];
      const l = live.frame(VIEW, seq++, false, 0).frame.lanes[0];
      expect(sides(r), `at ${tS} s`).toBe(sides(l));
      const inForce = tS >= 20 && tS < 45;
      expect(!!l.partition, `cut in force at ${tS} s`).toBe(inForce);
      if (inForce) {
        // Eurasia's peers on side A, every other started peer on side B.
        expect(l.partition!.sides.includes(1) && l.partition!.sides.includes(2)).toBe(true);
      }
    }
  });

  it('"cut this region off" and "heal all" are actions the exported session replays with the same trace hash', () => {
    const text = readFileSync('scenarios/classroom.yaml', 'utf8');
    const session = new Session({ text, source: 'classroom.yaml', durationS: 40 });
    session.advance(8e6, 1 << 20);
    const cut1 = session.fault({ kind: 'isolate', continent: 'Eurasia' });
    const cut2 = session.fault({ kind: 'isolate', continent: 'Oceania' });
    expect(cut1.ok && cut2.ok).toBe(true);
    session.advance(9e6, 1 << 20);
    expect(session.frame(VIEW, 0, false, 0).frame.lanes[0].partition?.names.length).toBe(2);
    session.advance(15e6, 1 << 20);
    const healed = session.fault({ kind: 'heal-all' });
    expect(healed.ok && healed.actions.map((a) => a.do)).toEqual(['heal', 'heal']);
    expect(session.fault({ kind: 'heal-all' }).ok).toBe(false);
    session.runToEnd();
    expect(session.frame(VIEW, 1, false, 0).frame.lanes[0].partition).toBeUndefined();
    const exported = session.exportYaml();
    expect(new Simulation(parseScenario(exported, 'exported')).runToEnd().traceHash).toBe(session.lanes[0].sim.traceHash);
  });
});
