import { secondsToUs } from '../../engine/time.ts';
import type { RngStreams } from '../../engine/rng.ts';
import type { World } from '../../net/world.ts';
import { Adversary } from '../adversary/adversary.ts';
import { eclipseMetrics } from '../adversary/eclipse-metrics.ts';
import { SybilApp, SybilCoalition } from '../adversary/sybil.ts';
import { SleeperApp } from '../adversary/sleeper.ts';
import { PoisonSyncApp } from '../adversary/poison-sync.ts';
import { SlotExhauster } from '../adversary/slot-exhaustion.ts';
import { RelayAdversary } from '../adversary/relay.ts';
import { securityMetrics } from '../adversary/security-metrics.ts';
import type { PeerStore } from '../globalmap/peer-store.ts';
import { DEFAULT_GLOBALMAP_CONFIG } from '../globalmap/config.ts';
import { signMapEvent } from '../globalmap/map-auth.ts';
import type { Seal } from '../adversary/forge.ts';
import type { Identity } from '../identity/registry.ts';
import { CompositeApp } from './composite-app.ts';
import type { HostContext } from '../../net/world.ts';
import type { AdversarySpec } from '../adversary/config-schema.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { PeerMapView, ProtocolDriver } from '../driver.ts';
import { IdentityRegistry } from '../identity/registry.ts';
import { modelPow, realPow } from '../identity/pow.ts';
import { ed25519Signer, modelSigner } from '../identity/signer.ts';
import type { Address } from '../../sans-io/protocol.ts';
import type { NodeApp } from './app.ts';
import { codecBoundary, sizerFor } from './codec-boundary.ts';
import { DEFAULT_NODE_CONFIG, type NodeConfig } from './config.ts';
import { nodeMetrics, nodeSample } from './metrics.ts';
import { overlaySnapshot, overlayTopology } from './overlay-graph.ts';
import { PeerNode, type WireItem } from './peer-node.ts';
import { ConnHot } from './conn-hot.ts';
import type { Conn } from './conn.ts';
import type { NodeRun } from './run.ts';
import type { StrategyEnv, StrategyRuntime } from '../strategy.ts';

/** The honest peers a Sybil coalition attacks: a seeded choice among the non-bootstrap peers. */
function chooseVictims(run: NodeRun, rng: RngStreams, count: number): Address[] {
  const pool = Array.from({ length: Math.max(0, run.peers - run.bootstrap.count) }, (_, i) => run.bootstrap.count + i);
  return rng.stream('adversary/victims').shuffle(pool).slice(0, count);
}

/** An app as a plain object of bound methods (so it can be extended without touching the instance). */
function delegate(app: NodeApp): NodeApp {
  return {
    name: app.name,
    onStart: (now, api) => app.onStart(now, api),
    onPeerUp: (now, peer, dir) => app.onPeerUp(now, peer, dir),
    onPeerDown: (now, peer) => app.onPeerDown(now, peer),
    onMessage: (now, peer, msg) => app.onMessage(now, peer, msg),
    onTimer: (now, tag) => app.onTimer(now, tag),
    onDialFailed: (now, address) => app.onDialFailed?.(now, address),
    overlay: app.overlay ? () => app.overlay!() : undefined,
  };
}

