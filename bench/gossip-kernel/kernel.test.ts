import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KernelCapacityError, KernelRangeError } from './errors.ts';
import { EventTable } from './event-table.ts';
import { randomRegularGraph } from './graph.ts';
import { GossipKernel } from './kernel.ts';
import { MessageArena } from './message-arena.ts';
import { DEFAULT_GOSSIP, type GossipModel, type GossipParams } from './model.ts';
import { defaultWorkload, runModel, type RunSpec } from './run.ts';
import { APPLIED, STALE, VersionStore } from './version-store.ts';
import type { WindowShadowKernel } from './window-shadow.ts';

function maps(model: GossipModel, n: number, sample: number[]): unknown[] {
  return sample.map((p) => Array.from({ length: n }, (_, o) => model.entries(p, o)));
}

function expectSameRun(spec: RunSpec, sample: number[]): GossipModel {
  const k = runModel('kernel', spec).model;
  const r = runModel('reference', spec).model;
  expect(k.stats).toEqual(r.stats);
  expect(maps(k, spec.peers, sample)).toEqual(maps(r, spec.peers, sample));
  const s = k.stats;
  expect(s.receipts).toBe(s.duplicates + s.applied + s.stale + s.excessive);
  return k;
}

describe('gossip kernel = plain reference', () => {
  it('100 peers, 12 links, default gossip, 150 s: same counts and same maps', () => {
    const k = expectSameRun({ peers: 100, degree: 12, workload: { ...defaultWorkload('t1', 150), flapsPerPeerHour: 60 } }, [0, 7, 42, 99]);
    // The run exercised what it claims: floods with mostly duplicates, exclusions, and events reach (nearly) every peer (some still in flight at the end).
    expect(k.stats.duplicates).toBeGreaterThan(5 * k.stats.applied);
    expect(k.stats.suppressed).toBeGreaterThan(0);
    expect(k.stats.applied + k.stats.stale).toBeLessThanOrEqual(k.stats.originated * 99);
    expect(k.stats.applied).toBeGreaterThan(0.98 * k.stats.originated * 99);
  });

  it('small batches, a short TTL and a small event table (size-triggered flushes, TTL cut-off, stale events, recycled ids)', () => {
    const params: GossipParams = { ...DEFAULT_GOSSIP, ttl: 2, batchSize: 3 };
    // A small event table: ids are recycled many times over, and dedupe must stay exact through it.
    const spec: RunSpec = { peers: 80, degree: 6, params, caps: { events: 256 }, workload: { ...defaultWorkload('t2', 200), joinS: 20, refreshS: 60, flapsPerPeerHour: 600, reconnectS: 0.002 } };
    const k = expectSameRun(spec, [1, 50, 79]);
    expect(k.stats.originated).toBeGreaterThan(4 * 256);
    expect(k.stats.applied).toBeLessThan(k.stats.originated * 79);
    expect(k.stats.stale).toBeGreaterThan(0); // TTL 2 does not reach everyone
    expect(k.stats.messages).toBeGreaterThan(0);
  });

  it('random small overlays and workloads (property): exact dedupe, counts and maps equal', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 24 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 8 }),
        fc.string({ maxLength: 6 }),
        (n, degree, ttl, batchSize, seed) => {
          const spec: RunSpec = {
            peers: n,
            degree: Math.min(degree, n - 1),
            params: { ...DEFAULT_GOSSIP, ttl, batchSize },
            workload: { ...defaultWorkload(`p/${seed}`, 120), joinS: 10, refreshS: 30, flapsPerPeerHour: 900 },
          };
          expectSameRun(spec, [0, n - 1]);
        },
      ),
      { numRuns: 25, seed: 7 },
    );
  });
});

