import { connectedComponents, csrFromEdges } from '../../metrics/graph/index.ts';
import type { World } from '../../net/world.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { NodeApp } from '../node/app.ts';
import { CompositeApp } from '../node/composite-app.ts';
import { defineStrategy, type StrategyEnv, type StrategyRuntime } from '../strategy.ts';
import type { PeerNode, WireItem } from '../node/peer-node.ts';
import { kademliaAppConfigFrom, type KademliaAppConfig } from './app-config.ts';
import { kademliaSchema, type KademliaSettings } from './config-schema.ts';
import { KademliaApp } from './app.ts';
import { KadShared } from './shared.ts';

/**
 * The `kademlia` overlay strategy: every honest peer hosts a `KademliaApp`
 * over one shared id table. The peer manager runs with autoDial off (the app
 * chooses whom to connect to) and the connection limits of
 * `protocol.kademlia` (`maxOutbound` leaves room for lookup connections next
 * to the overlay links). Metrics: the workload lookups scored against the
 * true closest live peer, routing-table sizes, overlay links and their
 * largest component (the driver adds the full `topology` section).
 */
/** Test and integration hooks not exposed in the scenario file. */
export interface KademliaRuntimeOptions {
  /** Honest peers that run as Kademlia clients (query, never stored, never serve). The NAT issue wires this. */
  isClient?(index: number): boolean;
}

export function kademliaRuntime(env: StrategyEnv, settings: KademliaSettings, opts: KademliaRuntimeOptions = {}): StrategyRuntime {
  const config = kademliaAppConfigFrom(settings);
  const shared = new KadShared(env.registry, env.run.peers);
  return {
    name: 'kademlia',
    nodeConfig: (cfg) => ({ ...cfg, autoDial: false, outboundTarget: config.overlayLinks, maxOutbound: config.maxOutbound, maxInbound: config.maxInbound + config.rpcInbound }),
    // Honest: every peer the scenario started or churn brought in (their indices go past peers.count), not adversaries.
    appFor: (index, identity, hostile) =>
      new KademliaApp({ shared, config, bootstrap: env.bootstrap, index, self: identity.num, isClient: opts.isClient?.(index) ?? false, honest: hostile !== true }),
    sample: (apps, world) => kademliaSample(apps, world, shared),
    finalMetrics: (apps, world) => kademliaFinalMetrics(apps, world, shared, config),
  };
}

export const kademliaStrategy = defineStrategy({
  name: 'kademlia',
  summary: 'links chosen from a Kademlia routing table (the DHT baseline)',
  configKey: 'kademlia',
  schema: kademliaSchema,
  runtime: (env, settings) => kademliaRuntime(env, settings),
});

/** The Kademlia app inside an honest peer's app (itself, or a part of a CompositeApp). */
export function kademliaAppOf(app: NodeApp | undefined): KademliaApp | undefined {
  if (app instanceof KademliaApp) return app;
  if (app instanceof CompositeApp) for (const a of app.apps) if (a instanceof KademliaApp) return a;
  return undefined;
}

/** Observer: which honest peers are up right now (crashes are invisible to the apps themselves). */
function refreshLive(apps: readonly (NodeApp | undefined)[], world: World<WireItem>, shared: KadShared): void {
  for (let i = 0; i < apps.length; i++) {
    const a = kademliaAppOf(apps[i]);
    if (a !== undefined && a.started) shared.setLive(a.peer, world.isUp(a.address));
  }
}

/** The app of honest peer `i` if it is started and its host is up. */
function liveApp(apps: readonly (NodeApp | undefined)[], i: number, world: World<WireItem>): KademliaApp | undefined {
  const a = kademliaAppOf(apps[i]);
  return a !== undefined && a.started && world.isUp(a.address) ? a : undefined;
}

export function kademliaSample(apps: readonly (NodeApp | undefined)[], world: World<WireItem>, shared: KadShared): Record<string, number> {
  refreshLive(apps, world, shared);
  let live = 0;
  let joined = 0;
  let table = 0;
  let links = 0;
  for (let i = 0; i < apps.length; i++) {
    const a = liveApp(apps, i, world);
    if (a === undefined) continue;
    live++;
    if (a.joined) joined++;
    table += a.tableSize;
    links += a.overlay().length;
  }
  const s = shared.stats.lookupSummary();
  return {
    kadJoined: live > 0 ? joined / live : 0,
    kadMeanTable: live > 0 ? table / live : 0,
    kadMeanLinks: live > 0 ? links / live : 0,
    kadLookups: s.lookups,
    kadSuccessRate: s.lookupSuccessRate,
  };
}

function spread(values: number[]): { min: number; mean: number; max: number } {
  if (values.length === 0) return { min: 0, mean: 0, max: 0 };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, mean: sum / values.length, max };
}

/**
 * End-of-run figures. The overlay's full topology (paths, clustering…) is the
 * driver's `topology` section; here only what Kademlia is judged on: its
 * links per peer and the largest component they form (undirected), cheaply.
 */
export function kademliaFinalMetrics(
  apps: readonly (NodeApp | undefined)[],
  world: World<WireItem>,
  shared: KadShared,
  config: KademliaAppConfig,
): Record<string, unknown> {
  refreshLive(apps, world, shared);
  const n = apps.length;
  const indexOf = new Map<PeerNum, number>();
  const alive = new Uint8Array(n);
  const tableSizes: number[] = [];
  const buckets: number[] = [];
  const linkCounts: number[] = [];
  const inbound: number[] = [];
  const outbound: number[] = [];
  let joined = 0;
  let live = 0;
  for (let i = 0; i < n; i++) {
    const a = liveApp(apps, i, world);
    if (a === undefined) continue;
    indexOf.set(a.peer, i);
    alive[i] = 1;
    live++;
    if (a.joined) joined++;
    const st = a.table.stats();
    tableSizes.push(st.size);
    buckets.push(st.nonEmptyBuckets);
    linkCounts.push(a.overlay().length);
    const node = world.protocolOf(a.address) as PeerNode;
    inbound.push(node.inboundCount());
    outbound.push(node.outboundCount());
  }
  // the overlay: every live peer's established persistent links, as undirected edges
  let edges = 0;
  for (const c of linkCounts) edges += c;
  const ea = new Int32Array(edges);
  const eb = new Int32Array(edges);
  let e = 0;
  for (let i = 0; i < n; i++) {
    if (alive[i] === 0) continue;
    for (const p of kademliaAppOf(apps[i])!.overlay()) {
      const j = indexOf.get(p);
      if (j === undefined || e >= edges) continue;
      ea[e] = i;
      eb[e++] = j;
    }
  }
  const comps = connectedComponents(csrFromEdges(n, ea, eb, e, alive));
  const tables = spread(tableSizes);
  const links = spread(linkCounts);
  const inb = spread(inbound);
  const outb = spread(outbound);
  return {
    ...shared.stats.lookupSummary(),
    livePeers: live,
    joinedFraction: live > 0 ? joined / live : 0,
    meanTableSize: tables.mean,
    minTableSize: tables.min,
    maxTableSize: tables.max,
    meanNonEmptyBuckets: spread(buckets).mean,
    overlayLinksTarget: config.overlayLinks,
    meanOverlayLinks: links.mean,
    minOverlayLinks: links.min,
    maxOverlayLinks: links.max,
    overlayLccFraction: live > 0 ? comps.largestSize / live : 0,
    overlayComponents: comps.count,
    meanInbound: inb.mean,
    maxInbound: inb.max,
    meanOutbound: outb.mean,
    maxOutbound: outb.max,
    ...shared.stats.details(),
  };
}
