import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../engine/rng.ts';
import { US_PER_S } from '../../engine/time.ts';
import { ScenarioError } from '../../scenario/errors.ts';
import { kademliaSchema } from './config-schema.ts';
import { kademliaAppConfig, kademliaAppConfigFrom } from './app-config.ts';
import { Histogram } from './app-metrics.ts';
import { kademliaScenario } from './app-test-support.ts';
import { kademliaConfig } from './constants.ts';
import { KadIdTable } from './ids.ts';
import { chooseOverlayLinks, chooseStickyOverlayLinks } from './overlay.ts';
import { RoutingTable } from './routing-table.ts';
import { RpcKind, RpcState, RpcTable } from './rpc.ts';

describe('RpcTable', () => {
  it('allocates up to its capacity, matches answers by id, peer and kind, and rejects reused slots', () => {
    const t = new RpcTable<string>(4);
    const a = t.alloc(RpcKind.FindNode, 7, 'run')!;
    const b = t.alloc(RpcKind.Ping, 8, undefined)!;
    t.alloc(RpcKind.Ping, 9, undefined);
    t.alloc(RpcKind.Ping, 10, undefined);
    expect(t.alloc(RpcKind.Ping, 11, undefined)).toBeUndefined();
    expect(t.waiting).toBe(4);
    t.setState(a, RpcState.Sent);
    expect(t.waiting).toBe(3);
    expect(t.match(a.requestId, 7, RpcKind.FindNode)).toBe(a);
    expect(t.match(a.requestId, 8, RpcKind.FindNode)).toBeUndefined(); // wrong peer
    expect(t.match(a.requestId, 7, RpcKind.Ping)).toBeUndefined(); // wrong kind
    expect(t.match(b.requestId, 8, RpcKind.Ping)).toBe(b);
    const old = a.requestId;
    t.release(a);
    const c = t.alloc(RpcKind.FindNode, 7, 'run2')!;
    expect(c.slot).toBe(a.slot);
    expect(c.requestId).not.toBe(old);
    expect(t.match(old, 7, RpcKind.FindNode)).toBeUndefined(); // a late answer to the slot's previous use
    expect(t.match(c.requestId, 7, RpcKind.FindNode)).toBe(c);
    t.setState(c, RpcState.Orphan);
    expect(t.orphans).toBe(1);
    t.reset();
    expect(t.inUse).toBe(0);
    expect(t.waiting + t.orphans).toBe(0);
  });

  it('request ids stay distinct u32 values across many generations of a slot', () => {
    const t = new RpcTable<undefined>(3);
    const seen = new Set<number>();
    for (let i = 0; i < 3000; i++) {
      const r = t.alloc(RpcKind.Ping, 1, undefined)!;
      expect(Number.isInteger(r.requestId) && r.requestId >= 0 && r.requestId < 2 ** 32).toBe(true);
      expect(seen.has(r.requestId)).toBe(false);
      seen.add(r.requestId);
      t.release(r);
    }
  });
});

/** A table of `n` random peers seen by peer 0, with bucket size k. */
function randomTable(seed: number, n: number, k: number): RoutingTable {
  const rng = new Rng(`sticky/${seed}`);
  const ids = new KadIdTable(n + 1);
  for (let p = 0; p <= n; p++) ids.setRandom(p, rng);
  const table = new RoutingTable(ids, 0, kademliaConfig({ k, replacementCacheSize: 0, lookupShortlistSize: Math.max(60, k) }), 0);
  for (let p = 1; p <= n; p++) {
    const r = table.observe(p, p);
    if (r.kind === 'ping') table.pingResult(p, r.peer, true);
  }
  return table;
}

function perBucket(table: RoutingTable, peers: readonly number[]): Map<number, number> {
  const m = new Map<number, number>();
  for (const p of peers) m.set(table.bucketOf(p), (m.get(table.bucketOf(p)) ?? 0) + 1);
  return m;
}

describe('chooseStickyOverlayLinks', () => {
  it('without current links, picks the same set as chooseOverlayLinks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 40 }), (seed, n, k, count) => {
        const table = randomTable(seed, n, k);
        const sticky = chooseStickyOverlayLinks(table, count, new Set());
        const plain = chooseOverlayLinks(table, count);
        expect([...sticky].sort((a, b) => a - b)).toEqual([...plain].sort((a, b) => a - b));
      }),
      { numRuns: 60 },
    );
  });

  it('keeps current links that are still in their bucket share; same share per bucket as chooseOverlayLinks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 40 }), (seed, n, count, keepList) => {
        const table = randomTable(seed, n, 8);
        const keep = new Set(keepList);
        const out = chooseStickyOverlayLinks(table, count, keep);
        expect(new Set(out).size).toBe(out.length);
        expect(out.length).toBe(Math.min(count, table.size));
        for (const p of out) expect(table.has(p)).toBe(true);
        const share = perBucket(table, chooseOverlayLinks(table, count));
        expect(perBucket(table, out)).toEqual(share);
        // in each bucket, min(share, kept members present) current links survive
        for (const [b, s] of share) {
          const present = table.bucket(b).filter((p) => keep.has(p)).length;
          const kept = out.filter((p) => table.bucketOf(p) === b && keep.has(p)).length;
          expect(kept).toBe(Math.min(s, present));
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('kademlia app config', () => {
  it('defaults from the schema: maxOutbound = overlayLinks + maxConcurrentLookups × alpha', () => {
    const s = kademliaSchema.parse({});
    const cfg = kademliaAppConfigFrom(s);
    expect(cfg.overlayLinks).toBe(12);
    expect(cfg.maxOutbound).toBe(12 + 3 * 3);
    expect(cfg.kad.k).toBe(20);
    expect(cfg.kad.bucketRefreshUs).toBe(3600 * US_PER_S);
    expect(cfg.idleTimeoutUs).toBe(30 * US_PER_S);
    expect(cfg.lookupIntervalUs).toBe(60 * US_PER_S);
    expect(cfg.maxPendingRpcs).toBeGreaterThanOrEqual(cfg.maxConcurrentLookups * cfg.kad.alpha);
    expect(kademliaAppConfigFrom(kademliaSchema.parse({ overlayLinks: 8, alpha: 2, maxConcurrentLookups: 2 })).maxOutbound).toBe(12);
    expect(kademliaAppConfigFrom(kademliaSchema.parse({ maxOutbound: 40 })).maxOutbound).toBe(40);
  });

  it('rejects bad values, naming the field', () => {
    expect(() => kademliaAppConfig({ maxPendingRpcs: 5000 })).toThrow(/maxPendingRpcs/);
    expect(() => kademliaAppConfig({ overlayLinks: -1 })).toThrow(/overlayLinks/);
    try {
      kademliaScenario({ peers: 10, durationS: 10, kademlia: 'overlayLinks: 12, maxOutbound: 13' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      expect(String((e as Error).message)).toMatch(/protocol\.kademlia\.maxOutbound/);
    }
    expect(() => kademliaScenario({ peers: 10, durationS: 10, kademlia: 'alfa: 3' })).toThrow(/alfa/);
  });
});

describe('Histogram', () => {
  it('reports quantiles at bin edges and the maximum in the overflow bin', () => {
    const h = new Histogram(10, 10);
    for (const v of [1, 5, 12, 18, 25, 1000]) h.add(v);
    expect(h.count).toBe(6);
    expect(h.quantile(0.5)).toBe(20);
    expect(h.quantile(1)).toBe(1000);
    expect(h.mean).toBeCloseTo(1061 / 6);
  });
});
