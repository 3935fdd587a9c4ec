import type { World } from '../../net/world.ts';
import { Adversary } from '../adversary/adversary.ts';
import { HANDSHAKE_OUTCOMES } from './stats.ts';
import { OFFENCES } from './config.ts';
import { PeerNode, type WireItem } from './peer-node.ts';

/** Per-node rows are listed up to this many honest peers; beyond, only aggregates. */
const MAX_NODE_ROWS = 100;

function honestNodes(world: World<WireItem>, honest: number): PeerNode[] {
  const out: PeerNode[] = [];
  for (let a = 0; a < honest; a++) out.push(world.protocolOf(a) as PeerNode);
  return out;
}

/** Largest connected component of established links among live honest peers, as a fraction of them. */
export function honestLcc(world: World<WireItem>, honest: number): { lccFraction: number; components: number; live: number } {
  const parent = new Int32Array(honest).map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  const nodes = honestNodes(world, honest);
  const addressOfPeer = new Map<number, number>();
  nodes.forEach((n, a) => addressOfPeer.set(n.self, a));
  let live = 0;
  for (let a = 0; a < honest; a++) {
    if (!world.isUp(a)) continue;
    live++;
    for (const peer of nodes[a].peers().keys()) {
      const b = addressOfPeer.get(peer);
      if (b !== undefined && world.isUp(b)) parent[find(a)] = find(b);
    }
  }
  const sizes = new Map<number, number>();
  for (let a = 0; a < honest; a++) if (world.isUp(a)) sizes.set(find(a), (sizes.get(find(a)) ?? 0) + 1);
  const largest = Math.max(0, ...sizes.values());
  return { lccFraction: live > 0 ? largest / live : 0, components: sizes.size, live };
}

export function nodeSample(world: World<WireItem>, honest: number): Record<string, number> {
  let links = 0;
  for (const n of honestNodes(world, honest)) links += n.peers().size;
  const lcc = honestLcc(world, honest);
  return { meanPeers: honest > 0 ? links / honest : 0, lccFraction: lcc.lccFraction, components: lcc.components };
}

/** Nodes whose dial log is reported per crashed peer. */
const MAX_RECONNECT_ROWS = 10;

/**
 * For each crashed peer: the times (s) at which up to 10 honest nodes dialled
 * it after the crash, with the outcome — the backoff made visible.
 */
export function reconnectReport(world: World<WireItem>, honest: number, crashes: readonly { address: number; atUs: number }[]) {
  return crashes.map(({ address, atUs }) => {
    const rows: { node: number; attempts: string[] }[] = [];
    for (let a = 0; a < honest && rows.length < MAX_RECONNECT_ROWS; a++) {
      const n = world.protocolOf(a) as PeerNode;
      const attempts = n.stats.attempts.filter((x) => x.address === address && x.tUs >= atUs).map((x) => `${(x.tUs / 1e6).toFixed(1)}:${x.outcome}`);
      if (attempts.length > 0) rows.push({ node: a, attempts });
    }
    return { peer: address, crashedAtS: atUs / 1e6, dialsBy: rows };
  });
}

export function nodeMetrics(world: World<WireItem>, honest: number, crashes: readonly { address: number; atUs: number }[] = []): Record<string, unknown> {
  const nodes = honestNodes(world, honest);
  const minutes = Math.max(1e-9, world.now / 60e6);
  const handshakes = Object.fromEntries(HANDSHAKE_OUTCOMES.map((k) => [k, 0]));
  const offences = Object.fromEntries(OFFENCES.map((k) => [k, 0]));
  let bans = 0;
  let dials = 0;
  let links = 0;
  for (const n of nodes) {
    for (const k of HANDSHAKE_OUTCOMES) handshakes[k] += n.stats.handshakes[k];
    for (const k of OFFENCES) offences[k] += n.stats.offences[k];
    bans += n.stats.bansIssued;
    dials += n.stats.dialAttempts;
    links += n.peers().size;
  }
  const perNode = nodes.slice(0, MAX_NODE_ROWS).map((n, a) => ({
    address: a,
    up: world.isUp(a),
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
  return {
    honestPeers: honest,
    meanPeers: honest > 0 ? links / honest : 0,
    ...honestLcc(world, honest),
    handshakes,
    offences,
    bansIssued: bans,
    dialAttempts: dials,
    adversaries: adversaryReport(world, nodes, honest),
    reconnectsToCrashed: reconnectReport(world, honest, crashes),
    perNode,
    perNodeTruncated: honest > MAX_NODE_ROWS,
  };
}

/** Per adversary: what it did, and how many honest peers hold a ban on its address at the end. */
function adversaryReport(world: World<WireItem>, nodes: PeerNode[], honest: number) {
  const rows = [];
  for (let a = honest; a < world.hostCount; a++) {
    const p = world.protocolOf(a);
    if (!(p instanceof Adversary)) continue;
    const bannedBy = nodes.filter((n) => n.book.isBanned(a, world.now)).length;
    const notBannedByVictims = [...p.victims].filter((v) => v < honest && !nodes[v].book.isBanned(a, world.now));
    rows.push({ address: a, kind: p.kind, ...p.stats, bannedBy, notBannedByVictims });
  }
  return rows;
}
