import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim-core/scenario/load.ts';
import { Simulation } from '../../sim-core/scenario/simulation.ts';
import { followWave } from './gossip-wave.ts';
import { Session } from './session.ts';
import type { LaneFrame } from './protocol.ts';

const CLASSROOM = readFileSync('scenarios/classroom.yaml', 'utf8');
const VIEW = { layout: false, messages: false };

/** The latest frame's lanes (what the worker posts). */
const lanes = (s: Session): LaneFrame[] => s.frame(VIEW, 0, true, 0).frame.lanes;

describe('following a gossip wave in a live session', { timeout: 300_000 }, () => {
  it('the frames carry the wave as it spreads, to every live peer with a via-tree; the exported session replays it', () => {
    const session = new Session({ text: CLASSROOM, source: 'classroom.yaml', seed: 2, durationS: 90 });
    session.advance(40_000_000, 1e9);
    const r = followWave(session, 0, 9);
    expect(r.ok).toBe(true);
    const counts: number[] = [];
    let wave = lanes(session)[0].wave!;
    while (!wave.settled) {
      session.advance(session.nowUs + 200_000, 1e9);
      wave = lanes(session)[0].wave!;
      counts.push(wave.reached);
    }
    // It spread over several frames, never shrinking.
    expect(new Set(counts).size).toBeGreaterThan(1);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(wave.origin).toBe(9);
    expect(wave.reached).toBeLessThanOrEqual(wave.live);
    const edges = Array.from(wave.via).filter((v, i) => v >= 0 && wave.firstUs[i] >= 0).length;
    expect(edges).toBe(wave.reached - 1);
    expect(wave.maxHop).toBeLessThanOrEqual(wave.ttl);
    // Recorded as a scenario action: the exported file replays the session's run.
    session.runToEnd();
    const yaml = session.exportYaml();
    expect(yaml).toContain('announce');
    expect(new Simulation(parseScenario(yaml, 'exported')).runToEnd().traceHash).toBe(session.lanes[0].sim.traceHash);
  });

  it('side by side: only the global-map lane has a wave; Kademlia says why', () => {
    const session = new Session({ text: CLASSROOM, source: 'classroom.yaml', seed: 2, durationS: 60, strategies: ['globalmap', 'kademlia'] });
    session.advance(30_000_000, 1e9);
    const no = followWave(session, 1, 4);
    expect(no.ok).toBe(false);
    expect(!no.ok && no.error).toMatch(/kademlia/);
    expect(followWave(session, 0, 4).ok).toBe(true);
    session.advance(session.nowUs + 1_000_000, 1e9);
    const [gm, kad] = lanes(session);
    expect(gm.wave?.started).toBe(true);
    expect(kad.wave).toBeUndefined();
  });
});
