import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RngStreams } from '../../engine/rng.ts';
import { PeerStore } from './peer-store.ts';
import { RecordPool } from './record-pool.ts';
import { F_CONNECT, F_OUT } from './record.ts';
import { GraphScratch } from './scratch.ts';
import { minimalOverlap, type SelectionView } from './selection.ts';

const PEERS = 24;

/**
 * A map of claims (some confirmed from both ends, some one-sided) over 8 to
 * 24 peers, hubs every neighbour links to (redundant neighbours, so a
 * replacement can pay off), our neighbours, the candidates, and the margin.
 */
const arbSetup = fc.integer({ min: 8, max: PEERS }).chain((n) =>
  fc.record({
    claims: fc.array(fc.record({ a: fc.nat(n - 1), b: fc.nat(n - 1), both: fc.boolean() }), { maxLength: 160 }),
    hubs: fc.uniqueArray(fc.integer({ min: 1, max: n - 1 }), { maxLength: 6 }),
    neighbours: fc.uniqueArray(fc.integer({ min: 1, max: n - 1 }), { maxLength: 10 }),
    candidates: fc.uniqueArray(fc.integer({ min: 1, max: n - 1 }), { maxLength: 16 }),
    margin: fc.nat(3),
  }),
);

function viewOf(claims: { a: number; b: number; both: boolean }[], hubs: number[], neighbours: number[]): SelectionView {
  const store = new PeerStore(new RecordPool(), { maxClaims: 32, maxEntries: 64, maxSkewUs: 1e9 });
  for (const n of neighbours) for (const h of hubs) claims = [...claims, { a: n, b: h, both: true }];
  for (const { a, b, both } of claims) {
    if (a === b) continue;
    store.apply({ origin: a, peer: b, flags: F_CONNECT | F_OUT, timestampUs: 1 }, 10);
    if (both) store.apply({ origin: b, peer: a, flags: F_CONNECT, timestampUs: 1 }, 10);
  }
  return {
    self: 0,
    now: 10,
    neighbours: new Map(neighbours.map((n) => [n, { sinceUs: 0, out: true }])),
    store,
    rng: new RngStreams(1).stream('t'),
    scratch: new GraphScratch(),
    peerSpace: PEERS,
  };
}

describe('minimal-overlap replacement shortcut', () => {
  it('decides what rank()[0] and worst() decide: the same candidate, the same neighbour, or nothing', () => {
    let replaced = 0;
    let kept = 0;
    fc.assert(
      fc.property(arbSetup, ({ claims, hubs, neighbours, candidates, margin }) => {
        const view = viewOf(claims, hubs, neighbours);
        const fresh = candidates.filter((c) => !view.neighbours.has(c));
        const ranked = minimalOverlap.rank(view, fresh);
        const worst = minimalOverlap.worst(view, neighbours);
        const expected = ranked.length > 0 && worst && ranked[0].score + margin <= worst.score ? { add: ranked[0], drop: worst } : undefined;
        const got = minimalOverlap.replacement!(view, neighbours, fresh, margin);
        expect(got).toEqual(expected);
        if (!expected) kept++;
        else if (expected.add.score > 0) replaced++;
      }),
      { numRuns: 400, seed: 14 },
    );
    // Both outcomes were exercised, replacements by a candidate that overlaps too (else the property proves little).
    expect(replaced).toBeGreaterThan(10);
    expect(kept).toBeGreaterThan(10);
  });
});
