import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from './load.ts';
import { Simulation } from './simulation.ts';

const quickstart = readFileSync('scenarios/quickstart.yaml', 'utf8');
const opts = { peers: 20, durationS: 20, seed: 7 };
const replay = `replay: npx peermap run scenarios/quickstart.yaml --seed ${opts.seed} --peers ${opts.peers} --duration ${opts.durationS}`;
const STEPS = 3000;

const delivered = (sim: Simulation) => sim.world.counters.deliveredCount.reduce((s, x) => s + x, 0);

describe('the step log (one event at a time, said in words)', () => {
  it('names each event as it runs, and stepping that way leaves the run unchanged', () => {
    const noted = new Simulation(parseScenario(quickstart, 'quickstart.yaml', opts));
    const plain = new Simulation(parseScenario(quickstart, 'quickstart.yaml', opts));
    const kinds = new Map<string, number>();
    let lastUs = 0;
    for (let i = 0; i < STEPS; i++) {
      const before = delivered(noted);
      const ev = noted.stepOneNoting();
      plain.step(1);
      expect(ev, replay).toBeDefined();
      if (!ev) break;
      kinds.set(ev.kind, (kinds.get(ev.kind) ?? 0) + 1);
      expect(ev.tUs).toBe(noted.world.now);
      expect(ev.tUs).toBeGreaterThanOrEqual(lastUs);
      lastUs = ev.tUs;
      expect(ev.text.length).toBeGreaterThan(0);
      // A delivery counts one delivered message (unless its receiver went down meanwhile); nothing else does.
      if (ev.kind !== 'deliver') expect(delivered(noted), `${ev.text} at ${ev.tUs} µs`).toBe(before);
      else expect(delivered(noted) - before).toBeLessThanOrEqual(1);
    }
    expect(noted.world.scheduler.eventsProcessed).toBe(STEPS);
    expect(noted.traceHash, replay).toBe(plain.traceHash);
    // A joining overlay starts peers, dials, accepts and exchanges messages on timers.
    for (const k of ['start', 'dial', 'accept', 'deliver', 'timer']) expect(kinds.get(k) ?? 0, `${k} in ${JSON.stringify([...kinds])}`).toBeGreaterThan(0);
    // And the run goes on to the same end as one never stepped.
    expect(noted.runToEnd().traceHash, replay).toBe(plain.runToEnd().traceHash);
  });
});
