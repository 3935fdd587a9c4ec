import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnKernelCapacityError } from './errors.ts';
import { ConnKernel, DEFAULT_CONN_KERNEL, M_FIND, M_NODES, M_VERACK, M_VERSION, type ConnKernelParams } from './kernel.ts';
import { ID_WORDS, NodeConnRows, RoutingRows } from './tables.ts';

const params = (seed: string, over: Partial<ConnKernelParams> = {}): ConnKernelParams => ({ ...DEFAULT_CONN_KERNEL, peers: 200, durationS: 90, seed, lookupsPerPeerPerS: 0.4, ...over });

describe('connection kernel', () => {
  it('replays: one seed gives one trace and the same counts; another seed another trace', () => {
    const a = new ConnKernel(params('s1'));
    const b = new ConnKernel(params('s1'));
    const c = new ConnKernel(params('s2'));
    const ha = a.run();
    expect(b.run()).toBe(ha);
    expect(b.stats).toEqual(a.stats);
    expect(c.run()).not.toBe(ha);
  });

  it('runs whole connection cycles and keeps its tables consistent', () => {
    const k = new ConnKernel(params('cycle', { durationS: 150 }));
    k.run();
    const s = k.stats;
    expect(k.checkInvariants()).toEqual([]);
    expect(s.dials).toBeGreaterThan(1000);
    // Both sides send a version and a verack per handshake; each established side counted once.
    expect(s.byType[M_VERSION]).toBeGreaterThan(s.dials - s.refused - 1000);
    expect(Math.abs(s.byType[M_VERSION] - s.byType[M_VERACK])).toBeLessThan(s.byType[M_VERSION] * 0.01);
    expect(s.established).toBeLessThanOrEqual(2 * s.dials);
    expect(s.byType[M_NODES]).toBeLessThanOrEqual(s.byType[M_FIND]);
    expect(s.byType[M_NODES]).toBeGreaterThan(s.byType[M_FIND] * 0.95);
    expect(s.closedIdle).toBeGreaterThan(0); // lookup connections close once idle…
    expect(k.openConns).toBeLessThan(s.dials); // …so most of them are gone at the end
    expect(s.badSignatures).toBe(0);
    expect(s.lookups).toBeGreaterThan(0);
  });

  it('fills routing tables from the answers', () => {
    const k = new ConnKernel(params('tables', { peers: 100, durationS: 120 }));
    k.run();
    let known = 0;
    for (let u = 0; u < 100; u++) known += k.rt.size(u);
    expect(known / 100).toBeGreaterThan(20);
  });
});

describe('NodeConnRows', () => {
  it('agrees with a map per node through adds and removes (backward-shift deletion)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 200 })), { maxLength: 300 }), (ops) => {
        const remote: number[] = [];
        const rows = new NodeConnRows(4, 32, (c) => remote[c]);
        const model = [new Map<number, number>(), new Map<number, number>(), new Map<number, number>(), new Map<number, number>()];
        let next = 0;
        for (const [op, node, peer] of ops) {
          const m = model[node];
          if (op === 0 && !m.has(peer) && m.size < 16) {
            remote[next] = peer;
            rows.add(node, peer, next);
            m.set(peer, next++);
          } else if (op === 1) {
            expect(rows.remove(node, peer)).toBe(m.delete(peer));
          }
          for (const [p, c] of m) expect(rows.get(node, p)).toBe(c);
          expect(rows.get(node, peer)).toBe(m.get(peer) ?? -1);
          expect(rows.count[node]).toBe(m.size);
        }
      }),
    );
  });

  it('throws a capacity error naming the width when a row is half full', () => {
    const rows = new NodeConnRows(1, 8, (c) => c);
    for (let c = 0; c < 4; c++) rows.add(0, c, c);
    expect(() => rows.add(0, 9, 9)).toThrow(ConnKernelCapacityError);
    expect(() => rows.add(0, 9, 9)).toThrow(/connRowWidth/);
  });
});

describe('RoutingRows', () => {
  const ids = (n: number, seed: number) => {
    const out = new Uint32Array(n * ID_WORDS);
    let x = seed | 1;
    for (let i = 0; i < out.length; i++) out[i] = x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return out;
  };

  it('keeps at most k per bucket and answers the nearest known entries, nearest first', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.array(fc.integer({ min: 1, max: 63 }), { maxLength: 200 }), fc.integer({ min: 0, max: 63 }), (seed, seen, target) => {
        const rt = new RoutingRows(64, 4, ids(64, seed));
        for (const p of seen) rt.touch(0, p);
        const known = new Set(seen);
        expect(rt.size(0)).toBeLessThanOrEqual(known.size);
        const out = new Int32Array(4);
        const n = rt.closest(0, target, out, 0);
        expect(n).toBe(Math.min(4, rt.size(0)));
        const top = (p: number) => (rt.ids[p * ID_WORDS] ^ rt.ids[target * ID_WORDS]) >>> 0;
        for (let i = 0; i < n; i++) expect(known.has(out[i])).toBe(true);
        for (let i = 1; i < n; i++) expect(top(out[i - 1])).toBeLessThanOrEqual(top(out[i]));
        expect(new Set(out.subarray(0, n)).size).toBe(n);
      }),
    );
  });
});
