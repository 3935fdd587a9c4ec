import { describe, expect, it } from 'vitest';
import { secondsToUs } from '../../engine/time.ts';
import { kademliaScenario, kademliaSettings, nodeWorld } from './app-test-support.ts';
import type { KademliaApp } from './app.ts';
import { KAD_BUCKETS } from './constants.ts';
import { kademliaAppOf, kademliaRuntime } from './strategy.ts';
import type { StrategyRuntime } from '../strategy.ts';

/** Captures the apps a runtime builds (by honest index). */
function capturing(make: (env: Parameters<typeof kademliaRuntime>[0]) => StrategyRuntime) {
  const apps: KademliaApp[] = [];
  const wrap = (env: Parameters<typeof kademliaRuntime>[0]): StrategyRuntime => {
    const rt = make(env);
    return {
      ...rt,
      appFor(index, identity) {
        const app = rt.appFor(index, identity);
        apps[index] = kademliaAppOf(app)!;
        return app;
      },
    };
  };
  return { apps, wrap };
}

describe('KademliaApp in a simulated network', () => {
  it('clients (the NAT hook) query and join, but nobody stores, links to, or is answered by them', () => {
    const scenario = kademliaScenario({ peers: 60, durationS: 300, kademlia: 'lookupIntervalS: 20' });
    const isClient = (i: number) => i % 10 === 9;
    const { apps, wrap } = capturing((env) => kademliaRuntime(env, kademliaSettings(scenario), { isClient }));
    const { world, driver } = nodeWorld(scenario, wrap);
    world.scheduler.run(secondsToUs(300));
    const clients = apps.filter((a) => a.isClient).map((a) => a.peer);
    expect(clients.length).toBe(6);
    for (const a of apps) {
      expect(a.joined).toBe(true);
      expect(a.tableSize).toBeGreaterThan(10);
      if (a.isClient) continue;
      for (const c of clients) {
        expect(a.table.has(c)).toBe(false);
        expect(a.chosenLinks.has(c)).toBe(false);
      }
    }
    for (const a of apps) if (a.isClient) expect(a.overlay().length).toBeGreaterThan(0); // clients still link out
    const kad = driver.finalMetrics(world).kademlia as { lookups: number; lookupSuccessRate: number; workload: { truthMissing: number } };
    expect(kad.lookups).toBeGreaterThan(500);
    expect(kad.lookupSuccessRate).toBeGreaterThanOrEqual(0.95); // truth = closest live server
    const clientLookups = apps.filter((a) => a.isClient).reduce((s, a) => s + a.workloadDone, 0);
    const clientSuccess = apps.filter((a) => a.isClient).reduce((s, a) => s + a.workloadSuccess, 0);
    expect(clientLookups).toBeGreaterThan(30);
    expect(clientSuccess / clientLookups).toBeGreaterThanOrEqual(0.9);
  }, 300_000);

  it('full buckets ping their least-recently-seen entry; crashed peers are evicted and lookups keep finding live peers', () => {
    // k = 8: the far buckets fill up at once; pingFreshS 0: every full-bucket newcomer pings the oldest (paper §2.2).
    const scenario = kademliaScenario({ peers: 60, durationS: 480, kademlia: 'k: 8, lookupIntervalS: 15, pingFreshS: 0, overlayLinks: 6' });
    const { apps, wrap } = capturing((env) => kademliaRuntime(env, kademliaSettings(scenario)));
    const { world, driver } = nodeWorld(scenario, wrap);
    const crashed = [10, 20, 30, 40, 50, 55];
    world.at(secondsToUs(150), (w) => crashed.forEach((i) => w.crashHost(i)));
    world.scheduler.run(secondsToUs(480));
    const crashedPeers = new Set(crashed.map((i) => apps[i].peer));
    let stale = 0;
    let entries = 0;
    for (let i = 0; i < apps.length; i++) {
      if (crashed.includes(i)) continue;
      const t = apps[i].table;
      const st = t.stats();
      for (let b = 0; b < KAD_BUCKETS; b++) expect(st.fill[b]).toBeLessThanOrEqual(8);
      entries += st.size;
      for (let b = 0; b < KAD_BUCKETS; b++) for (const p of t.bucket(b)) if (crashedPeers.has(p)) stale++;
    }
    const kad = driver.finalMetrics(world).kademlia as {
      lookupSuccessRate: number;
      rpc: { pingsSent: number; pongsReceived: number; tableRemovals: number; timeouts: number };
      connections: { dialFailures: number };
      livePeers: number;
      overlayLccFraction: number;
    };
    console.log(`k=8 churn: ${stale}/${entries} entries point at crashed peers at the end; rpc ${JSON.stringify(kad.rpc)}; success ${kad.lookupSuccessRate}`);
    expect(kad.livePeers).toBe(54);
    expect(kad.rpc.pingsSent).toBeGreaterThan(50);
    expect(kad.rpc.pongsReceived).toBeGreaterThan(0.5 * kad.rpc.pingsSent);
    expect(kad.rpc.tableRemovals).toBeGreaterThan(0);
    expect(kad.connections.dialFailures).toBeGreaterThan(0);
    expect(stale / entries).toBeLessThan(0.05);
    expect(kad.lookupSuccessRate).toBeGreaterThanOrEqual(0.95);
    expect(kad.overlayLccFraction).toBeGreaterThanOrEqual(0.95);
  }, 300_000);
});
