import type { World } from '../../net/world.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { PeerStore } from '../globalmap/peer-store.ts';
import type { NodeApp } from '../node/app.ts';
import type { PeerNode, WireItem } from '../node/peer-node.ts';
import type { SybilCoalition } from './sybil.ts';
import { maxOf } from '../../engine/extremes.ts';

/** Honest maps inspected for accepted false links. */
const MAX_OBSERVERS = 50;

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * How far the Sybils got (issue 6 §7): per victim, the share of its overlay
 * neighbours that are Sybils and whether it is fully eclipsed; in honest
 * global maps, the share of false links accepted as confirmed — claims
 * towards honest peers (which only one side makes) and the Sybil mesh (which
 * colluding ends both make).
 */
export function eclipseMetrics(
  world: World<WireItem>,
  coalition: SybilCoalition,
  addresses: readonly number[],
  apps: readonly (NodeApp | undefined)[],
): Record<string, unknown> {
  const indexOf = new Map<number, number>();
  addresses.forEach((a, i) => indexOf.set(a, i));
  const shares: number[] = [];
  let eclipsed = 0;
  let isolated = 0;
  for (const v of coalition.victims) {
    const i = indexOf.get(v);
    if (i === undefined || !world.isUp(v)) continue;
    const app = apps[i];
    const links = [...(app?.overlay ? app.overlay() : (world.protocolOf(v) as PeerNode).peers().keys())];
    if (links.length === 0) {
      isolated++;
      continue;
    }
    const bad = links.filter((p) => coalition.memberSet.has(p)).length;
    shares.push(bad / links.length);
    if (bad === links.length) eclipsed++;
  }
  const victims = shares.length + isolated;
  return {
    sybils: coalition.members.length,
    victims,
    attackerShareOfVictimNeighbours: mean(shares),
    attackerShareMax: shares.length ? maxOf(shares) : 0,
    victimsFullyEclipsed: victims > 0 ? eclipsed / victims : 0,
    victimsIsolated: isolated,
    ...falseLinkAcceptance(world, coalition, addresses, apps),
  };
}

function falseLinkAcceptance(world: World<WireItem>, coalition: SybilCoalition, addresses: readonly number[], apps: readonly (NodeApp | undefined)[]) {
  const stores: PeerStore[] = [];
  addresses.forEach((a, i) => {
    const store = (apps[i] as { store?: PeerStore } | undefined)?.store;
    if (store && world.isUp(a) && stores.length < MAX_OBSERVERS) stores.push(store);
  });
  if (stores.length === 0) return { falseHonestLinksAccepted: null, sybilMeshLinksAccepted: null, mapObservers: 0 };
  const real = new Set<string>();
  for (const m of coalition.members) {
    const node = world.protocolOf(m.address) as PeerNode;
    for (const p of node.peers().keys()) real.add(pairKey(m.peer, p));
  }
  const honestClaims = [...coalition.falseHonestLinks].map((k) => k.split('|').map(Number) as [PeerNum, PeerNum]).filter(([s, h]) => !real.has(pairKey(s, h)));
  const meshPairs: [PeerNum, PeerNum][] = [];
  for (const k of coalition.meshLinks) {
    const [a, b] = k.split('|').map(Number) as [PeerNum, PeerNum];
    if (!real.has(pairKey(a, b))) meshPairs.push([a, b]);
  }
  const share = (pairs: [PeerNum, PeerNum][]) =>
    pairs.length === 0 ? null : mean(stores.map((s) => pairs.filter(([a, b]) => s.isConfirmed(a, b)).length / pairs.length));
  return { falseHonestLinksAccepted: share(honestClaims), sybilMeshLinksAccepted: share(meshPairs), mapObservers: stores.length };
}

function pairKey(a: PeerNum, b: PeerNum): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}
