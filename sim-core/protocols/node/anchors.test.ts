import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Address } from '../../sans-io/protocol.ts';
import { newConn, type Conn } from './conn.ts';
import { Anchors } from './defences.ts';

/** What Anchors.update keeps, written the plain way: a set of live addresses, a filter, a sort. */
function reference(list: readonly Address[], conns: readonly Conn[], count: number, minAgeUs: number, now: number): Address[] {
  const up = conns.filter((c) => c.dir === 'out' && c.state === 'up' && now - c.upSinceUs >= minAgeUs);
  const live = new Set(up.map((c) => c.address));
  const kept = list.filter((a) => live.has(a));
  up.sort((a, b) => a.upSinceUs - b.upSinceUs || a.address - b.address);
  for (const c of up) {
    if (kept.length >= count) break;
    if (!kept.includes(c.address)) kept.push(c.address);
  }
  return kept;
}

const connArb = fc.record({
  address: fc.integer({ min: 0, max: 12 }),
  out: fc.boolean(),
  state: fc.constantFrom('dialing' as const, 'handshake' as const, 'up' as const),
  upSinceUs: fc.integer({ min: 0, max: 50 }).map((s) => s * 1_000_000),
});

describe('Anchors', () => {
  it('keeps live anchors, then adds the oldest outbound links old enough, as the plain filter-and-sort does', () => {
    fc.assert(
      fc.property(fc.array(fc.array(connArb, { maxLength: 40 }), { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 4 }), (rounds, count) => {
        const anchors = new Anchors(count, 5_000_000);
        let expected: Address[] = [];
        rounds.forEach((spec, i) => {
          const now = 60_000_000 + i * 10_000_000;
          const conns = spec.map((s, k) => {
            const c = newConn(k, s.address, s.out ? 'out' : 'in', 0);
            c.state = s.state;
            c.upSinceUs = s.upSinceUs;
            return c;
          });
          expected = reference(expected, conns, count, 5_000_000, now);
          expect(anchors.due(now)).toBe(true);
          anchors.update(conns, now);
          expect(anchors.addresses).toEqual(expected);
          expect(anchors.due(now + 1)).toBe(false);
        });
      }),
      { seed: 23, numRuns: 300 },
    );
  });

  it('does nothing with a count of 0', () => {
    const anchors = new Anchors(0, 0);
    const c = newConn(1, 4, 'out', 0);
    c.state = 'up';
    expect(anchors.due(1)).toBe(false);
    anchors.update([c], 1);
    expect(anchors.addresses).toEqual([]);
  });
});
