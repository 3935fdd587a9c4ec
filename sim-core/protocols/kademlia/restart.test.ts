import { describe, expect, it } from 'vitest';
import { Rng, RngStreams } from '../../engine/rng.ts';
import { stubNodeApi } from '../globalmap/test-support.ts';
import { IdentityRegistry } from '../identity/registry.ts';
import { modelSigner } from '../identity/signer.ts';
import type { Direction } from '../../sans-io/protocol.ts';
import { MsgType } from '../../wire/messages.ts';
import { KademliaApp } from './app.ts';
import { kademliaAppConfig } from './app-config.ts';
import { kademliaConfig } from './constants.ts';
import { KadShared } from './shared.ts';

/** A Kademlia app driven by hand through a stub NodeApi (no World). */
function handDriven() {
  const registry = new IdentityRegistry(modelSigner);
  const rng = new Rng('kad-restart');
  const ids = Array.from({ length: 64 }, () => registry.mint(rng).num);
  const shared = new KadShared(registry, 64);
  for (const p of ids) shared.ensureId(p);
  // k = 1: a second peer in a bucket makes it full; pingFreshUs 0: its entry is always old enough to ping.
  const config = kademliaAppConfig({ kad: kademliaConfig({ k: 1, replacementCacheSize: 4 }), overlayLinks: 0, maxConcurrentLookups: 1, maxOutbound: 1, lookupIntervalUs: 0, pingFreshUs: 0 });
  const self = ids[0];
  const app = new KademliaApp({ shared, config, bootstrap: [], index: 0, self });
  const peers = new Map<number, Direction>();
  const api = stubNodeApi(self, new RngStreams(1), peers, (p) => peers.has(p));
  api.addressOf = (p) => 1000 + p;
  /** A peer connects in and pings us (so we observe it). */
  const hears = (now: number, p: number) => {
    peers.set(p, 'in');
    app.onPeerUp(now, p, 'in');
    app.onMessage(now, p, { type: MsgType.KadPing, requestId: 7 } as never);
  };
  const down = (now: number, p: number) => {
    peers.delete(p);
    app.onPeerDown(now, p);
  };
  return { app, api, ids, hears, down, peers };
}

describe('Kademlia restarted after a crash', () => {
  it('a full bucket whose ping died with the process pings its oldest entry again for the next newcomer', () => {
    const { app, api, ids, hears, down, peers } = handDriven();
    app.onStart(0, api);
    const t = app.table;
    const bucket = (p: number) => t.bucketOf(p);
    // Three peers of one bucket: the first fills it, the second makes it ping the first.
    const others = ids.slice(1);
    const b = bucket(others.find((q) => others.filter((r) => bucket(r) === bucket(q)).length >= 3)!);
    const [oldest, second, third] = others.filter((p) => bucket(p) === b);
    hears(1, oldest);
    down(2, oldest);
    hears(3, second);
    expect(t.pendingPing(bucket(oldest))).toBe(oldest);
    // Crash (the ping request is lost with the process) and restart, as the peer manager does it.
    for (const p of [...peers.keys()]) down(10, p);
    app.onStart(10, api);
    expect(t.pendingPing(bucket(oldest))).toBeUndefined();
    const sent = (app as unknown as { ctx: { stats: { pingsSent: number } } }).ctx.stats;
    const before = sent.pingsSent;
    hears(20, third);
    expect(t.pendingPing(bucket(oldest))).toBe(oldest); // asked again
    expect(sent.pingsSent).toBe(before + 1);
  });
});
