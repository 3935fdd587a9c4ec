import { secondsToUs } from '../../engine/time.ts';
import { defineStrategy, type StrategyEnv, type StrategyRuntime } from '../strategy.ts';
import { GlobalMapApp } from './app.ts';
import type { GlobalmapConfig } from './config.ts';
import { globalmapFinal, globalmapSample } from './metrics.ts';
import { PeerStore } from './peer-store.ts';
import { RecordPool } from './record-pool.ts';
import { StoreGrid } from './store-grid.ts';
import { GraphScratch } from './scratch.ts';
import { EventTable } from './event-table.ts';
import { MapAuth } from './map-auth.ts';
import { globalmapSchema, type GlobalmapSettings } from './config-schema.ts';
import { minimalOverlap, uniformRandom, type NeighbourStrategy } from './selection.ts';

/** `bootstrapMesh` is the scenario's bootstrap.mesh (it lives beside the bootstrap count, not in the globalmap section). */
export function globalmapConfigFrom(s: GlobalmapSettings, bootstrapMesh: boolean): GlobalmapConfig {
  return {
    targetDegree: s.targetDegree,
    degreeSlack: s.degreeSlack,
    announceDelayUs: secondsToUs(s.announceDelayS),
    ttl: s.ttl,
    gossipFanout: s.gossipFanout,
    batchSize: s.gossip === 'seed' ? 1 : s.batchSize,
    flushIntervalUs: secondsToUs(s.flushIntervalS),
    maxFlushesPerS: s.maxFlushesPerS,
    maxQueuedEvents: 1024,
    dedupeWindowUs: secondsToUs(s.dedupeWindowS),
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
    security: s.security,
    bootstrapMesh,
  };
}

/** What makes one overlay strategy of this machinery: its name (and metrics key), how it ranks candidates, whether it keeps a map. */
export interface OverlayKind {
  name: string;
  selection: NeighbourStrategy;
  /** Keep the gossiped global map (candidates and overlap scores come from it); without, candidates come from the address book. */
  map: boolean;
}

/**
 * The overlay app's runtime: the `globalmap` strategy (gossiped map,
 * minimal-overlap selection), the `random` baseline (same selection
 * machinery, uniformly random candidates from the address book, no map, no
 * gossip), or another selection on the same machinery. One record pool and
 * one scratch and one event table per simulation.
 */
export function overlayRuntime(env: StrategyEnv, settings: GlobalmapSettings, kind: OverlayKind): StrategyRuntime {
  const cfg = globalmapConfigFrom(settings, env.run.bootstrap.mesh);
  const pool = new RecordPool();
  const scratch = new GraphScratch();
  const limits = { maxClaims: cfg.maxClaims, maxEntries: cfg.maxClaims * 2, maxSkewUs: cfg.maxSkewUs };
  const maxDegree = cfg.targetDegree + cfg.degreeSlack;
  // Peer numbers of the planned population (churn's newcomers come after: the maps then grow past it).
  const run = env.run;
  const plannedPeers = run.peers + run.bootstrap.count + run.adversaries.reduce((n, a) => n + a.count, 0);
  const events = kind.map ? new EventTable(plannedPeers, cfg.dedupeWindowUs) : undefined;
  const grid = new StoreGrid(plannedPeers);
  // Signed map: one signature book per simulation, over the run's identities and crypto costs.
  const auth = kind.map && cfg.security === 'signed' ? new MapAuth(env.registry.signer, env.registry, { signUs: run.crypto.signUs, verifyUs: run.crypto.verifyUs }) : undefined;
  return {
    name: kind.name,
    // The app manages its degree; the peer manager only caps it (inbound a little above, for the hand-off of addresses).
    nodeConfig: (c) => ({ ...c, autoDial: false, outboundTarget: 0, maxInbound: maxDegree + 4, maxOutbound: maxDegree }),
    appFor: (_index, identity) =>
      new GlobalMapApp({
        cfg,
        strategy: kind.selection,
        store: kind.map ? new PeerStore(pool, limits, plannedPeers, grid) : undefined,
        scratch,
        peerSpace: () => env.registry.size,
        bootstrap: env.bootstrap,
        events,
        auth,
        identity,
      }),
    sample: (apps, world, addresses) => globalmapSample(apps, world, addresses, env),
    finalMetrics: (apps, world, addresses) => globalmapFinal(apps, world, addresses, env, pool, events, auth),
  };
}

/** A strategy on this machinery reading the globalmap section (so `random` compares with `globalmap` on the same selection knobs). */
function onGlobalmapSection<const N extends string>(name: N, summary: string, selection: NeighbourStrategy, map: boolean) {
  return defineStrategy({
    name,
    summary,
    configKey: 'globalmap',
    schema: globalmapSchema,
    runtime: (env, settings) => overlayRuntime(env, settings, { name, selection, map }),
  });
}

export const globalmapStrategy = onGlobalmapSection('globalmap', 'gossiped global map, neighbours chosen for minimal overlap', minimalOverlap, true);

/** Shares the globalmap section: the same selection knobs, so the two compare like for like. */
export const randomStrategy = onGlobalmapSection(
  'random',
  'uniformly random known peers (Bitcoin addrman-like), on the globalmap machinery without map or gossip',
  uniformRandom,
  false,
);
