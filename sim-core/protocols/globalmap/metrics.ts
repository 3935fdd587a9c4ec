import type { World } from '../../net/world.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { NodeApp } from '../node/app.ts';
import type { StrategyEnv } from '../strategy.ts';
import type { PeerNode, WireItem } from '../node/peer-node.ts';
import { GlobalMapApp } from './app.ts';
import type { RecordPool } from './record-pool.ts';
import type { EventTable } from './event-table.ts';
import type { MapAuth } from './map-auth.ts';
import { newGlobalmapStats, type GlobalmapStats } from './stats.ts';
import { minOf } from '../../engine/extremes.ts';

/** Peers whose map is inspected per sample when the network is large (coverage is O(observers × peers)). */
const MAX_OBSERVERS = 200;
/** Peers whose map links are checked against the true links (precision/recall). */
const MAX_PRECISION_OBSERVERS = 50;

interface LivePeer {
  index: number;
  node: PeerNode;
  app: GlobalMapApp;
}

function livePeers(apps: readonly (NodeApp | undefined)[], world: World<WireItem>, addresses: readonly number[]): LivePeer[] {
  const out: LivePeer[] = [];
  apps.forEach((app, index) => {
    const a = addresses[index];
    if (app instanceof GlobalMapApp && world.isUp(a)) out.push({ index, node: world.protocolOf(a) as PeerNode, app });
  });
  return out;
}

/** Deterministic observer subset: the observer stream is the metrics' own, so the simulation never sees it. */
function observers<T>(all: T[], max: number, env: StrategyEnv, salt: string): T[] {
  if (all.length <= max) return all;
  const rng = env.rng.stream(`metrics/observers/${salt}`);
  return rng.shuffle([...all]).slice(0, max);
}

/**
 * Discovery coverage per observer: the live peers it knows (in its map, or
 * its address book for the random baseline), as a fraction of the network the
 * scenario builds (`peers.count` − 1) — so coverage cannot run ahead of the
 * joins, and "50% discovery" means half of the 2,500 peers, as in the seed.
 */
function coverage(peers: LivePeer[], env: StrategyEnv, salt: string): number[] {
  const nums = peers.map((p) => p.node.self);
  const others = Math.max(1, Math.max(env.run.peers, peers.length) - 1);
  let live: Uint8Array | undefined;
  return observers(peers, MAX_OBSERVERS, env, salt).map((o) => {
    let known = 0;
    const store = o.app.store;
    if (store) {
      for (const p of nums) if (p !== o.node.self && store.isKnown(p)) known++;
    } else {
      // Address-book peers (random baseline): walk the book against a live-peer bitmap, not N map probes.
      live ??= liveBitmap(nums);
      const self = o.node.self;
      known = o.node.countKnownAmong(live) - (live[self] === 1 && o.node.addressOf(self) !== undefined ? 1 : 0);
    }
    return Math.min(1, known / others);
  });
}

function liveBitmap(nums: readonly PeerNum[]): Uint8Array {
  let max = 0;
  for (const p of nums) max = Math.max(max, p);
  const live = new Uint8Array(max + 1);
  for (const p of nums) live[p] = 1;
  return live;
}

function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** Peer numbers of honest peers that are down. */
function deadPeers(apps: readonly (NodeApp | undefined)[], world: World<WireItem>, addresses: readonly number[]): PeerNum[] {
  const out: PeerNum[] = [];
  apps.forEach((app, index) => {
    const a = addresses[index];
    if (app instanceof GlobalMapApp && !world.isUp(a)) out.push((world.protocolOf(a) as PeerNode).self);
  });
  return out;
}