/** The peer manager's configuration from the scenario's `protocol.node` and `crypto`/`wire` sections. */
export function nodeConfigFrom(run: NodeRun): NodeConfig {
  const { node: s, crypto, wire } = run;
  return {
    ...DEFAULT_NODE_CONFIG,
    handshake: { ...DEFAULT_NODE_CONFIG.handshake, protocolVersion: s.protocolVersion, minProtocolVersion: s.minProtocolVersion, transcript: s.handshake },
    handshakeTimeoutUs: secondsToUs(s.handshakeTimeoutS),
    maxInbound: s.maxInbound,
    maxOutbound: s.maxOutbound,
    outboundTarget: s.outboundTarget,
    tickUs: secondsToUs(s.tickS),
    pingIntervalUs: secondsToUs(s.pingIntervalS),
    staleTimeoutUs: secondsToUs(s.staleTimeoutS),
    backoffBaseUs: secondsToUs(s.backoff.baseS),
    backoffCapUs: secondsToUs(s.backoff.capS),
    backoffJitter: s.backoff.jitter,
    maxDialFailures: s.backoff.maxFailures,
    banThreshold: s.ban.threshold,
    banDurationUs: secondsToUs(s.ban.durationS),
    banScoreHalfLifeUs: secondsToUs(s.ban.halfLifeS),
    maxPendingPerAddress: s.limits.pendingPerAddress,
    maxInboundPerAddress: s.limits.inboundPerAddress,
    maxInboundGroupShare: s.limits.inboundGroupShare,
    unsolicitedAddr: s.limits.unsolicitedAddr,
    anchorCount: s.anchors.count,
    anchorMinAgeUs: secondsToUs(s.anchors.minAgeS),
    anchorKeepInSelection: s.anchors.keepInSelection,
    addrBook: s.addrBook.kind,
    addrBucketSize: s.addrBook.bucketSize,
    addrBucketsPerSource: s.addrBook.bucketsPerSource,
    rateMsgsPerS: s.rate.msgsPerS,
    rateBurst: s.rate.burst,
    addrBookCapacity: s.addrBookCapacity,
    addrResponseMax: s.addrResponseMax,
    maxFrameBytes: wire.maxFrameBytes,
    materialize: wire.materialize,
    signUs: crypto.signUs,
    verifyUs: crypto.verifyUs,
    lanBeaconIntervalUs: secondsToUs(s.lanBeaconS),
    powDifficulty: crypto.pow.difficulty,
    powHashUs: crypto.pow.hashUs,
  };
}

/**
 * The stream an adversary's key pair (or proof of work) is drawn from, by
 * adversary ordinal. Honest peers draw from `peer/<honest index>/…`; keying
 * adversaries by role and ordinal (not by host address, which churn arrivals'
 * honest indices reuse) gives every host of a run its own identity.
 */
export function adversaryStream(ordinal: number, subsystem: 'identity' | 'pow'): string {
  return `adversary/${ordinal}/${subsystem}`;
}

/**
 * Peers that run the peer manager (PeerNode), optionally hosting an overlay
 * app, plus the scenario's adversaries. Identities: one Ed25519 (or model)
 * key pair per host, kept across restarts: honest peer i (initial or churn
 * arrival) from `peer/<i>/identity`, adversary j from `adversary/<j>/identity`.
 */
