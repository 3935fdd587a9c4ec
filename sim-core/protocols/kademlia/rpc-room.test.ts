import { describe, expect, it } from 'vitest';
import { secondsToUs } from '../../engine/time.ts';
import { kademliaScenario, kademliaSettings, nodeWorld } from './app-test-support.ts';
import type { KademliaApp } from './app.ts';
import { kademliaConfig } from './constants.ts';
import { KadIdTable } from './ids.ts';
import { Lookup } from './lookup.ts';
import { kademliaAppOf, kademliaRuntime } from './strategy.ts';
import { kadIdFromBigInt } from './test-support.ts';

/** Peers 1..n at distance 1..n from target 0 (peer 0 runs the lookup, far away). */
function lineLookup(n: number) {
  const cfg = kademliaConfig({ k: 3, alpha: 1 });
  const ids = new KadIdTable(n + 1);
  ids.set(0, kadIdFromBigInt(1n << 150n));
  for (let p = 1; p <= n; p++) ids.set(p, kadIdFromBigInt(BigInt(p)));
  const candidates = Array.from({ length: n }, (_, i) => n - i); // farthest first: the lookup sorts them
  return new Lookup({ ids, self: 0, target: kadIdFromBigInt(0n), candidates, config: cfg });
}

/** Answers every request with no new nodes; `fail(to)` says which ones fail and how. */
function drive(lookup: Lookup, fail: (to: number) => 'unasked' | 'timeout' | undefined) {
  let sends = lookup.start(0);
  for (let step = 1; sends.length > 0 && step < 100; step++) {
    const s = sends.shift()!;
    const how = fail(s.to);
    const more = how === undefined ? lookup.onResponse(step, s.to, []) : lookup.onFailure(step, s.to, how === 'unasked');
    sends = [...sends, ...more];
  }
  expect(lookup.done).toBe(true);
  return lookup.report();
}

describe('kademlia lookup verdicts', () => {
  it('a lookup that could not ask a peer closer than its answer ends incomplete, not converged', () => {
    const r = drive(lineLookup(6), (to) => (to === 1 ? 'unasked' : undefined));
    expect(r.reason).toBe('incomplete');
    expect(r.success).toBe(false);
    expect(r.result[0]).toBe(2);
  });

  it('a closer peer that timed out (asked, silent: gone) still lets the lookup converge; an unasked farther one too', () => {
    expect(drive(lineLookup(6), (to) => (to === 1 ? 'timeout' : undefined)).reason).toBe('converged');
    const far = drive(lineLookup(6), (to) => (to === 3 ? 'unasked' : undefined));
    expect(far.reason).toBe('converged');
    expect(far.result[0]).toBe(1);
  });
});

describe('inbound room for lookups', () => {
  it('a bootstrap node whose link slots are all taken still answers FIND_NODE, and links go elsewhere', () => {
    // 12 link slots (6 links per peer on average): every peer has the 3 bootstrap nodes in its table, so their slots fill with links at once.
    const scenario = kademliaScenario({ peers: 60, durationS: 400, joinOverS: 20, kademlia: 'lookupIntervalS: 30, maxInbound: 12, rpcInbound: 16, overlayLinks: 6' });
    const apps: KademliaApp[] = [];
    const { world, driver } = nodeWorld(scenario, (env) => {
      const rt = kademliaRuntime(env, kademliaSettings(scenario));
      return { ...rt, appFor: (i, id) => ((apps[i] = kademliaAppOf(rt.appFor(i, id))!), apps[i]) };
    });
    const boot = () => apps[0];
    let t = 0;
    const stepS = 1;
    // wait (bounded) until every peer joined and the bootstrap node's link slots are full
    while (t < 300 && !(apps.every((a) => a.joined) && boot().inboundLinkSlots === 12)) world.scheduler.run(secondsToUs((t += stepS)));
    expect(boot().inboundLinkSlots).toBe(12);
    const servedBefore = boot().findNodeServed;
    let sawRoom = false;
    for (; t < 400; t += stepS) {
      world.scheduler.run(secondsToUs(t));
      expect(boot().inboundLinkSlots).toBeLessThanOrEqual(12);
      if (boot().rpcRoomSize > 0) sawRoom = true;
    }
    expect(sawRoom).toBe(true);
    expect(boot().findNodeServed).toBeGreaterThan(servedBefore);
    const kad = driver.finalMetrics(world).kademlia as {
      lookupSuccessRate: number;
      lookupConvergedWrong: number;
      connections: { rpcRoomAdmitted: number; rpcRoomClosed: number; linksTurnedAway: number };
    };
    expect(kad.connections.rpcRoomAdmitted).toBeGreaterThan(0);
    expect(kad.connections.rpcRoomClosed).toBeGreaterThan(0);
    expect(kad.connections.linksTurnedAway).toBeGreaterThan(0);

    expect(kad.lookupConvergedWrong).toBe(0);
    expect(kad.lookupSuccessRate).toBeGreaterThanOrEqual(0.98);
  }, 300_000);
});
