import type { RngStreams } from '../../engine/rng.ts';
import type { World } from '../../net/world.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { Address } from '../../sans-io/protocol.ts';
import { GlobalMapApp } from '../globalmap/app.ts';
import type { NodeApp } from '../node/app.ts';
import { overlayConnectivity } from '../node/metrics.ts';
import { overlaySnapshot } from '../node/overlay-graph.ts';
import { PeerNode, type WireItem } from '../node/peer-node.ts';
import { minOf } from '../../engine/extremes.ts';

/** Honest maps checked against the true links: the same sample (and stream) as metrics.discovery's accuracy. */
const MAX_MAP_OBSERVERS = 50;
/** Honest → honest id bans are checked pairwise (n²) up to this many honest peers. */
const MAX_ID_BAN_PEERS = 2000;
/** Per-attacker rows listed in summary.json. */
const MAX_ATTACKER_ROWS = 100;

/** The part of a global map the accuracy needs (a PeerStore). */
export interface MapView {
  readonly originsWithRecords: number;
  originAt(i: number): PeerNum;
  confirmedNeighbours(x: PeerNum, out: PeerNum[]): PeerNum[];
}

/**
 * Honest maps against the true honest overlay, over honest–honest links
 * only: precision = share of an observer's confirmed honest–honest map links
 * that exist; recall = share of the existing honest–honest links it
 * confirms. Links with an attacker at either end are outside both, so each
 * is ≤ 1 by construction. Means over observers (1 for an empty map / no links).
 */
export function honestMapAccuracy(
  maps: readonly MapView[],
  trueLinks: ReadonlyMap<PeerNum, ReadonlySet<PeerNum>>,
): { mapPrecision: number; mapRecall: number; observers: number } {
  let trueCount = 0;
  for (const [a, ns] of trueLinks) for (const b of ns) if (a < b || !trueLinks.get(b)?.has(a)) trueCount++;
  const isTrue = (a: PeerNum, b: PeerNum) => trueLinks.get(a)?.has(b) === true || trueLinks.get(b)?.has(a) === true;
  const honest = (p: PeerNum) => trueLinks.has(p);
  const precision: number[] = [];
  const recall: number[] = [];
  const buf: PeerNum[] = [];
  for (const m of maps) {
    let mapLinks = 0;
    let correct = 0;
    for (let i = 0; i < m.originsWithRecords; i++) {
      const a = m.originAt(i);
      if (!honest(a)) continue;
      for (const b of m.confirmedNeighbours(a, buf)) {
        if (a > b || !honest(b)) continue;
        mapLinks++;
        if (isTrue(a, b)) correct++;
      }
    }
    precision.push(mapLinks > 0 ? correct / mapLinks : 1);
    recall.push(trueCount > 0 ? correct / trueCount : 1);
  }
  return { mapPrecision: mean(precision), mapRecall: mean(recall), observers: maps.length };
}

/** Who banned whom: honest → honest bans and, per attacker, how many honest peers banned it. */
export function banFigures(
  banLogs: readonly { by: Address; banned: readonly Address[] }[],
  honest: ReadonlySet<Address>,
  attackers: readonly Address[],
): { honestToHonestBans: number; honestPeersBanned: number; attackers: number; attackersBanned: number; bannedBy: Map<Address, number> } {
  let honestToHonestBans = 0;
  const honestBanned = new Set<Address>();
  const banners = new Map<Address, Set<Address>>();
  for (const a of attackers) banners.set(a, new Set());
  for (const { by, banned } of banLogs) {
    if (!honest.has(by)) continue;
    for (const x of banned) {
      if (honest.has(x)) {
        honestToHonestBans++;
        honestBanned.add(x);
      } else banners.get(x)?.add(by);
    }
  }
  const bannedBy = new Map([...banners].map(([a, s]) => [a, s.size]));
  return { honestToHonestBans, honestPeersBanned: honestBanned.size, attackers: attackers.length, attackersBanned: [...bannedBy.values()].filter((n) => n > 0).length, bannedBy };
}

/** Peers all of whose (one or more) neighbours are attackers. */
export function eclipsedCount(neighbours: Iterable<readonly PeerNum[]>, isAttacker: (p: PeerNum) => boolean): number {
  let n = 0;
  for (const ns of neighbours) if (ns.length > 0 && ns.every(isAttacker)) n++;
  return n;
}

