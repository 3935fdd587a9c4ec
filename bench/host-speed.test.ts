import { describe, expect, it } from 'vitest';
import { cycle } from './host-speed.ts';

describe('host-speed workload', () => {
  it('chases one cycle through every word, so the loads cannot settle into a short loop that stays in cache', () => {
    for (const words of [2, 3, 1 << 10, 1 << 14]) {
      const next = cycle(words);
      const seen = new Uint8Array(words);
      let i = 0;
      for (let k = 0; k < words; k++) {
        expect(seen[i]).toBe(0);
        seen[i] = 1;
        i = next[i];
      }
      expect(i).toBe(0); // back at the start after exactly `words` loads
    }
  });

  it('is the same cycle every time (a fixed workload, nothing random)', () => {
    expect(cycle(1 << 12)).toEqual(cycle(1 << 12));
  });
});
