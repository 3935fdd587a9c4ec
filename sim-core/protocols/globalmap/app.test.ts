import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../engine/rng.ts';
import { MsgType } from '../../wire/messages.ts';
import { PeerStore } from './peer-store.ts';
import { RecordPool } from './record-pool.ts';
import { F_CONNECT, F_OUT } from './record.ts';
import { GraphScratch } from './scratch.ts';
import { minimalOverlap, type SelectionView } from './selection.ts';
import { FakeMesh } from './test-support.ts';

const [A, B, C, D, E, F, G, H, X, Y, Z] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

/** Records a confirmed link a→b (a dialled) in the store. */
function confirmed(s: PeerStore, a: number, b: number): void {
  s.apply({ origin: a, peer: b, flags: F_CONNECT | F_OUT, timestampUs: 1 }, 10);
  s.apply({ origin: b, peer: a, flags: F_CONNECT, timestampUs: 1 }, 10);
}

describe('minimal-overlap selection (G3)', () => {
  it("ranks the seed's example: X [E,F,G] before Y [B,C,H] before Z [B,C,D]", () => {
    const store = new PeerStore(new RecordPool(), { maxClaims: 32, maxEntries: 64, maxSkewUs: 1e9 });
    for (const n of [B, C, D]) confirmed(store, A, n);
    for (const [cand, nbrs] of [[X, [E, F, G]], [Y, [B, C, H]], [Z, [B, C, D]]] as const) for (const n of nbrs) confirmed(store, cand, n);
    const view: SelectionView = {
      self: A,
      now: 10,
      neighbours: new Map([B, C, D].map((n) => [n, { sinceUs: 0, out: true }])),
      store,
      rng: new RngStreams(1).stream('t'),
      scratch: new GraphScratch(),
      peerSpace: 16,
    };
    const ranked = minimalOverlap.rank(view, [Z, Y, X]);
    expect(ranked.map((r) => r.peer)).toEqual([X, Y, Z]);
    expect(ranked[0].score).toBe(0); // X shares nothing with A's neighbourhood
    expect(ranked[1].score).toBeLessThan(ranked[2].score);
    // The most redundant neighbour is the one whose own neighbours A already reaches otherwise.
    confirmed(store, B, C);
    const worst = minimalOverlap.worst(view, [B, C, D]);
    expect([B, C]).toContain(worst!.peer);
  });
});

describe('event gossip (G2)', () => {
  it('the TTL bounds how far an event travels (line of 10 peers, ttl 3)', () => {
    const mesh = new FakeMesh(10, { ttl: 3 });
    for (let i = 0; i + 1 < 10; i++) mesh.link(i, i + 1);
    expect(mesh.drain()).toBe(0); // nothing announced yet: announcements wait for the announce timer
    mesh.announceAll();
    mesh.drain();
    // Peer 9's link to 8 was announced with ttl 3: peers 6, 7, 8 hear it (3 hops), peer 5 does not.
    const knows = (observer: number) => mesh.apps[observer].store!.record(9) !== undefined;
    expect([8, 7, 6].map(knows)).toEqual([true, true, true]);
    expect([5, 4, 0].map(knows)).toEqual([false, false, false]);
  });

  it('dedupe stops loops: on a ring with a huge TTL each peer forwards each event once', () => {
    const n = 12;
    const mesh = new FakeMesh(n, { ttl: 32 });
    for (let i = 0; i < n; i++) mesh.link(i, (i + 1) % n);
    mesh.announceAll(); // 2n link announcements (both ends of each link)
    const delivered = mesh.drain();
    const events = 2 * n;
    // Each event: the origin sends to its 2 neighbours, every other peer forwards once to 1 neighbour.
    expect(delivered).toBe(events * (2 + (n - 1)));
    for (const app of mesh.apps) expect(app.store!.originsWithRecords).toBe(n);
    expect(mesh.drain()).toBe(0); // quiet: no event circulates forever
  });

  it('batching sends fewer, larger messages, and not back to neighbours that already have the events', () => {
    const one = new FakeMesh(12, { ttl: 6, batchSize: 1 });
    const many = new FakeMesh(12, { ttl: 6, batchSize: 64 });
    for (const mesh of [one, many]) {
      for (let i = 0; i < 12; i++) for (const d of [1, 2, 5]) mesh.link(i, (i + d) % 12);
      mesh.announceAll();
    }
    one.drain();
    for (let round = 0; round < 10; round++) {
      for (const app of many.apps) app.onTimer(many.now, 4); // flush
      many.drain();
    }
    const count = (mesh: FakeMesh) => mesh.sent.filter((s) => s.msg.type === MsgType.GmEvents).length;
    expect(count(many)).toBeLessThan(count(one) / 4);
    // Same maps either way.
    for (let i = 0; i < 12; i++) expect(many.apps[i].store!.known).toBe(one.apps[i].store!.known);
  });

  it('fanout-limited gossip sends fewer copies and still reaches everyone on a dense graph', () => {
    const build = (gossipFanout: number) => {
      const mesh = new FakeMesh(30, { ttl: 8, gossipFanout });
      for (let i = 0; i < 30; i++) for (const d of [1, 2, 3, 7, 11]) mesh.link(i, (i + d) % 30);
      mesh.announceAll();
      return { mesh, delivered: mesh.drain() };
    };
    const flood = build(0);
    const epidemic = build(3);
    expect(epidemic.delivered).toBeLessThan(flood.delivered * 0.5);
    const reached = epidemic.mesh.apps.reduce((a, app) => a + app.store!.originsWithRecords, 0) / 30;
    expect(reached).toBeGreaterThan(29); // nearly every origin known by everyone
  });
});
