import { secondsToUs } from '../../engine/time.ts';
import type { GlobalmapSettings } from '../../scenario/schema/globalmap.ts';
import type { StrategyEnv, StrategyRuntime } from '../node/driver.ts';
import { GlobalMapApp } from './app.ts';
import type { GlobalmapConfig } from './config.ts';
import { globalmapFinal, globalmapSample } from './metrics.ts';
import { PeerStore } from './peer-store.ts';
import { RecordPool } from './record-pool.ts';
import { GraphScratch } from './scratch.ts';
import { minimalOverlap, uniformRandom } from './selection.ts';

/** `bootstrapMesh` is the scenario's bootstrap.mesh (it lives beside the bootstrap count, not in the globalmap section). */
export function globalmapConfigFrom(s: GlobalmapSettings, bootstrapMesh: boolean): GlobalmapConfig {
  return {
    targetDegree: s.targetDegree,
    degreeSlack: s.degreeSlack,
    announceDelayUs: secondsToUs(s.announceDelayS),
    ttl: s.ttl,
    gossipFanout: s.gossipFanout,
    batchSize: s.batchSize,
    flushIntervalUs: secondsToUs(s.flushIntervalS),
    maxQueuedEvents: 1024,
    dedupeWindowUs: secondsToUs(s.dedupeWindowS),
    dedupeCapacity: s.dedupeCapacity,
    refreshIntervalUs: secondsToUs(s.refreshIntervalS),
    entryTtlUs: secondsToUs(s.entryTtlS),
    confirmTimeoutUs: secondsToUs(s.confirmTimeoutS),
    gcIntervalUs: secondsToUs(s.gcIntervalS),
    selectIntervalUs: secondsToUs(s.selectIntervalS),
    candidateSample: s.candidateSample,
    kickMargin: s.kickMargin,
    replaceIntervalUs: secondsToUs(s.replaceIntervalS),
    minLinkAgeUs: secondsToUs(s.minLinkAgeS),
    candidateCooldownUs: secondsToUs(s.candidateCooldownS),
    syncOnJoin: s.syncOnJoin,
    maxSyncEntries: s.maxSyncEntries,
    maxClaims: s.maxClaims,
    maxSkewUs: secondsToUs(s.maxSkewS),
    enableReRouting: s.enableReRouting,
    bootstrapMesh,
  };
}

/**
 * The `globalmap` strategy (gossiped map, minimal-overlap selection) and the
 * `random` baseline (same selection machinery, uniformly random candidates
 * from the address book, no map, no gossip). One record pool and one scratch
 * per simulation.
 */
export function overlayRuntime(kind: 'globalmap' | 'random'): (env: StrategyEnv) => StrategyRuntime {
  return (env) => {
    if (env.scenario.protocol.kind !== 'node') throw new Error('globalmap needs a node protocol');
    const cfg = globalmapConfigFrom(env.scenario.protocol.globalmap, env.scenario.bootstrap.mesh);
    const pool = new RecordPool();
    const scratch = new GraphScratch();
    const limits = { maxClaims: cfg.maxClaims, maxEntries: cfg.maxClaims * 2, maxSkewUs: cfg.maxSkewUs };
    const maxDegree = cfg.targetDegree + cfg.degreeSlack;
    // Peer numbers of the planned population (churn's newcomers come after: the maps then grow past it).
    const sc = env.scenario;
    const plannedPeers = sc.peers.count + sc.bootstrap.count + sc.adversaries.reduce((n, a) => n + a.count, 0);
    return {
      name: kind,
      // The app manages its degree; the peer manager only caps it (inbound a little above, for the hand-off of addresses).
      nodeConfig: (c) => ({ ...c, autoDial: false, outboundTarget: 0, maxInbound: maxDegree + 4, maxOutbound: maxDegree }),
      appFor: () =>
        new GlobalMapApp({
          cfg,
          strategy: kind === 'globalmap' ? minimalOverlap : uniformRandom,
          store: kind === 'globalmap' ? new PeerStore(pool, limits, plannedPeers) : undefined,
          scratch,
          peerSpace: () => env.registry.size,
          bootstrap: env.bootstrap,
        }),
      sample: (apps, world, addresses) => globalmapSample(apps, world, addresses, env),
      finalMetrics: (apps, world, addresses) => globalmapFinal(apps, world, addresses, env, pool),
    };
  };
}