describe('exact dedupe against the windowed seen-cache', () => {
  it('duplicates a small window forgets turn into stale receipts, nothing else changes; the kernel shadow counts them exactly', () => {
    const spec: RunSpec = { peers: 60, degree: 8, windowCapacity: 16, workload: { ...defaultWorkload('w1', 100), joinS: 20 } };
    const exact = runModel('reference', spec).model.stats;
    const windowed = runModel('reference-windowed', spec).model.stats;
    const shadow = runModel('kernel-window-shadow', spec).model as WindowShadowKernel;
    expect(windowed.stale - exact.stale).toBeGreaterThan(100);
    expect(exact.duplicates - windowed.duplicates).toBe(windowed.stale - exact.stale);
    expect({ ...windowed, duplicates: 0, stale: 0 }).toEqual({ ...exact, duplicates: 0, stale: 0 });
    expect(shadow.forgotten).toBe(windowed.stale - exact.stale);
    expect(shadow.falseSeen).toBe(0);
  });
});

describe('bounded structures', () => {
  it('event ids are reused within capacity; a recycled slot keeps no seen bits (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 16 }), fc.array(fc.tuple(fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 69 })), { maxLength: 300 }), (cap, ops) => {
        const t = new EventTable(70, cap);
        const live: number[] = [];
        for (const [doIntern, pick, origin] of ops) {
          if (doIntern) {
            if (live.length === cap) {
              expect(() => t.intern(origin, 0, 1, 0)).toThrow(KernelCapacityError);
              continue;
            }
            const id = t.intern(origin, 1, 1, 0);
            expect(id).toBeGreaterThanOrEqual(0);
            expect(id).toBeLessThan(cap);
            expect(live).not.toContain(id);
            for (let p = 0; p < 70; p++) expect(t.hasSeen(id, p)).toBe(p === origin);
            t.refs[id] = 1;
            t.seen[id * t.words] |= 0b1010; // as if peers 1 and 3 had received it
            live.push(id);
          } else if (live.length > 0) {
            t.release(live.splice(pick % live.length, 1)[0]);
          }
          expect(t.live).toBe(live.length);
        }
      }),
      { numRuns: 200, seed: 11 },
    );
  });

  it('arena messages never overlap while in flight, freed in any order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.nat()), { maxLength: 200 }), (ops) => {
        const a = new MessageArena(64, 8);
        const live: number[] = [];
        for (const [len, pick] of ops) {
          if (pick % 3 !== 0 || live.length === 0) {
            let m: number;
            try {
              m = a.alloc(len);
            } catch (e) {
              expect(e).toBeInstanceOf(KernelCapacityError);
              continue;
            }
            expect(a.off[m] + len).toBeLessThanOrEqual(64);
            for (const o of live) expect(a.off[m] + len <= a.off[o] || a.off[o] + a.len[o] <= a.off[m]).toBe(true);
            live.push(m);
          } else {
            a.free(live.splice(pick % live.length, 1)[0]);
          }
        }
        for (const m of live) a.free(m);
        expect(a.inFlight).toBe(0);
      }),
      { numRuns: 300, seed: 5 },
    );
  });

  it('versions: stale writes refused, equal content shared, full record and full slab are typed errors', () => {
    const s = new VersionStore(4, 3, 2, 32);
    expect(s.apply(0, 1, 2, 1, 100, 0)).toBe(APPLIED);
    expect(s.apply(1, 1, 2, 1, 100, 0)).toBe(APPLIED); // memo hit: same version
    expect(s.cells[0 * 4 + 1]).toBe(s.cells[1 * 4 + 1]);
    expect(s.apply(0, 1, 2, 1, 50, 1)).toBe(STALE);
    expect(s.apply(0, 1, 3, 1, 100, 2)).toBe(APPLIED);
    expect(() => s.apply(0, 1, 0, 1, 100, 3)).toThrow(expect.objectContaining({ field: 'maxEntries' }));
    const tiny = new VersionStore(4, 1, 4, 32, 0);
    tiny.apply(0, 1, 2, 1, 100, 0);
    expect(() => tiny.apply(0, 2, 3, 1, 100, 1)).toThrow(expect.objectContaining({ field: 'versionCapacity' }));
  });

  it('a degree above 32 (exclusion mask width) is refused by name', () => {
    const g = randomRegularGraph(40, 33, 'd', 1000, 1000);
    const net = { send: () => {}, arm: () => {} };
    expect(() => new GossipKernel(g, net, DEFAULT_GOSSIP, { events: 8, versions: 8, arenaSlots: 8, messages: 8 })).toThrow(KernelRangeError);
  });
});
