import { Worker } from 'node:worker_threads';
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

  it.runIf(process.platform === 'linux')('a job reports its own thread CPU time: not above its wall time', async () => {
    const runner = inProcessRunner();
    const a = await runner.run({ label: 'a', scenario: scenario(1) });
    await runner.close();
    expect(a.cpuSeconds).not.toBeNull();
    expect(a.cpuSeconds!).toBeGreaterThanOrEqual(0);
    expect(a.cpuSeconds!).toBeLessThanOrEqual(a.wallSeconds + 0.02); // one tick each side
  });

  it.runIf(process.platform === 'linux')('threadCpuSeconds counts the calling thread only, not the other threads of the process', async () => {
    // A worker thread burns 0.3 s of its own CPU (by its own clock, so the test does not depend on load) while this thread waits.
    const burn = `
      const { readFileSync } = require('node:fs');
      const own = () => { const s = readFileSync('/proc/thread-self/stat', 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
      const start = own(); const deadline = Date.now() + 20000; let x = 0;
      while (own() - start < 0.3 && Date.now() < deadline) for (let i = 0; i < 1e5; i++) x = (x + i) % 1000003;
      require('node:worker_threads').parentPort.postMessage(own() - start + x * 0);
    `;
    const mainBefore = threadCpuSeconds()!;
    const processBefore = process.cpuUsage();
    const workerSeconds = await new Promise<number>((resolve, reject) => {
      const w = new Worker(burn, { eval: true });
      w.once('message', (m: number) => resolve(m));
      w.once('error', reject);
    });
    const mainSeconds = threadCpuSeconds()! - mainBefore;
    const p = process.cpuUsage(processBefore);
    expect(workerSeconds).toBeGreaterThanOrEqual(0.3);
    expect((p.user + p.system) / 1e6).toBeGreaterThanOrEqual(0.29); // the process saw the worker's CPU...
    expect(mainSeconds).toBeLessThan(0.15); // ...this thread did not
  });
});