export function nodeDriver(
  run: NodeRun,
  rng: RngStreams,
  makeRuntime: (env: StrategyEnv) => StrategyRuntime = () => ({ appFor: () => undefined }),
  name = 'node',
): ProtocolDriver<WireItem> {
  const { crypto, wire: wireSettings } = run;
  const real = crypto.signatures === 'real';
  const powOn = crypto.pow.difficulty > 0;
  const registry = new IdentityRegistry(real ? ed25519Signer : modelSigner, { scheme: real ? realPow : modelPow, difficulty: crypto.pow.difficulty });
  const wire = codecBoundary(registry, wireSettings.maxFrameBytes);
  const bootstrap: Address[] = Array.from({ length: run.bootstrap.count }, (_, i) => i);
  const runtime = makeRuntime({ run, rng, registry, bootstrap });
  const baseCfg = nodeConfigFrom(run);
  const cfg = runtime.nodeConfig ? runtime.nodeConfig(baseCfg) : baseCfg;
  /** Per-message connection state of all this run's nodes, in one table (see ConnHot). */
  const hot = new ConnHot<Conn>(4096);
  const apps: (NodeApp | undefined)[] = [];
  /** Host address of each honest peer, by honest index (churn adds peers at later addresses). */
  const addresses: number[] = [];
  const peerNums: PeerNum[] = [];
  let coalition: SybilCoalition | undefined;
  /** Every adversary's peer number (kept for the security metrics and so forgers never name each other). */
  const hostile = new Set<PeerNum>();
  const hostileKind = new Map<Address, string>();
  /** In a signed map a forger signs with its own key (the only one it has). */
  const sealFor = (identity: Identity): Seal | undefined => (run.mapSecurity === 'signed' ? (e) => signMapEvent(registry.signer, registry, identity, e) : undefined);
  const mintAdversary = (spec: AdversarySpec, ordinal: number) => {
    const identity = registry.mint(rng.stream(adversaryStream(ordinal, 'identity')), spec.payPow && powOn ? rng.stream(adversaryStream(ordinal, 'pow')) : undefined);
    hostile.add(identity.num);
    return identity;
  };

  /** A Sybil: the honest stack (same strategy app) plus the eclipse attack, with outbound room for its victims. */
  const sybilNode = (ctx: HostContext<WireItem>, spec: AdversarySpec, ordinal: number): PeerNode => {
    coalition ??= new SybilCoalition(chooseVictims(run, rng, spec.victims));
    const identity = mintAdversary(spec, ordinal);
    coalition.join(identity.num, ctx.address);
    const inner = runtime.appFor(honest + ordinal, identity, true);
    const attack = new SybilApp(
      coalition,
      { attackIntervalUs: secondsToUs(spec.intervalS), gossipIntervalUs: secondsToUs(spec.gossipIntervalS), falseLinks: spec.falseLinks, mesh: spec.mesh, meshDegree: spec.meshDegree, ttl: 6 },
      () => peerNums,
      sealFor(identity),
    );
    const app = inner ? new CompositeApp([{ ...delegate(inner), handles: (t: number) => (inner as { handles?: (t: number) => boolean }).handles?.(t) ?? true }, attack]) : attack;
    const sybilCfg = { ...cfg, maxOutbound: cfg.maxOutbound + spec.victims };
    return new PeerNode({ address: ctx.address, io: ctx.io, rng: ctx.rng, identity, registry, cfg: sybilCfg, wire, bootstrap, app, hot, netGroupOf: run.netGroupOf });
  };
  /** A map poisoner: the honest stack, but it answers map-sync requests itself (first in the composite). */
  const poisonNode = (ctx: HostContext<WireItem>, spec: AdversarySpec, ordinal: number): PeerNode => {
    const identity = mintAdversary(spec, ordinal);
    const inner = runtime.appFor(honest + ordinal, identity, true);
    const poison = new PoisonSyncApp(
      { chunks: spec.syncChunks, linksPerChunk: spec.syncLinksPerChunk, dialIntervalUs: secondsToUs(spec.intervalS), dialsPerRound: spec.dialsPerRound },
      () => peerNums,
      () => addresses,
      sealFor(identity),
    );
    const app = inner ? new CompositeApp([poison, { ...delegate(inner), handles: (t: number) => (inner as { handles?: (t: number) => boolean }).handles?.(t) ?? true }]) : poison;
    return new PeerNode({ address: ctx.address, io: ctx.io, rng: ctx.rng, identity, registry, cfg, wire, bootstrap, app, hot, netGroupOf: run.netGroupOf });
  };
  /** A sleeper: the honest stack (same strategy app), forging map events from forgeFromS on. */
  const sleeperNode = (ctx: HostContext<WireItem>, spec: AdversarySpec, ordinal: number): PeerNode => {
    const identity = mintAdversary(spec, ordinal);
    const inner = runtime.appFor(honest + ordinal, identity, true);
    const forger = new SleeperApp(
      {
        forgeFromUs: secondsToUs(spec.forgeFromS),
        forgeIntervalUs: secondsToUs(spec.forgeIntervalS),
        forgeLinks: spec.forgeLinks,
        forgeTombstones: spec.forgeTombstones,
        futureUs: secondsToUs(spec.forgeFutureS),
        ttl: DEFAULT_GLOBALMAP_CONFIG.ttl,
      },
      () => peerNums,
      () => (inner as { store?: PeerStore } | undefined)?.store,
      (p) => hostile.has(p),
      sealFor(identity),
    );
    const app = inner ? new CompositeApp([{ ...delegate(inner), handles: (t: number) => (inner as { handles?: (t: number) => boolean }).handles?.(t) ?? true }, forger]) : forger;
    return new PeerNode({ address: ctx.address, io: ctx.io, rng: ctx.rng, identity, registry, cfg, wire, bootstrap, app, hot, netGroupOf: run.netGroupOf });
  };
  const honest = run.peers;
  const crashes = run.crashes;
  return {
    name,
    sizer: sizerFor(wireSettings.maxFrameBytes, registry),
    createPeer(ctx, index) {
      const identity = registry.mint(rng.peer(index, 'identity'), powOn ? rng.peer(index, 'pow') : undefined);
      const app = runtime.appFor(index, identity);
      apps[index] = app;
      addresses[index] = ctx.address;
      peerNums[index] = identity.num;
      return new PeerNode({ address: ctx.address, io: ctx.io, rng: ctx.rng, identity, registry, cfg, wire, bootstrap, app, hot, netGroupOf: run.netGroupOf });
    },
    createAdversary(ctx, spec, ordinal) {
      hostileKind.set(ctx.address, spec.kind);
      if (spec.kind === 'sybil') return sybilNode(ctx, spec, ordinal);
      if (spec.kind === 'sleeper') return sleeperNode(ctx, spec, ordinal);
      if (spec.kind === 'poisoned-sync') return poisonNode(ctx, spec, ordinal);
      const identity = mintAdversary(spec, ordinal);
      const targets = spec.targets === 'bootstrap' ? bootstrap : Array.from({ length: honest }, (_, i) => i);
      // Each adversary starts at a different target so they do not all queue on peer 0.
      const rotated = targets.map((_, i) => targets[(i + ordinal) % targets.length]);
      if (spec.kind === 'slot-exhaustion') {
        return new SlotExhauster(ctx.io, { targets: rotated, slots: spec.slots, redialUs: secondsToUs(spec.redialS), maxDials: spec.maxDials }, identity);
      }
      if (spec.kind === 'relay') {
        const pairs = rotated.map((v, i) => [v, rotated[(i + 1) % rotated.length]] as const).filter(([v, h]) => v !== h);
        return new RelayAdversary(ctx.io, { pairs, misbehaveAfterUs: secondsToUs(spec.intervalS), redialUs: secondsToUs(spec.redialS), maxDials: spec.maxDials }, identity);
      }
      return new Adversary(
        ctx.io,
        ctx.rng('adversary'),
        { kind: spec.kind, targets: rotated, intervalUs: secondsToUs(spec.intervalS), burst: spec.burst, redialUs: secondsToUs(spec.redialS), maxDials: spec.maxDials, transcript: cfg.handshake.transcript },
        identity,
        registry,
        wire,
        ctx.address,
      );
    },
    sample: (world: World<WireItem>) => ({ ...nodeSample(world, addresses, apps), ...runtime.sample?.(apps, world, addresses) }),
    snapshot: (world: World<WireItem>) => overlaySnapshot(world, addresses, apps),
    inspect: (world: World<WireItem>, index: number) => inspectPeer(world, addresses, apps, index),
    peerMap: (world: World<WireItem>, index: number) => peerMapOf(world, addresses, apps, index),
    app: (index: number) => apps[index],
    finalMetrics: (world: World<WireItem>) => {
      const own = runtime.finalMetrics?.(apps, world, addresses);
      const node = nodeMetrics(world, addresses, apps, crashes);
      const eclipse = coalition ? { eclipse: eclipseMetrics(world, coalition, addresses, apps) } : {};
      const security =
        hostileKind.size > 0 ? securityMetrics(world, addresses, apps, hostile, rng, (a) => hostileKind.get(a) ?? 'unknown', coalition?.victims) : undefined;
      const topology = overlayTopology(overlaySnapshot(world, addresses, apps), rng.stream('metrics/topology'));
      // A strategy's `discovery` and `memory` figures are reported at the top level, like `topology`.
      const { discovery, memory, ...rest } = (own ?? {}) as Record<string, unknown>;
      const sections: Record<string, unknown> = { node, topology };
      // With attackers, map accuracy counts honest–honest links only (a link to an attacker is neither true nor false of the honest overlay).
      if (discovery !== undefined) sections.discovery = security ? honestAccuracy(discovery, security) : discovery;
      if (memory !== undefined) sections.memory = memory;
      if (own && runtime.name) sections[runtime.name] = rest;
      return { ...sections, ...eclipse, ...(security && { security }), ...runtime.extraSections?.(apps, world) };
    },
  };
}

