import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/rng.ts';
import { kademliaConfig, type KademliaConfig } from './constants.ts';
import { KadIdTable, randomKadId } from './ids.ts';
import { Lookup } from './lookup.ts';
import { RoutingTable } from './routing-table.ts';
import { SyncNetwork, observeResolved, runLookupSync } from './sync-driver.ts';

/** n peers with random ids, each table filled from a random sample of `sample` others. */
function sampledNetwork(n: number, sample: number, cfg: KademliaConfig, seed: string): SyncNetwork {
  const rng = new Rng(seed);
  const ids = new KadIdTable(n);
  for (let p = 0; p < n; p++) ids.setRandom(p, rng);
  const net = new SyncNetwork(ids, { learn: false });
  for (let p = 0; p < n; p++) {
    const t = new RoutingTable(ids, p, cfg);
    for (let i = 0; i < sample; i++) observeResolved(t, 0, rng.int(n), () => true);
    net.tables[p] = t;
  }
  return net;
}

function newLookup(net: SyncNetwork, self: number, target: Uint32Array, cfg: KademliaConfig): Lookup {
  const candidates = net.tables[self]!.closest(target, cfg.k);
  return new Lookup({ ids: net.ids, self, target, candidates, config: cfg });
}

describe('kademlia lookup state machine', () => {
  it('keeps ≤ α in flight, never re-queries, and ends, whatever the answer order and failures', () => {
    const cfg = kademliaConfig({ k: 5, alpha: 3 });
    const net = sampledNetwork(120, 40, cfg, 'lookup-prop');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 119 }), fc.integer(), fc.array(fc.nat(), { minLength: 400, maxLength: 400 }), (self, seed, choices) => {
        const target = randomKadId(new Rng(`target/${seed}`));
        const lookup = newLookup(net, self, target, cfg);
        const sent = new Set<number>();
        const inFlight: number[] = [];
        const take = (sends: ReturnType<Lookup['start']>) => {
          for (const s of sends) {
            expect(sent.has(s.to)).toBe(false);
            expect(s.to).not.toBe(self);
            sent.add(s.to);
            inFlight.push(s.to);
          }
          expect(lookup.pending).toBeLessThanOrEqual(cfg.alpha);
        };
        take(lookup.start(0));
        let step = 0;
        for (; !lookup.done && inFlight.length > 0 && step < choices.length; step++) {
          const c = choices[step];
          const [from] = inFlight.splice(c % inFlight.length, 1);
          if (c % 5 === 0) take(lookup.onTimeout(step, from)); // ~20% failures
          else take(lookup.onResponse(step, from, net.tables[from]!.closest(target, cfg.k, self)));
        }
        expect(lookup.done).toBe(true);
        const r = lookup.report();
        expect(r.queries).toBe(sent.size);
        expect(r.queries).toBeLessThanOrEqual(cfg.maxLookupQueries);
        expect(r.result.length).toBeLessThanOrEqual(cfg.k);
        // the result is sorted by distance and made of peers that answered
        for (let i = 1; i < r.result.length; i++) expect(net.ids.compareDistance(r.result[i - 1], r.result[i], target)).toBe(-1);
        for (const p of r.result) expect(sent.has(p)).toBe(true);
        if (r.success) expect(r.result.length).toBeGreaterThan(0);
      }),
      { numRuns: 200 },
    );
  });

  it('converges on the k closest that answered, in causal rounds; α = 1 sends one query per round', () => {
    const cfg = kademliaConfig({ k: 8, alpha: 1 });
    const net = sampledNetwork(200, 200, cfg, 'lookup-alpha1');
    const target = randomKadId(new Rng('t1'));
    const r = runLookupSync(newLookup(net, 0, target, cfg), net, 1_000);
    expect(r.success).toBe(true);
    expect(r.rounds).toBe(r.queries); // each query waits for the previous answer
    expect(r.durationUs).toBe(r.rounds * 100_000); // default RTT 100 ms
    expect(r.startedAtUs).toBe(1_000);
    expect(r.result.length).toBe(8);
  });

  it('fails when every candidate is dead, and reports limit when the round budget runs out', () => {
    const cfg = kademliaConfig({ k: 4, alpha: 2 });
    const net = sampledNetwork(100, 60, cfg, 'lookup-dead');
    const target = randomKadId(new Rng('t2'));
    const dead = new SyncNetwork(net.ids, { alive: () => false, learn: false });
    dead.tables.push(...net.tables);
    const r = runLookupSync(newLookup(net, 0, target, cfg), dead, 0);
    expect(r.reason).toBe('failed');
    expect(r.failures).toBe(r.queries);
    expect(r.durationUs).toBe(cfg.requestTimeoutUs * Math.ceil(r.queries / cfg.alpha));

    const tight = kademliaConfig({ k: 4, alpha: 2, maxLookupRounds: 1 });
    const limited = runLookupSync(newLookup(net, 0, target, tight), net, 0);
    expect(limited.reason).toBe('limit');
    expect(limited.rounds).toBe(1);
    expect(limited.queries).toBe(2);

    const empty = new Lookup({ ids: net.ids, self: 0, target, candidates: [], config: cfg });
    expect(empty.start(0)).toEqual([]);
    expect(empty.report().reason).toBe('failed');
  });

  it('ignores unsolicited, duplicate and late answers and unknown ids', () => {
    const cfg = kademliaConfig({ k: 2, alpha: 1 });
    const ids = new KadIdTable(8);
    const rng = new Rng('small');
    for (let p = 0; p < 4; p++) ids.setRandom(p, rng);
    const target = ids.copy(3);
    const l = new Lookup({ ids, self: 0, target, candidates: [1, 2, 0], config: cfg });
    const first = l.start(0);
    expect(first.map((s) => s.to)).toHaveLength(1);
    const asked = first[0].to;
    const other = asked === 1 ? 2 : 1;
    expect(l.onResponse(1, other, [3])).toEqual([]); // not asked
    const next = l.onResponse(2, asked, [3, 999, asked, 0]); // 999 unknown, self and asker dropped
    expect(l.ignored).toBe(1);
    expect(next.map((s) => s.to)).toEqual([3]); // 3 is the target itself, the closest
    expect(l.onResponse(3, asked, [])).toEqual([]); // duplicate
    expect(l.onResponse(4, 3, [])).toEqual([]);
    // k = 2: the two closest known (3 and the first peer asked) both answered, `other` is never needed
    expect(l.done).toBe(true);
    expect(l.onResponse(5, other, [])).toEqual([]); // late / unsolicited
    const r = l.report();
    expect(r.result).toEqual([3, asked]);
    expect(r.queries).toBe(2);
    expect(r.responses).toBe(2);
    expect(r.durationUs).toBe(4);
    expect(r.hops).toBe(1); // peer 3 was learned from one answer
    expect(() => l.start(0)).toThrow();
  });
});
