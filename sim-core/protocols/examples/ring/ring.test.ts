import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../scenario/load.ts';
import { Simulation, type OverlayView } from '../../../scenario/simulation.ts';
import { ringDistance } from './strategy.ts';

const scenario = (strategy: string, ring = '{}') =>
  parseScenario(
    `
name: ring-test
durationS: 300
peers: { count: 40, joinOverS: 30 }
network: { latency: { model: constant, ms: 30 } }
protocol: { kind: node, strategy: ${strategy}, ring: ${ring} }
`,
    'ring-test.yaml',
  );

/** Mean ring distance (in honest indices, which are the peer numbers here) over the overlay's links. */
function meanLinkDistance(o: OverlayView): number {
  let sum = 0;
  for (let i = 0; i < o.n; i++) for (let k = o.offsets[i]; k < o.offsets[i + 1]; k++) sum += ringDistance(i, o.targets[k], o.n);
  return sum / o.offsets[o.n];
}

function run(strategy: string, ring?: string) {
  const sim = new Simulation(scenario(strategy, ring));
  const result = sim.runToEnd();
  return { overlay: sim.overlay()!, metrics: result.metrics as { topology: { lccFraction: number }; ring?: unknown } };
}

describe('the ring example strategy', () => {
  it('links each peer to its nearest peer numbers, where random links land anywhere, and stays one component', () => {
    const ring = run('ring', '{ degree: 4 }');
    const random = run('random');
    const o = ring.overlay;
    // Both ring neighbours (±1) of almost every peer are linked.
    let adjacent = 0;
    for (let i = 0; i < o.n; i++) {
      const links = new Set(o.targets.subarray(o.offsets[i], o.offsets[i + 1]));
      if (links.has((i + 1) % o.n) && links.has((i + o.n - 1) % o.n)) adjacent++;
    }
    expect(adjacent).toBeGreaterThanOrEqual(o.n - 2);
    expect(meanLinkDistance(o)).toBeLessThan(3);
    expect(meanLinkDistance(random.overlay)).toBeGreaterThan(4 * meanLinkDistance(o));
    expect(ring.metrics.topology.lccFraction).toBe(1);
    expect(ring.metrics.ring).toBeDefined();
  });

  it('has its own config section, with defaults and named errors', () => {
    const s = scenario('ring');
    expect(s.protocol.kind === 'node' && s.protocol.ring).toEqual({ degree: 6, replaceIntervalS: 30 });
    expect(() => scenario('ring', '{ degree: 1 }')).toThrow(/protocol\.ring\.degree/);
    expect(() => scenario('ring', '{ span: 3 }')).toThrow(/span/);
  });
});
