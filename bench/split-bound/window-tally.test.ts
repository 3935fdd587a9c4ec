import { describe, expect, it } from 'vitest';
import { WindowTally } from './window-tally.ts';

describe('WindowTally', () => {
  it('bounds an evenly split run at the number of partitions', () => {
    const t = new WindowTally(1000, 2, 10);
    for (let w = 0; w < 5; w++) {
      t.add(w * 1000 + 10, 0, 3);
      t.add(w * 1000 + 20, 1, 3);
    }
    expect(t.summary()).toMatchObject({ windows: 5, totalMs: 30, criticalPathMs: 15, speedupBound: 2, byPartitionMs: [15, 15] });
  });

  it('gains nothing when each window has work on one partition only, even if the partitions are busy alike overall', () => {
    const t = new WindowTally(1000, 2, 10);
    t.add(500, 0, 4); // window 0: host 0 (partition 0)
    t.add(1500, 3, 4); // window 1: host 3 (partition 1)
    expect(t.summary()).toMatchObject({ totalMs: 8, criticalPathMs: 8, speedupBound: 1, byPartitionMs: [4, 4] });
  });

  it('counts events of no host and time outside the events as serial', () => {
    const t = new WindowTally(1000, 2, 10);
    t.add(0, 0, 5);
    t.add(0, 1, 5);
    t.add(0, -1, 2);
    const s = t.summary(3);
    expect(s.serialMs).toBe(5);
    expect(s.speedupBound).toBeCloseTo(15 / 10, 12);
  });

  it('refuses a time past its windows and sizes it cannot hold', () => {
    const t = new WindowTally(1000, 2, 3);
    expect(() => t.add(3000, 0, 1)).toThrow(/past the 3 windows/);
    expect(() => new WindowTally(0, 2, 3)).toThrow(/windowUs/);
    expect(() => new WindowTally(1000, 0, 3)).toThrow(/partitions/);
    expect(() => new WindowTally(1000, 2, 1 << 26)).toThrow(/maxWindows/);
  });
});