/** `discovery` with mapPrecision / mapRecall replaced by the honest–honest figures (same observers), when it has them. */
function honestAccuracy(discovery: unknown, security: Record<string, unknown>): unknown {
  const d = discovery as Record<string, unknown>;
  if (typeof d?.mapRecall !== 'number' || typeof security.honestMapRecall !== 'number') return discovery;
  return { ...d, mapPrecision: security.honestMapPrecision, mapRecall: security.honestMapRecall };
}


/** Figures an overlay app exposes, found by shape (a workload composite is looked through). */
function appFigures(app: NodeApp | undefined): Record<string, unknown> {
  if (!app) return {};
  const parts = (app as { apps?: readonly NodeApp[] }).apps ?? [app];
  const out: Record<string, unknown> = { app: app.name };
  for (const part of parts) {
    const store = (part as { store?: { known?: unknown } }).store;
    if (store && typeof store.known === 'number') out.mapSize = store.known;
    const table = (part as { tableSize?: unknown }).tableSize;
    if (typeof table === 'number') out.routingTableSize = table;
  }
  return out;
}

/** The map store of an app (a workload composite is looked through), when it keeps one. */
function mapStoreOf(app: NodeApp | undefined): MapStoreView | undefined {
  for (const part of (app as { apps?: readonly NodeApp[] } | undefined)?.apps ?? (app ? [app] : [])) {
    const store = (part as { store?: MapStoreView }).store;
    if (store && typeof store.originAt === 'function') return store;
  }
  return undefined;
}

