import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../scenario/load.ts';
import type { Scenario } from '../../scenario/schema/index.ts';
import { inProcessRunner, JobCancelled, type JobProgress } from './jobs.ts';
import { WorkerDied, workerPoolRunner } from './pool.ts';

const node = (seed: number, strategy = 'random') =>
  parseScenario(`name: p\nseed: ${seed}\ndurationS: 40\npeers: { count: 30, joinOverS: 5 }\nprotocol: { kind: node, strategy: ${strategy} }\n`, 'p.yaml');
/** Flood pings every 0.5 s: a few hundred thousand events, so progress is reported between chunks. */
const busy = parseScenario(
  'name: busy\ndurationS: 20\npeers: { count: 60, joinOverS: 2 }\nprotocol: { kind: flood, pingIntervalS: 0.5 }\nmetrics: { sampleEveryS: 5 }\n',
  'busy.yaml',
);

describe('worker pool runner', () => {
  it('runs jobs on N workers with results identical to the in-process runner', async () => {
    const specs = [1, 2, 3, 4].map((s) => ({ label: `seed ${s}`, scenario: node(s, s % 2 ? 'random' : 'kademlia') }));
    const pool = workerPoolRunner({ workers: 2 });
    const pooled = await Promise.all(specs.map((s) => pool.run(s)));
    expect(pool.started).toBe(2);
    await pool.close();
    const local = inProcessRunner();
    for (const [i, spec] of specs.entries()) {
      const r = await local.run(spec);
      expect(pooled[i].seed).toBe(spec.scenario.seed);
      expect(pooled[i].traceHash).toBe(r.traceHash);
      expect(pooled[i].metrics).toEqual(r.metrics);
      expect([1, 2]).toContain(pooled[i].worker);
      expect(pooled[i].heapPeakBytes).toBeGreaterThan(0);
      expect(pooled[i].wallSeconds).toBeGreaterThan(0);
    }
    await local.close();
  });

  it('relays progress from the worker', async () => {
    const pool = workerPoolRunner({ workers: 1 });
    const seen: JobProgress[] = [];
    const r = await pool.run({ label: 'busy', scenario: busy }, (p) => seen.push(p));
    await pool.close();
    expect(r.eventsProcessed).toBeGreaterThan(400_000);
    expect(seen.length).toBeGreaterThan(0);
    for (const p of seen) {
      expect(p.totalS).toBe(20);
      expect(p.simS).toBeLessThanOrEqual(20);
    }
    expect(seen.map((p) => p.events)).toEqual([...seen.map((p) => p.events)].sort((a, b) => a - b));
  });

  it('a job that throws rejects with its error; the worker goes on with the next job', async () => {
    const pool = workerPoolRunner({ workers: 1 });
    const bad = { ...node(1), protocol: { kind: 'bogus' } } as unknown as Scenario;
    const failing = pool.run({ label: 'bad', scenario: bad });
    const next = pool.run({ label: 'good', scenario: node(1) });
    await expect(failing).rejects.toThrow();
    await expect(next).resolves.toMatchObject({ seed: 1, endReason: 'completed' });
    expect(pool.started).toBe(1);
    await pool.close();
  });

  it('a worker that dies fails its job with WorkerDied and is replaced for the queued ones', async () => {
    const dying = new URL('data:text/javascript,process.exit(3)');
    const pool = workerPoolRunner({ workers: 1, workerUrl: dying });
    const a = pool.run({ label: 'a', scenario: node(1) });
    const b = pool.run({ label: 'b', scenario: node(2) });
    await expect(a).rejects.toBeInstanceOf(WorkerDied);
    await expect(a).rejects.toThrow(/job a: worker 1 exited \(code 3\)/);
    await expect(b).rejects.toThrow(/job b: worker 2 exited/);
    expect(pool.started).toBe(2);
    await pool.close();
  });

  it('close cancels queued and running jobs; later runs are refused', async () => {
    const pool = workerPoolRunner({ workers: 1 });
    const running = pool.run({ label: 'running', scenario: busy });
    const queued = pool.run({ label: 'queued', scenario: node(2) });
    const outcomes = [expect(running).rejects.toBeInstanceOf(JobCancelled), expect(queued).rejects.toThrow('job queued cancelled')];
    await new Promise((r) => setTimeout(r, 200));
    await pool.close();
    await Promise.all(outcomes);
    await expect(pool.run({ label: 'late', scenario: node(3) })).rejects.toBeInstanceOf(JobCancelled);
  });

  it('rejects a pool size below 1', () => {
    expect(() => workerPoolRunner({ workers: 0 })).toThrow(RangeError);
  });
});
