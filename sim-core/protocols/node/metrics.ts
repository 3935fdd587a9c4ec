import type { World } from '../../net/world.ts';
import { Adversary } from '../adversary/adversary.ts';
import { HANDSHAKE_OUTCOMES } from './stats.ts';
import { OFFENCES } from './config.ts';
import { PeerNode, type WireItem } from './peer-node.ts';
import type { NodeApp } from './app.ts';
import { overlaySnapshot, type OverlaySnapshot } from './overlay-graph.ts';
import { connectedComponents } from '../../metrics/graph/index.ts';
import { maxOf } from '../../engine/extremes.ts';

/** Per-node rows are listed up to this many honest peers; beyond, only aggregates. */
const MAX_NODE_ROWS = 100;

function honestNodes(world: World<WireItem>, addresses: readonly number[]): PeerNode[] {
  return addresses.map((a) => world.protocolOf(a) as PeerNode);
}

/** LCC fraction and component count of the overlay among live honest peers, and how many are live. */
export function overlayConnectivity(snap: OverlaySnapshot): { lccFraction: number; components: number; live: number } {
  const c = connectedComponents(snap.graph);
  const live = c.sizes.reduce((x, y) => x + y, 0);
  return { lccFraction: live > 0 && c.largest >= 0 ? c.sizes[c.largest] / live : 0, components: c.count, live };
}

export function nodeSample(world: World<WireItem>, addresses: readonly number[], apps: readonly (NodeApp | undefined)[]): Record<string, number> {
  const snap = overlaySnapshot(world, addresses, apps);
  const conn = overlayConnectivity(snap);
  return {
    livePeers: conn.live,
    meanOverlayDegree: conn.live > 0 ? snap.graph.targets.length / conn.live : 0,
    lccFraction: conn.lccFraction,
    components: conn.components,
  };
}

/** Nodes whose dial log is reported per crashed peer. */
const MAX_RECONNECT_ROWS = 10;

/**
 * For each crashed peer: the times (s) at which up to 10 honest nodes dialled
 * it after the crash, with the outcome — the backoff made visible.
 */
export function reconnectReport(world: World<WireItem>, addresses: readonly number[], crashes: readonly { address: number; atUs: number }[]) {
  return crashes.map(({ address, atUs }) => {
    const rows: { node: number; attempts: string[] }[] = [];
    for (const a of addresses) {
      if (rows.length >= MAX_RECONNECT_ROWS) break;
      const n = world.protocolOf(a) as PeerNode;
      const attempts = n.stats.attempts.filter((x) => x.address === address && x.tUs >= atUs).map((x) => `${(x.tUs / 1e6).toFixed(1)}:${x.outcome}`);
      if (attempts.length > 0) rows.push({ node: a, attempts });
    }
    return { peer: address, crashedAtS: atUs / 1e6, dialsBy: rows };
  });
}

export function nodeMetrics(world: World<WireItem>, addresses: readonly number[], apps: readonly (NodeApp | undefined)[], crashes: readonly { address: number; atUs: number }[] = []): Record<string, unknown> {
  const honest = addresses.length;
  const nodes = honestNodes(world, addresses);
  const minutes = Math.max(1e-9, world.now / 60e6);
  const handshakes = Object.fromEntries(HANDSHAKE_OUTCOMES.map((k) => [k, 0]));
  const offences = Object.fromEntries(OFFENCES.map((k) => [k, 0]));
  let bans = 0;
  let dials = 0;
  let links = 0;
  // Hostile-peer defences: inbound connections turned away by per-address/per-group limits, frames dropped at the id bound.
  let inboundCapped = 0;
  let idLimitDropped = 0;
  for (const n of nodes) {
    inboundCapped += n.stats.inboundCapped;
    idLimitDropped += n.stats.idLimitDropped;
    for (const k of HANDSHAKE_OUTCOMES) handshakes[k] += n.stats.handshakes[k];
    for (const k of OFFENCES) offences[k] += n.stats.offences[k];
    bans += n.stats.bansIssued;
    dials += n.stats.dialAttempts;
    links += n.peers().size;
  }
  const perNode = nodes.slice(0, MAX_NODE_ROWS).map((n, i) => ({
    address: addresses[i],
    up: world.isUp(addresses[i]),
    connections: n.peers().size,
    outbound: n.outboundCount(),
    inbound: n.inboundCount(),
    bansIssued: n.stats.bansIssued,
    dialAttempts: n.stats.dialAttempts,
    reconnectAttemptsPerMinute: n.stats.dialAttempts / minutes,
    handshakes: { ...n.stats.handshakes },
    offences: { ...n.stats.offences },
    duplicatesClosed: n.stats.duplicatesClosed,
    staleEvicted: n.stats.staleEvicted,
    meanRttMs: n.stats.rttSamples > 0 ? n.stats.rttSumUs / n.stats.rttSamples / 1000 : null,
  }));
  const mintMs = nodes.map((n) => n.identityMintUs / 1000).filter((x) => x > 0);
  const lan = { beaconsSent: 0, beaconsReceived: 0, beaconsInvalid: 0, discovered: 0 };
  for (const n of nodes) {
    lan.beaconsSent += n.stats.lanBeaconsSent;
    lan.beaconsReceived += n.stats.lanBeaconsReceived;
    lan.beaconsInvalid += n.stats.lanBeaconsInvalid;
    lan.discovered += n.stats.lanDiscovered;
  }
  return {
    honestPeers: honest,
    meanPeers: honest > 0 ? links / honest : 0,
    // Proof-of-work identities (crypto.pow): modelled time each honest node spent grinding before it joined.
    // LAN discovery beacons (protocol.node.lanBeaconS): sent, accepted, dropped, addresses first learnt that way.
    ...(lan.beaconsSent > 0 ? { lan } : {}),
    ...(mintMs.length > 0 ? { identityPow: { minted: mintMs.length, mintMsMean: mintMs.reduce((a, x) => a + x, 0) / mintMs.length, mintMsMax: maxOf(mintMs) } } : {}),
    ...overlayConnectivity(overlaySnapshot(world, addresses, apps)),
    handshakes,
    offences,
    bansIssued: bans,
    inboundCapped,
    idLimitDropped,
    dialAttempts: dials,
    adversaries: adversaryReport(world, nodes, addresses),
    reconnectsToCrashed: reconnectReport(world, addresses, crashes),
    perNode,
    perNodeTruncated: honest > MAX_NODE_ROWS,
  };
}

/** Per adversary: what it did, and how many honest peers hold a ban on its address at the end. */
function adversaryReport(world: World<WireItem>, nodes: PeerNode[], addresses: readonly number[]) {
  const rows = [];
  const nodeAt = new Map<number, PeerNode>();
  addresses.forEach((a, i) => nodeAt.set(a, nodes[i]));
  for (let a = 0; a < world.hostCount; a++) {
    const p = world.protocolOf(a);
    if (!(p instanceof Adversary)) continue;
    const bannedBy = nodes.filter((n) => n.book.isBanned(a, world.now)).length;
    const notBannedByVictims = [...p.victims].filter((v) => nodeAt.has(v) && !nodeAt.get(v)!.book.isBanned(a, world.now));
    rows.push({ address: a, kind: p.kind, ...p.stats, bannedBy, notBannedByVictims });
  }
  return rows;
}