interface MapStoreView {
  readonly originsWithRecords: number;
  originAt(i: number): PeerNum;
  confirmedNeighbours(origin: PeerNum, buf: PeerNum[]): readonly PeerNum[];
  isKnown(p: PeerNum): boolean;
}

/** Honest peer `index`'s map (the dashboard's "map against the truth"): its confirmed links and known peers between honest peers. Reads only. */
function peerMapOf(world: World<WireItem>, addresses: readonly number[], apps: readonly (NodeApp | undefined)[], index: number): PeerMapView | undefined {
  const store = mapStoreOf(apps[index]);
  if (!store || addresses[index] === undefined) return undefined;
  const nums = addresses.map((a) => (world.protocolOf(a) as PeerNode).self);
  const indexOf = new Map<PeerNum, number>();
  nums.forEach((p, i) => indexOf.set(p, i));
  const keys: number[] = [];
  const buf: PeerNum[] = [];
  for (let k = 0; k < store.originsWithRecords; k++) {
    const i = indexOf.get(store.originAt(k));
    if (i === undefined) continue;
    for (const b of store.confirmedNeighbours(store.originAt(k), buf)) {
      const j = indexOf.get(b);
      if (j !== undefined && j !== i) keys.push(Math.min(i, j) * 0x200000 + Math.max(i, j));
    }
  }
  const unique = [...new Set(keys)].sort((a, b) => a - b);
  const links = new Int32Array(2 * unique.length);
  unique.forEach((key, k) => {
    links[2 * k] = Math.floor(key / 0x200000);
    links[2 * k + 1] = key % 0x200000;
  });
  const known = Int32Array.from(nums.flatMap((p, i) => (i !== index && store.isKnown(p) ? [i] : [])));
  return { links, known };
}

/**
 * Honest peer `index` as a plain object for the dashboard's inspector:
 * liveness, established peers (honest index when it is one), overlay
 * links, the app's map or table size, the peer manager's counters and the
 * misbehaviour scores it holds against addresses. Reads only.
 */
function inspectPeer(world: World<WireItem>, addresses: readonly number[], apps: readonly (NodeApp | undefined)[], index: number): Record<string, unknown> | undefined {
  const address = addresses[index];
  if (address === undefined) return undefined;
  const node = world.protocolOf(address) as PeerNode;
  const indexOf = new Map<number, number>();
  addresses.forEach((a, i) => indexOf.set((world.protocolOf(a) as PeerNode).self, i));
  const honestAt = new Map<number, number>();
  addresses.forEach((a, i) => honestAt.set(a, i));
  const overlay = new Set<number>();
  const app = apps[index];
  for (const p of app?.overlay ? app.overlay() : node.peers().keys()) overlay.add(p);
  const connections = [...node.peers()].map(([peer, dir]) => {
    const rtt = node.rttUs(peer);
    return { peer: indexOf.get(peer) ?? -1, address: node.addressOf(peer) ?? -1, dir, overlay: overlay.has(peer), rttMs: rtt === undefined ? null : rtt / 1000 };
  });
  const banScores = [...node.banScores()].map(([addr, score]) => ({ address: addr, peer: honestAt.get(addr) ?? -1, score }));
  const st = node.stats;
  return {
    index,
    address,
    up: world.isUp(address),
    neighbours: [...overlay].map((p) => indexOf.get(p) ?? -1).filter((i) => i >= 0).sort((a, b) => a - b),
    connections,
    outbound: node.outboundCount(),
    inbound: node.inboundCount(),
    dialing: node.dialingCount(),
    ...appFigures(app),
    stats: {
      dialAttempts: st.dialAttempts,
      dialFailures: st.dialFailures,
      bansIssued: st.bansIssued,
      inboundRejected: st.inboundRejected,
      duplicatesClosed: st.duplicatesClosed,
      staleEvicted: st.staleEvicted,
      rateDropped: st.rateDropped,
      pingsSent: st.pingsSent,
      handshakes: { ...st.handshakes },
      offences: { ...st.offences },
    },
    banScores,
  };
}