function knows(o: LivePeer, p: PeerNum): boolean {
  return o.app.store ? o.app.store.isKnown(p) : o.node.addressOf(p) !== undefined;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** Time-series figures: coverage mean / p10, map size, overlay degree. */
export function globalmapSample(apps: readonly (NodeApp | undefined)[], world: World<WireItem>, addresses: readonly number[], env: StrategyEnv): Record<string, number> {
  const peers = livePeers(apps, world, addresses);
  const cov = coverage(peers, env, `t${world.now}`);
  const dead = deadPeers(apps, world, addresses);
  return {
    deadKnownMean: dead.length === 0 ? 0 : mean(observers(peers, MAX_OBSERVERS, env, `d${world.now}`).map((o) => dead.filter((d) => knows(o, d)).length / dead.length)),
    coverageMean: mean(cov),
    coverageP10: quantile(cov, 0.1),
    mapEntriesMean: mean(peers.map((p) => p.app.store?.known ?? 0)),
    overlayDegreeMean: mean(peers.map((p) => p.app.links.size)),
  };
}

/** End-of-run metrics under `metrics.globalmap` (or `metrics.random`). */
export function globalmapFinal(
  apps: readonly (NodeApp | undefined)[],
  world: World<WireItem>,
  addresses: readonly number[],
  env: StrategyEnv,
  pool: RecordPool,
  events?: EventTable,
  /** Signed map: its verifications performed (the counters are reported only then, so seed-mode summaries keep their keys). */
  auth?: MapAuth,
): Record<string, unknown> {
  const peers = livePeers(apps, world, addresses);
  const cov = coverage(peers, env, 'final');
  const stats = sumStats(apps);
  const withMap = peers.filter((p) => p.app.store);
  const modelled = withMap.map((p) => p.app.store!.modelledBytes());
  const known = withMap.map((p) => p.app.store!.known);
  const own = withMap.reduce((a, p) => a + p.app.store!.ownBytes(), 0);
  return {
    livePeers: peers.length,
    /** Lifted to `metrics.discovery` (the run adds timeTo50PctS / timeTo90PctS from the series). */
    discovery: {
      coverageMean: mean(cov),
      coverageP10: quantile(cov, 0.1),
      coverageMin: cov.length ? minOf(cov) : 0,
      ...(withMap.length > 0 ? mapAccuracy(peers, env) : {}),
    },
    /** Lifted to `metrics.memory`. */
    memory: {
      /** Bytes a standalone peer would hold for its map (ids 32 B, times 8 B): the seed's 416 B/peer figure. */
      mapBytesPerPeer: mean(modelled),
      bytesPerKnownPeer: mean(known) > 0 ? mean(modelled) / mean(known) : 0,
      knownPeersMean: mean(known),
      /** What the simulator itself holds: shared records + per-store arrays, per peer. */
      simulatorBytesPerPeer: withMap.length ? (pool.bytes + own) / withMap.length : 0,
      sharedRecords: pool.size,
      recordsCreated: pool.created,
    },
    /** The simulation's interned events: slots the ring grew to, its bytes, live events forgotten at its bound. */
    eventTable: events ? { slots: events.capacity, bytes: events.bytes, evicted: events.evicted } : null,
    gossip: pick(stats, [
      'eventsOriginated',
      'refreshEvents',
      'eventsReceived',
      'eventsDuplicate',
      'eventsApplied',
      'eventsStale',
      'eventsInvalid',
      'eventsExcessive',
      'eventsForwarded',
      'eventsQueueDropped',
      'eventsSuppressed',
      'eventsLost',
      'eventMessagesSent',
      'syncMessagesSent',
      'syncEntriesSent',
      'syncEntriesApplied',
      'gcRemovedOrigins',
      'gcExpiredEntries',
      'phantomsExpired',
    ]),
    ...(auth ? { security: { ...pick(stats, ['eventsBadSignature', 'signaturesChecked', 'syncOverflows', 'unsolicitedAnswers', 'newOriginsRefused']), cryptoVerifications: auth.verifications } } : {}),
    selection: pick(stats, ['dialsAttempted', 'dialsFailed', 'offersSent', 'offersAccepted', 'offersDeclined', 'answersSent', 'punchAttempts', 'punchFailures', 'relayAttempts', 'kicks', 'inboundRefused', 'replacements']),
    directed: {
      ...pick(stats, ['directedSent', 'directedForwarded', 'directedDelivered', 'directedFailed', 'directedRerouted']),
      deliveryRate: stats.directedSent > 0 ? stats.directedDelivered / stats.directedSent : null,
      meanHops: stats.directedDelivered > 0 ? stats.directedHopsSum / stats.directedDelivered : null,
    },
  };
}

/**
 * Map links against the true overlay links, for a sample of observers:
 * precision = share of the observer's confirmed map links that exist,
 * recall = share of the existing links the observer's map confirms.
 */
function mapAccuracy(peers: LivePeer[], env: StrategyEnv): { mapPrecision: number; mapRecall: number; accuracyObservers: number } {
  const byNum = new Map<PeerNum, LivePeer>();
  for (const p of peers) byNum.set(p.node.self, p);
  let trueLinks = 0;
  for (const p of peers) for (const q of p.app.links.keys()) if (p.node.self < q && byNum.has(q)) trueLinks++;
  const isTrue = (a: PeerNum, b: PeerNum) => byNum.get(a)?.app.links.has(b) === true || byNum.get(b)?.app.links.has(a) === true;
  const precision: number[] = [];
  const recall: number[] = [];
  const buf: PeerNum[] = [];
  for (const o of observers(peers.filter((p) => p.app.store), MAX_PRECISION_OBSERVERS, env, 'precision')) {
    const store = o.app.store!;
    let mapLinks = 0;
    let correct = 0;
    for (let i = 0; i < store.originsWithRecords; i++) {
      const a = store.originAt(i);
      for (const b of store.confirmedNeighbours(a, buf)) {
        if (a > b) continue;
        mapLinks++;
        if (isTrue(a, b)) correct++;
      }
    }
    precision.push(mapLinks > 0 ? correct / mapLinks : 1);
    recall.push(trueLinks > 0 ? correct / trueLinks : 1);
  }
  return { mapPrecision: mean(precision), mapRecall: mean(recall), accuracyObservers: precision.length };
}

function sumStats(apps: readonly (NodeApp | undefined)[]): GlobalmapStats {
  const t = newGlobalmapStats();
  for (const a of apps) {
    if (!(a instanceof GlobalMapApp)) continue;
    for (const k of Object.keys(t) as (keyof GlobalmapStats)[]) t[k] += a.stats[k];
  }
  return t;
}

function pick<K extends keyof GlobalmapStats>(s: GlobalmapStats, keys: K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, s[k]])) as Record<K, number>;
}
