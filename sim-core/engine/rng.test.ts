import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { RngStreams, streamSeed } from './rng.ts';

const draws = (rng: { next(): number }, n: number) => Array.from({ length: n }, () => rng.next());

describe('RngStreams', () => {
  it('derives each stream as seedrandom.alea("peermap/v1/<seed>/<name>")', () => {
    const s = new RngStreams(42).stream('net/latency');
    const ref = seedrandom.alea('peermap/v1/42/net/latency');
    expect(draws(s, 50)).toEqual(draws({ next: ref }, 50));
    expect(streamSeed(42, 'peer/3/flood')).toBe('peermap/v1/42/peer/3/flood');
  });

  it('adding draws to one stream leaves every other stream unchanged', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.uniqueArray(fc.stringMatching(/^[a-z0-9/]{1,12}$/), { minLength: 2, maxLength: 5 }),
        fc.nat({ max: 500 }),
        (seed, names, extra) => {
          const quiet = new RngStreams(seed);
          const busy = new RngStreams(seed);
          const [noisy, ...others] = names;
          const busyNoisy = busy.stream(noisy);
          const before = others.map((n) => draws(quiet.stream(n), 20));
          draws(busyNoisy, extra); // extra draws on one stream only
          const after = others.map((n) => draws(busy.stream(n), 20));
          expect(after).toEqual(before);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('same seed and name give the same sequence; another seed or name gives another', () => {
    const a = draws(new RngStreams(7).stream('x'), 10);
    expect(draws(new RngStreams(7).stream('x'), 10)).toEqual(a);
    expect(draws(new RngStreams(8).stream('x'), 10)).not.toEqual(a);
    expect(draws(new RngStreams(7).stream('y'), 10)).not.toEqual(a);
    expect(draws(new RngStreams(7).peer(1, 'x'), 10)).not.toEqual(draws(new RngStreams(7).peer(2, 'x'), 10));
  });

  it('int and intBetween stay in range', () => {
    const r = new RngStreams(1).stream('range');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: -1000, max: 1000 }), (n, lo) => {
        const x = r.int(n);
        const y = r.intBetween(lo, lo + n);
        return Number.isInteger(x) && x >= 0 && x < n && y >= lo && y <= lo + n;
      }),
    );
  });
});
