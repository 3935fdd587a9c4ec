import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenario/load.ts';
import { Simulation } from '../../scenario/simulation.ts';
import { threadCpuSeconds } from '../machine.ts';
import { inProcessRunner, JobCancelled, type JobProgress } from './jobs.ts';

const scenario = (seed: number) =>
  parseScenario(`name: j\nseed: ${seed}\ndurationS: 30\npeers: { count: 20, joinOverS: 5 }\nprotocol: { kind: node, strategy: none }\n`, 'j.yaml');

describe('in-process job runner', () => {
  it('runs queued jobs one at a time, each equal to a direct Simulation run', async () => {
    const runner = inProcessRunner();
    const progress: JobProgress[] = [];
    const [a, b] = await Promise.all([runner.run({ label: 'a', scenario: scenario(1) }, (p) => progress.push(p)), runner.run({ label: 'b', scenario: scenario(2) })]);
    await runner.close();
    expect(a.traceHash).toBe(new Simulation(scenario(1)).runToEnd().traceHash);
    expect(b.traceHash).toBe(new Simulation(scenario(2)).runToEnd().traceHash);
    expect(a.seed).toBe(1);
    expect(a.wallSeconds).toBeGreaterThan(0);
    expect(a.peakRssBytes).toBeGreaterThan(0);
    for (const p of progress) expect(p.simS).toBeLessThanOrEqual(p.totalS);
  });

  it('close cancels queued jobs', async () => {
    const runner = inProcessRunner();
    const a = runner.run({ label: 'a', scenario: scenario(1) });
    const b = runner.run({ label: 'b', scenario: scenario(2) });
    const closing = runner.close();
    await expect(a).rejects.toBeInstanceOf(JobCancelled);
    await expect(b).rejects.toThrow('job b cancelled');
    await closing;
  });

  it.runIf(process.platform === 'linux')('a job reports its own thread CPU time: positive, not above its wall time, and it counts only this thread', async () => {
    const runner = inProcessRunner();
    const a = await runner.run({ label: 'a', scenario: scenario(1) });
    await runner.close();
    expect(a.cpuSeconds).not.toBeNull();
    expect(a.cpuSeconds!).toBeGreaterThanOrEqual(0);
    expect(a.cpuSeconds!).toBeLessThanOrEqual(a.wallSeconds + 0.02); // one tick each side
    // Busy for ~300 ms: the thread's CPU time moves by about that much (ticks are 10 ms).
    const before = threadCpuSeconds()!;
    const until = performance.now() + 300;
    let x = 0;
    while (performance.now() < until) x = (x + 1) % 1_000_003;
    const used = threadCpuSeconds()! - before;
    expect(x).toBeGreaterThanOrEqual(0);
    expect(used).toBeGreaterThan(0.15);
    expect(used).toBeLessThan(0.5);
  });
});
