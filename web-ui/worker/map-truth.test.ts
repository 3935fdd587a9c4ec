import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Session } from './session.ts';

const CLASSROOM = readFileSync('scenarios/classroom.yaml', 'utf8');

/** "lo-hi" strings of flat pairs. */
const pairSet = (a: Int32Array) => new Set(Array.from({ length: a.length / 2 }, (_, k) => `${a[2 * k]}-${a[2 * k + 1]}`));

describe("a peer's map against the truth (inspector)", { timeout: 300_000 }, () => {
  it('after an outage a surviving peer still believes in dead peers and their links; the counts are those of its map and the overlay', () => {
    const session = new Session({ text: CLASSROOM, source: 'classroom.yaml', seed: 6, durationS: 120 });
    session.advance(40_000_000, 1e9);
    const before = session.lanes[0].sim.overlay()!;
    const r = session.fault({ kind: 'kill-region', continent: 'Eurasia' });
    expect(r.ok).toBe(true);
    session.advance(44_000_000, 1e9); // 4 s after: the maps have not noticed everything yet
    const sim = session.lanes[0].sim;
    const ov = sim.overlay()!;
    const dead = Array.from(ov.alive).flatMap((a, i) => (a === 1 ? [] : [i]));
    expect(dead.length).toBeGreaterThan(0);
    const peer = Array.from(ov.alive).findIndex((a) => a === 1);
    const m = session.mapTruth(0, peer)!;

    // The expectation from the simulation's own data: the peer's map (Simulation.peerMap) and the overlay (Simulation.overlay).
    const map = sim.peerMap(peer)!;
    const mapLinks = pairSet(map.links);
    const real = new Set<string>();
    for (let i = 0; i < ov.n; i++) for (let k = ov.offsets[i]; k < ov.offsets[i + 1]; k++) if (ov.alive[i] && ov.alive[ov.targets[k]]) real.add(`${Math.min(i, ov.targets[k])}-${Math.max(i, ov.targets[k])}`);
    const staleWant = [...mapLinks].filter((l) => !real.has(l));
    const deadWant = Array.from(map.known).filter((i) => ov.alive[i] === 0);
    expect(m.trueLinks).toBe(real.size);
    expect([...pairSet(m.stale)].sort()).toEqual(staleWant.sort());
    expect([...pairSet(m.held)].sort()).toEqual([...mapLinks].filter((l) => real.has(l)).sort());
    expect([...pairSet(m.missing)].sort()).toEqual([...real].filter((l) => !mapLinks.has(l)).sort());
    expect(Array.from(m.deadKnown)).toEqual(deadWant);
    // An outage just happened: the map still holds links of the dead peers (they were in the overlay before).
    expect(m.stale.length + m.deadKnown.length).toBeGreaterThan(0);
    const deadSet = new Set(dead);
    const wereTrue = [...pairSet(m.stale)].filter((l) => l.split('-').some((x) => deadSet.has(Number(x))));
    expect(wereTrue.length).toBeGreaterThan(0);
    expect(before.n).toBe(ov.n);

    // Long after, the map has forgotten the dead (stale entries expire).
    session.advance(120_000_000, 1e9);
    const later = session.mapTruth(0, peer)!;
    expect(later.deadKnown.length).toBeLessThan(m.deadKnown.length + 1);
    expect(later.stale.length).toBeLessThan(m.stale.length);
  });

  it('protocols without a map (random) give none', () => {
    const session = new Session({ text: CLASSROOM, source: 'classroom.yaml', seed: 1, durationS: 25, strategies: ['globalmap', 'random'] });
    session.advance(22_000_000, 1e9);
    expect(session.mapTruth(0, 3)).toBeDefined();
    expect(session.mapTruth(1, 3)).toBeUndefined();
  });
});