/** Bans by peer id that honest peers hold against honest ids at the end (what a relay gets an honest peer banned as); null when too large to check. */
function honestIdBans(world: World<WireItem>, addresses: readonly number[], honestNums: readonly PeerNum[]): number | null {
  if (addresses.length > MAX_ID_BAN_PEERS) return null;
  let n = 0;
  for (const a of addresses) {
    const node = world.protocolOf(a) as PeerNode;
    for (const p of honestNums) if (p !== node.self && node.book.isPeerBanned(p, world.now)) n++;
  }
  return n;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * `metrics.security` of a run with adversaries: honest map precision and
 * recall (honest–honest links), honest → honest bans, attackers banned and
 * by how many honest peers, eclipsed honest peers (and victims, for a Sybil
 * coalition), honest LCC. Reads only; observers come from the metrics' own stream.
 */
export function securityMetrics(
  world: World<WireItem>,
  addresses: readonly number[],
  apps: readonly (NodeApp | undefined)[],
  hostile: ReadonlySet<PeerNum>,
  rng: RngStreams,
  /** Each attacker host's adversary kind (as in the scenario). */
  kindOf: (address: Address) => string,
  victims: readonly Address[] = [],
): Record<string, unknown> {
  const honestSet = new Set(addresses);
  const attackers: Address[] = [];
  for (let a = 0; a < world.hostCount; a++) if (!honestSet.has(a)) attackers.push(a);
  const neighboursOf = (i: number): PeerNum[] => {
    const app = apps[i];
    return [...(app?.overlay ? app.overlay() : (world.protocolOf(addresses[i]) as PeerNode).peers().keys())];
  };
  const live = addresses.map((a, i) => i).filter((i) => world.isUp(addresses[i]));
  // True honest overlay: each live honest peer's overlay links to live honest peers.
  const liveNums = new Set(live.map((i) => (world.protocolOf(addresses[i]) as PeerNode).self));
  const trueLinks = new Map<PeerNum, Set<PeerNum>>();
  for (const i of live) trueLinks.set((world.protocolOf(addresses[i]) as PeerNode).self, new Set(neighboursOf(i).filter((p) => liveNums.has(p))));
  // The discovery accuracy's observer sample, so the two agree where both apply.
  const withMap = live.filter((i) => apps[i] instanceof GlobalMapApp && (apps[i] as GlobalMapApp).store);
  const chosen = withMap.length <= MAX_MAP_OBSERVERS ? withMap : rng.stream('metrics/observers/precision').shuffle([...withMap]).slice(0, MAX_MAP_OBSERVERS);
  const maps = chosen.map((i) => (apps[i] as GlobalMapApp).store!);
  const accuracy = maps.length > 0 ? honestMapAccuracy(maps, trueLinks) : { mapPrecision: null, mapRecall: null, observers: 0 };
  const bans = banFigures(
    addresses.map((a) => ({ by: a, banned: (world.protocolOf(a) as PeerNode).stats.banLog })),
    honestSet,
    attackers,
  );
  const isAttacker = (p: PeerNum) => hostile.has(p);
  const eclipsed = eclipsedCount(live.map(neighboursOf), isAttacker);
  const indexOf = new Map(addresses.map((a, i) => [a, i]));
  const victimIdx = victims.map((v) => indexOf.get(v)).filter((i): i is number => i !== undefined && world.isUp(addresses[i]));
  const honestNumOf = new Set(liveNums);
  const rows = attackers.slice(0, MAX_ATTACKER_ROWS).map((a) => {
    const p = world.protocolOf(a);
    const honestNeighbours = p instanceof PeerNode ? [...p.peers().keys()].filter((q) => honestNumOf.has(q)).length : 0;
    // Wire-level attackers (no peer manager) report what they did.
    const own = p instanceof PeerNode ? {} : { ...(p as { stats?: object }).stats };
    return { address: a, kind: kindOf(a), bannedBy: bans.bannedBy.get(a) ?? 0, honestNeighboursAtEnd: honestNeighbours, ...own };
  });
  const bannedBy = [...bans.bannedBy.values()];
  return {
    honestMapPrecision: accuracy.mapPrecision,
    honestMapRecall: accuracy.mapRecall,
    mapObservers: accuracy.observers,
    honestToHonestBans: bans.honestToHonestBans,
    honestPeersBanned: bans.honestPeersBanned,
    honestIdsBannedAtEnd: honestIdBans(world, addresses, [...liveNums]),
    attackers: bans.attackers,
    attackersBanned: bans.attackersBanned,
    attackerBannedByMean: mean(bannedBy),
    attackerBannedByMin: bannedBy.length ? minOf(bannedBy) : 0,
    eclipsedPeers: eclipsed,
    ...(victims.length > 0 ? { victims: victimIdx.length, victimsEclipsed: eclipsedCount(victimIdx.map(neighboursOf), isAttacker) } : {}),
    honestLcc: overlayConnectivity(overlaySnapshot(world, addresses, apps)).lccFraction,
    perAttacker: rows,
    perAttackerTruncated: attackers.length > MAX_ATTACKER_ROWS,
  };
}
