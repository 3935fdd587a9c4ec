import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { parseScenario } from '../../scenario/load.ts';
import { Simulation, type OverlayView } from '../../scenario/simulation.ts';

/**
 * The formation split (scenarios/bootstrap-split.yaml): with 10 bootstrap
 * nodes the first bootstrap-to-bootstrap links can close two groups that
 * selection never joins; `bootstrap.mesh` keeps every bootstrap pair linked.
 */
const FILE = 'scenarios/bootstrap-split.yaml';
const base = parse(readFileSync(FILE, 'utf8')) as Record<string, any>;
const BOOTSTRAP = base.bootstrap.count as number;

function scenarioText(seed: number, mesh: boolean, strategy: string): string {
  return stringify({ ...base, seed, bootstrap: { ...base.bootstrap, mesh }, protocol: { ...base.protocol, strategy } });
}

const replay = (seed: number, mesh: boolean, strategy: string) =>
  `replay: npx peermap run ${FILE} --seed ${seed} with bootstrap.mesh: ${mesh} and protocol.strategy: ${strategy}`;

/** Components of the live overlay, as a component id per peer (-1 when down). */
function components(o: OverlayView): { count: number; of: Int32Array } {
  const of = new Int32Array(o.n).fill(-1);
  let count = 0;
  for (let s = 0; s < o.n; s++) {
    if (!o.alive[s] || of[s] >= 0) continue;
    const stack = [s];
    of[s] = count;
    while (stack.length > 0) {
      const u = stack.pop()!;
      for (let k = o.offsets[u]; k < o.offsets[u + 1]; k++) {
        const v = o.targets[k];
        if (o.alive[v] && of[v] < 0) {
          of[v] = count;
          stack.push(v);
        }
      }
    }
    count++;
  }
  return { count, of };
}

/** Links between two bootstrap nodes (peers 0 .. BOOTSTRAP-1), each counted once. */
function meshLinks(o: OverlayView): number {
  let n = 0;
  for (let u = 0; u < BOOTSTRAP; u++) for (let k = o.offsets[u]; k < o.offsets[u + 1]; k++) if (o.targets[k] > u && o.targets[k] < BOOTSTRAP) n++;
  return n;
}

/** Components of the graph of bootstrap-to-bootstrap links alone. */
function bootstrapGroups(o: OverlayView): number {
  const seen = new Uint8Array(BOOTSTRAP);
  let groups = 0;
  for (let s = 0; s < BOOTSTRAP; s++) {
    if (seen[s]) continue;
    groups++;
    const stack = [s];
    seen[s] = 1;
    while (stack.length > 0) {
      const u = stack.pop()!;
      for (let k = o.offsets[u]; k < o.offsets[u + 1]; k++) {
        const v = o.targets[k];
        if (v < BOOTSTRAP && !seen[v]) {
          seen[v] = 1;
          stack.push(v);
        }
      }
    }
  }
  return groups;
}

describe('bootstrap.mesh and the formation split', () => {
  it('without the mesh, seed 5 ends in two components and the bootstrap nodes sit in both', () => {
    const sim = new Simulation(parseScenario(scenarioText(5, false, 'globalmap'), FILE));
    sim.runToEnd();
    const { count, of } = components(sim.overlay()!);
    expect(count, replay(5, false, 'globalmap')).toBeGreaterThanOrEqual(2);
    const groups = new Set(Array.from(of.subarray(0, BOOTSTRAP)));
    expect(groups.size, replay(5, false, 'globalmap')).toBeGreaterThanOrEqual(2);
  });

  for (const strategy of ['globalmap', 'random']) {
    it(`with the mesh (${strategy}), the bootstrap nodes are one group from 60 s on, their links never drop, the mesh completes and the overlay is one component`, () => {
      const pairs = (BOOTSTRAP * (BOOTSTRAP - 1)) / 2;
      for (const seed of [1, 5]) {
        const why = replay(seed, true, strategy);
        const sim = new Simulation(parseScenario(scenarioText(seed, true, strategy), FILE));
        let before = 0;
        // Sampled every 30 simulated s after formation. A mesh dial refused by a full bootstrap node backs off and
        // comes back later, so the mesh may complete late, but what is linked stays linked (no kick, no flapping).
        for (let tS = 60; tS <= base.durationS; tS += 30) {
          sim.step(1e12, tS * 1_000_000);
          const o = sim.overlay()!;
          expect(bootstrapGroups(o), `${why} (at ${tS} s)`).toBe(1);
          const links = meshLinks(o);
          expect(links, `${why} (at ${tS} s)`).toBeGreaterThanOrEqual(before);
          before = links;
        }
        sim.runToEnd();
        expect(meshLinks(sim.overlay()!), why).toBe(pairs);
        expect(components(sim.overlay()!).count, why).toBe(1);
      }
    });
  }
});
