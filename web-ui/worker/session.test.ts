import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim-core/scenario/load.ts';
import { Simulation } from '../../sim-core/scenario/simulation.ts';
import { PEER_UP } from './protocol.ts';
import { Session } from './session.ts';

const CLASSROOM = readFileSync('scenarios/classroom.yaml', 'utf8');
const VIEW_ALL = { layout: true, messages: true };

/** What `peermap run FILE --seed N` computes (the CLI runs exactly this). */
function cliHash(text: string, seed?: number, strategy?: string): string {
  const s = parseScenario(strategy ? text.replace(/strategy: \w+/, `strategy: ${strategy}`) : text, 'cli', { seed });
  return new Simulation(s).runToEnd().traceHash;
}

describe('dashboard session (worker core)', () => {
  it('observing a run (frames, layout, message log, inspector, time chunks, single events) leaves its trace hash as the CLI prints it', () => {
    const session = new Session({ text: CLASSROOM, source: 'classroom.yaml', seed: 5, messageLog: true });
    let seq = 0;
    let inFlightSeen = 0;
    for (let i = 0; i < 40; i++) session.stepEvent();
    while (!session.done) {
      session.advance(session.nowUs + 730_000, 5000);
      const { frame } = session.frame(VIEW_ALL, seq++, true, 0);
      inFlightSeen += frame.lanes[0].inFlight?.count ?? 0;
      if (seq % 7 === 0) session.inspect(0, seq % 50);
    }
    const lane = session.frame(VIEW_ALL, seq, false, 0).frame.lanes[0];
    expect(lane.done).toBe(true);
    expect(lane.traceHash).toBe(cliHash(CLASSROOM, 5));
    expect(inFlightSeen).toBeGreaterThan(100);
    expect(lane.state.filter((s) => s === PEER_UP).length).toBe(50);
    expect(lane.positions?.length).toBe(100);
  });

  it('the inspector returns a plain object for one peer', () => {
    const session = new Session({ text: CLASSROOM, source: 'classroom.yaml', messageLog: true });
    session.advance(30_000_000, 1e9);
    const p = session.inspect(0, 7)!;
    expect(p).toMatchObject({ index: 7, address: 7, up: true, app: 'globalmap' });
    expect((p.neighbours as number[]).length).toBeGreaterThan(0);
    expect(p.mapSize).toBeGreaterThan(10);
    expect((p.messages as { sent: number }).sent).toBeGreaterThan(0);
    expect(p.place).toHaveProperty('continent');
    expect(structuredClone(p)).toEqual(p);
  });

  it('fault buttons become scenario actions; the exported file replays the session to the same trace hash', () => {
    const session = new Session({ text: CLASSROOM, source: 'classroom.yaml', seed: 2, durationS: 90, messageLog: true });
    const info = session.info();
    expect(info.continents.length).toBeGreaterThan(2);
    const [a, b] = info.continents;
    // 25.000 s is the next whole ms, but the 1 s metrics sampler has an event there: the action goes 1 ms later.
    session.advance(24_999_500, 1e9);
    expect(session.fault({ kind: 'kill-region', continent: 'Oceania', restartAfterS: 20 })).toMatchObject({ ok: true, action: { atS: 25.001 } });
    session.advance(31_000_000, 1e9);
    for (let i = 0; i < 3; i++) session.stepEvent(); // mid-instant: the fault still lands on a quiet instant
    expect(session.fault({ kind: 'partition', a, b })).toMatchObject({ ok: true });
    session.advance(45_500_000, 1e9);
    expect(session.fault({ kind: 'crash-peer', peer: 11 })).toMatchObject({ ok: true });
    session.advance(50_000_000, 1e9);
    expect(session.fault({ kind: 'heal' })).toMatchObject({ ok: true });
    expect(session.fault({ kind: 'heal' })).toMatchObject({ ok: false });
    session.runToEnd();
    const text = session.exportYaml();
    expect(text).toContain('Recorded in the peermap dashboard');
    const replay = parseScenario(text, 'exported.yaml');
    expect(replay.actions.map((x) => x.do)).toEqual(['outage', 'partition', 'crash', 'heal']);
    expect(replay.durationS).toBe(90);
    expect(new Simulation(replay).runToEnd().traceHash).toBe(session.lanes[0].sim.traceHash);
    // and the faults did something
    expect(session.lanes[0].sim.traceHash).not.toBe(cliHash(CLASSROOM.replace('durationS: 120', 'durationS: 90'), 2));
  });

  it('side by side: one lane per strategy, in lockstep, each equal to its own CLI run', () => {
    const session = new Session({ text: CLASSROOM, source: 'classroom.yaml', durationS: 40, strategies: ['globalmap', 'kademlia', 'random'] });
    while (!session.done) {
      session.advance(session.nowUs + 1_000_000, 3000);
      const times = session.lanes.map((l) => l.nowUs);
      if (session.lanes.every((l) => l.reached(session.nowUs))) expect(new Set(times).size).toBe(1);
    }
    const short = CLASSROOM.replace('durationS: 120', 'durationS: 40');
    expect(session.lanes.map((l) => l.sim.traceHash)).toEqual(['globalmap', 'kademlia', 'random'].map((s) => cliHash(short, undefined, s)));
  });
});
