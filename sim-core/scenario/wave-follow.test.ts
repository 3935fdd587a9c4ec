import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { waveSourceOf } from '../protocols/globalmap/wave.ts';
import { secondsToUs } from '../engine/time.ts';
import { parseScenario } from './load.ts';
import { Simulation, type OverlayView } from './simulation.ts';
import { WaveFollower, type WaveView } from './wave-follow.ts';

const CLASSROOM = readFileSync('scenarios/classroom.yaml', 'utf8');

/** Runs to just before the first whole millisecond after `fromUs` with no event pending, and returns it (an action there replays exactly). */
function quietInstant(sim: Simulation, fromUs: number): number {
  let at = Math.ceil((fromUs + 1) / 1000) * 1000;
  for (;;) {
    sim.step(1e9, at - 1);
    if (sim.world.scheduler.nextTime() !== at) return at;
    at += 1000;
  }
}

/** Hop distances from `from` over the live overlay (−1: unreachable). */
function bfs(ov: OverlayView, from: number): Int32Array {
  const d = new Int32Array(ov.n).fill(-1);
  d[from] = 0;
  const queue = [from];
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q];
    for (let k = ov.offsets[i]; k < ov.offsets[i + 1]; k++) {
      const j = ov.targets[k];
      if (ov.alive[j] === 1 && d[j] < 0) {
        d[j] = d[i] + 1;
        queue.push(j);
      }
    }
  }
  return d;
}

/** Live honest peers whose map holds the origin's link event of time `tsUs`: the simulation's own state. */
function holders(sim: Simulation, origin: number, tsUs: number): number[] {
  const nums = sim.population.addressOf.map((a) => (sim.world.protocolOf(a) as unknown as { self: number }).self);
  const out: number[] = [];
  nums.forEach((_, i) => {
    if (!sim.world.isUp(sim.population.addressOf[i])) return;
    const store = (waveSourceOf(sim.peerApp(i)) as unknown as { store?: { record(o: number): { ts: Float64Array } | undefined } }).store;
    const rec = store?.record(nums[origin]);
    if (rec && Array.from(rec.ts).includes(tsUs)) out.push(i);
  });
  return out;
}

/** Follows a wave `announce`d by `origin` at the first quiet instant after `atS`; runs until it settles. */
function followAnnounced(sets: string[], origin: number, atS: number): { sim: Simulation; wave: WaveView; ov: OverlayView } {
  const sim = new Simulation(parseScenario(CLASSROOM, 'classroom.yaml', { seed: 4, durationS: 120, sets }));
  const at = quietInstant(sim, secondsToUs(atS));
  const follower = WaveFollower.follow(sim, origin)!;
  sim.addAction({ atS: at / 1e6, do: 'announce', peers: [origin] });
  sim.step(1e9, at);
  const ov = sim.overlay()!;
  let wave = follower.view();
  expect(wave.started).toBe(true);
  while (!wave.settled && !sim.done) {
    sim.step(1e9, sim.world.now + 100_000);
    wave = follower.view();
  }
  follower.stop();
  return { sim, wave, ov };
}

function checkTree(w: WaveView): void {
  const reached = Array.from(w.firstUs).flatMap((t, i) => (t >= 0 ? [i] : []));
  let edges = 0;
  for (const i of reached) {
    if (i === w.origin) {
      expect(w.via[i]).toBe(-1);
      expect(w.hop[i]).toBe(0);
      continue;
    }
    edges++;
    const parent = w.via[i];
    // The parent had it first, one hop closer; the TTL it carried is the origin's minus the hops before.
    expect(w.firstUs[parent]).toBeGreaterThanOrEqual(0);
    expect(w.firstUs[parent]).toBeLessThan(w.firstUs[i]);
    expect(w.hop[i]).toBe(w.hop[parent] + 1);
    expect(w.ttlLeft[i]).toBe(w.ttl - w.hop[i] + 1);
    expect(w.hop[i]).toBeLessThanOrEqual(w.ttl);
  }
  expect(edges).toBe(w.reached - 1);
}

describe('following a gossip wave', { timeout: 300_000 }, () => {
  for (const [name, sets] of [
    ['batched gossip (classroom)', []],
    ['the seed protocol (one event per message, TTL 6)', ['protocol.globalmap.gossip=seed', 'protocol.globalmap.ttl=6']],
    // TTL 2: the wave dies out before it covers the network, so "reached" is a strict subset to match.
    ['a TTL too short to cover the network', ['protocol.globalmap.ttl=2']],
  ] as const) {
    it(`${name}: reached = the live peers whose map holds the event; hops ≥ overlay distance; via edges a tree rooted at the origin`, () => {
      const origin = 11;
      const { sim, wave, ov } = followAnnounced([...sets], origin, 60);
      expect(wave.origin).toBe(origin);
      expect(wave.reached).toBeGreaterThan(1);
      const reached = Array.from(wave.firstUs).flatMap((t, i) => (t >= 0 ? [i] : []));
      expect(reached).toEqual(holders(sim, origin, wave.startUs));
      const dist = bfs(ov, origin);
      for (const i of reached) expect(wave.hop[i]).toBeGreaterThanOrEqual(dist[i]);
      checkTree(wave);
      expect(wave.maxHop).toBe(Math.max(...reached.map((i) => wave.hop[i])));
      if (wave.ttl === 2) expect(wave.reached).toBeLessThan(wave.live);
    });
  }

  it('following (watch set, then removed) leaves the trace as an unfollowed run; announce is a scenario action that replays', () => {
    const plain = new Simulation(parseScenario(CLASSROOM, 'classroom.yaml', { seed: 4, durationS: 60 }));
    const watched = new Simulation(parseScenario(CLASSROOM, 'classroom.yaml', { seed: 4, durationS: 60 }));
    watched.step(1e9, secondsToUs(10));
    const f = WaveFollower.follow(watched, 20)!;
    watched.step(1e9, secondsToUs(40));
    f.stop();
    expect(watched.runToEnd().traceHash).toBe(plain.runToEnd().traceHash);
    // The wave's live announce, written in the scenario, gives the same run from the start.
    const { sim } = followAnnounced([], 11, 30);
    const actions = sim.scenario.actions;
    expect(actions.map((a) => a.do)).toEqual(['announce']);
    const replay = new Simulation(parseScenario(CLASSROOM, 'classroom.yaml', { seed: 4, durationS: 120 }));
    replay.scenario.actions.push(...actions);
    const live = sim.runToEnd().traceHash;
    expect(new Simulation({ ...replay.scenario }).runToEnd().traceHash).toBe(live);
  });
});
