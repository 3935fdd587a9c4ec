import { describe, expect, it } from 'vitest';
import { LatenessHistogram, mergeStarvation, STARVED_LOOP_P99_MS, STARVED_LOOP_UTILISATION, STARVED_TIMER_P99_MS, starvationVerdict, type StarvationBlock } from './starvation.ts';

const calm: StarvationBlock = {
  loops: 1,
  loopDelayMs: { p50: 0.5, p99: 3, max: 12 },
  loopUtilisation: 0.3,
  timerLateness: { count: 1000, p50Ms: 1, p99Ms: 5, maxMs: 9 },
  sampleLateness: { count: 30, p50Ms: 1, p99Ms: 2, maxMs: 2 },
  cpuSeconds: 20,
  wallSeconds: 300,
  loadAvgStart: 0.5,
  loadAvgEnd: 0.7,
};

describe('live starvation verdict', () => {
  it('a run with slack is not starved, and says so with its figures', () => {
    const v = starvationVerdict(calm);
    expect(v.starved).toBe(false);
    expect(v.reasons).toEqual([]);
    expect(v.line).toMatch(/not starved \(p99 loop delay 3 ms/);
  });

  it('each threshold crossed is a reason, and the line says timing differences are not meaningful', () => {
    const loop = starvationVerdict({ ...calm, loopDelayMs: { p50: 5, p99: STARVED_LOOP_P99_MS + 1, max: 900 } });
    expect(loop.starved).toBe(true);
    expect(loop.line.startsWith(`live run CPU-starved: p99 loop delay ${STARVED_LOOP_P99_MS + 1} ms > ${STARVED_LOOP_P99_MS} ms: differences in timing metrics are not meaningful`)).toBe(true);
    const timers = starvationVerdict({ ...calm, timerLateness: { ...calm.timerLateness, p99Ms: STARVED_TIMER_P99_MS * 2 } });
    expect(timers.reasons).toEqual([`p99 timer lateness ${STARVED_TIMER_P99_MS * 2} ms > ${STARVED_TIMER_P99_MS} ms`]);
    const busy = starvationVerdict({ ...calm, loopUtilisation: STARVED_LOOP_UTILISATION + 0.05 });
    expect(busy.reasons).toHaveLength(1);
    expect(busy.reasons[0]).toMatch(/event loop busy/);
    // Why: a fifth of a core per loop while the loop is 97% busy is a shared machine; a full core is the run's own work.
    const shared = starvationVerdict({ ...calm, loopUtilisation: 0.97, cpuSeconds: 60, wallSeconds: 300, loadAvgStart: 15, loadAvgEnd: 20 });
    expect(shared.line).toMatch(/each loop had 20% of a core while 97% busy, load 15→20: the machine is oversubscribed/);
    const bound = starvationVerdict({ ...calm, loops: 2, loopUtilisation: 0.97, cpuSeconds: 570, wallSeconds: 300 });
    expect(bound.line).toMatch(/each loop used 95% of a core: the run is CPU-bound; spread it with --workers/);
    // Exactly at a threshold is not over it.
    expect(starvationVerdict({ ...calm, loopDelayMs: { ...calm.loopDelayMs, p99: STARVED_LOOP_P99_MS } }).starved).toBe(false);
  });

  it('lateness histogram: quantiles are bucket bounds capped by the exact max; empty is 0', () => {
    const h = new LatenessHistogram();
    expect(h.toJSON()).toEqual({ count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 });
    for (let i = 0; i < 98; i++) h.add(0.4);
    h.add(30);
    h.add(4_000);
    const s = h.toJSON();
    expect(s.count).toBe(100);
    expect(s.p50Ms).toBe(1);
    expect(s.p99Ms).toBe(50);
    expect(s.maxMs).toBe(4_000);
    h.add(-3); // a timer never fires early; clock noise counts as on time
    expect(h.toJSON().count).toBe(101);
  });

  it('workers merge as the worst loop, all timers, summed CPU', () => {
    const a = new LatenessHistogram();
    const b = new LatenessHistogram();
    a.add(1);
    b.add(700);
    const m = mergeStarvation([calm, { ...calm, loopDelayMs: { p50: 1, p99: 80, max: 300 }, loopUtilisation: 0.6, cpuSeconds: 5 }], LatenessHistogram.from(a.raw()), b);
    expect(m.loops).toBe(2);
    expect(m.loopDelayMs).toEqual({ p50: 1, p99: 80, max: 300 });
    expect(m.loopUtilisation).toBe(0.6);
    expect(m.cpuSeconds).toBe(25);
    expect(m.timerLateness.maxMs).toBe(1);
    expect(m.sampleLateness.maxMs).toBe(700);
    expect(mergeStarvation([calm, { ...calm, cpuSeconds: null }], a, b).cpuSeconds).toBeNull();
  });
});
