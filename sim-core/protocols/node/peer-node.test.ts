import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../engine/rng.ts';
import { ConstantLatency } from '../../net/latency.ts';
import { World } from '../../net/world.ts';
import { parseScenario } from '../../scenario/load.ts';
import { Simulation } from '../../scenario/simulation.ts';
import { IdentityRegistry } from '../identity/registry.ts';
import { ed25519Signer } from '../identity/signer.ts';
import { codecBoundary, wireItemSizer } from './codec-boundary.ts';
import { DEFAULT_NODE_CONFIG, type NodeConfig } from './config.ts';
import { PeerNode, type WireItem } from './peer-node.ts';
import type { NodeApi, NodeApp } from './app.ts';
import { MsgType } from '../../wire/messages.ts';
import { modelSigner } from '../identity/signer.ts';
import { modelPow } from '../identity/pow.ts';
import { recordingActions } from '../../testing/recording-actions.ts';

function twoNodes(cfg: Partial<NodeConfig> = {}, seed = 1) {
  const rng = new RngStreams(seed);
  const world = new World<WireItem>({ rng, latency: new ConstantLatency(5), sizer: wireItemSizer });
  const registry = new IdentityRegistry(ed25519Signer);
  const wire = codecBoundary(registry);
  const full: NodeConfig = { ...DEFAULT_NODE_CONFIG, autoDial: false, ...cfg };
  const nodes: PeerNode[] = [];
  for (let i = 0; i < 2; i++) {
    world.addHost((ctx) => {
      const n = new PeerNode({ address: ctx.address, io: ctx.io, rng: ctx.rng, identity: registry.mint(rng.peer(i, 'identity')), registry, cfg: full, wire, bootstrap: [] });
      nodes.push(n);
      return n;
    });
    world.startAt(i, 0);
  }
  return { world, nodes };
}

describe('PeerNode over the simulated network', () => {
  it('two nodes that dial each other at the same instant end with exactly one connection', () => {
    for (const materialize of [false, true]) {
      const { world, nodes } = twoNodes({ materialize });
      world.at(1000, () => {
        nodes[0].dial(1);
        nodes[1].dial(0);
      });
      world.scheduler.run(5_000_000);
      expect(nodes[0].peers().size).toBe(1);
      expect(nodes[1].peers().size).toBe(1);
      expect(nodes[0].stats.handshakes.established).toBe(2); // both handshakes completed, then one link was dropped
      expect(nodes[0].stats.duplicatesClosed + nodes[1].stats.duplicatesClosed).toBeGreaterThanOrEqual(1);
      // Both ends kept the same connection: its direction is opposite on each side.
      const d0 = [...nodes[0].peers().values()][0];
      const d1 = [...nodes[1].peers().values()][0];
      expect(d0).not.toBe(d1);
      expect(world.conns.active).toBe(1);
    }
  });

  it('measures RTT with keepalive pings and drops a silent peer after the stale timeout', () => {
    const { world, nodes } = twoNodes({ pingIntervalUs: 2_000_000, staleTimeoutUs: 6_000_000 });
    world.at(0, () => nodes[0].dial(1));
    world.scheduler.run(10_000_000);
    expect(nodes[0].rttUs(nodes[1].self)).toBe(10_000); // 5 ms each way
    world.at(world.now, (w) => w.crashHost(1));
    world.scheduler.run(30_000_000);
    expect(nodes[0].peers().size).toBe(0);
    expect(nodes[0].stats.staleEvicted).toBe(1);
  });

  it('holds the inbound limit through churn: closed inbound links free their slots, outbound ones never took one', () => {
    const n = 7;
    const rng = new RngStreams(3);
    const world = new World<WireItem>({ rng, latency: new ConstantLatency(5), sizer: wireItemSizer });
    const registry = new IdentityRegistry(ed25519Signer);
    const wire = codecBoundary(registry);
    const cfg: NodeConfig = { ...DEFAULT_NODE_CONFIG, autoDial: false, maxInbound: 2, maxInboundPerAddress: 1024, maxInboundGroupShare: 1 };
    const nodes: PeerNode[] = [];
    for (let i = 0; i < n; i++) {
      world.addHost((ctx) => {
        const node = new PeerNode({ address: ctx.address, io: ctx.io, rng: ctx.rng, identity: registry.mint(rng.peer(i, 'identity')), registry, cfg, wire, bootstrap: [] });
        nodes.push(node);
        return node;
      });
      world.startAt(i, 0);
    }
    const hub = nodes[0];
    const inbound = () => [...hub.peers().values()].filter((d) => d === 'in').length;
    world.at(1_000, () => hub.dial(6)); // an outbound link of the hub: not counted against maxInbound
    world.at(100_000, () => [1, 2, 3].forEach((i) => nodes[i].dial(0)));
    world.scheduler.run(1_000_000);
    expect(inbound()).toBe(2); // the third was turned away
    expect(hub.stats.inboundRejected).toBe(1);
    expect(hub.peers().size).toBe(3);
    world.at(world.now, () => [1, 2].forEach((i) => nodes[i].disconnect(hub.self, 'leaving')));
    world.scheduler.run(2_000_000);
    expect(inbound()).toBe(0);
    world.at(world.now, () => [3, 4, 5].forEach((i) => nodes[i].dial(0)));
    world.scheduler.run(3_000_000);
    expect(inbound()).toBe(2); // both freed slots taken again, and no more
    expect(hub.stats.inboundRejected).toBe(2);
  });

  it('redials a lost peer with growing, capped backoff', () => {
    const { world, nodes } = twoNodes({ backoffBaseUs: 1_000_000, backoffCapUs: 8_000_000, backoffJitter: 0, staleTimeoutUs: 3_000_000, pingIntervalUs: 1_000_000 });
    world.at(0, () => nodes[0].dial(1));
    world.at(2_000_000, (w) => w.crashHost(1));
    world.scheduler.run(120_000_000);
    const times = nodes[0].stats.attempts.filter((a) => a.tUs > 2_000_000).map((a) => a.tUs);
    const gaps = times.slice(1).map((t, i) => t - times[i]);
    // Each failed dial takes the dial timeout (5 s + the SYN's 5 ms), then waits 1, 2, 4, 8, 8… s
    // (cap 8 s), rounded up to the next 1 s maintenance tick.
    const backoffs = [1, 2, 4, 8, 8, 8].map((s) => s * 1e6);
    expect(gaps.length).toBeGreaterThanOrEqual(backoffs.length);
    backoffs.forEach((b, i) => {
      const waited = gaps[i] - 5_005_000;
      expect(waited, `gap ${i}`).toBeGreaterThanOrEqual(b);
      expect(waited, `gap ${i}`).toBeLessThanOrEqual(b + 1_000_000);
    });
  });
});

describe('PeerNode: what hearsay may change', () => {
  it('an address it dialled and proven is not replaced by a peer\'s say-so, until a dial to it fails', () => {
    const { world, nodes } = twoNodes();
    const [a, b] = nodes;
    world.at(1000, () => a.dial(1));
    world.scheduler.run(2_000_000);
    expect(a.peers().size).toBe(1);
    world.at(2_000_000, () => a.disconnect(b.self, 'test'));
    world.scheduler.run(3_000_000);
    expect(a.peers().size).toBe(0);
    a.learnAddress(999, b.self, world.now); // an addr entry, a Kademlia answer or a map offer naming b elsewhere
    expect(a.addressOf(b.self)).toBe(1);
    // b goes away; a's next dial to its proven address fails, and then hearsay is all a has.
    world.at(4_000_000, (w) => w.crashHost(1));
    let dialled = false;
    world.at(5_000_000, () => void (dialled = a.dial(1)));
    world.scheduler.run(20_000_000);
    expect(dialled).toBe(true);
    expect(a.peers().size).toBe(0);
    a.learnAddress(999, b.self, world.now);
    expect(a.addressOf(b.self)).toBe(999);
  });
});

describe('PeerNode restarted after a crash', () => {
  /** An app that, told a link went down, dials `target` and sends to every peer it still has: what a redial-on-loss app does. */
  function reactiveApp(target: number) {
    let api: NodeApi | undefined;
    const tries: { dial: boolean; sends: boolean[] }[] = [];
    const app: NodeApp = {
      name: 'reactive',
      onStart: (_now, a) => void (api = a),
      onPeerUp: () => {},
      onPeerDown: () => {
        const sends = [...api!.peers().keys()].map((p) => api!.send(p, { type: MsgType.Ping, nonce: 1 }));
        tries.push({ dial: api!.dial(target), sends });
      },
      onMessage: () => {},
      onTimer: () => {},
    };
    return { app, tries };
  }

  it('tells the app its old links went down, but its dials and sends then are refused (they would outlive its restart)', () => {
    const rng = new RngStreams(4);
    const world = new World<WireItem>({ rng, latency: new ConstantLatency(5), sizer: wireItemSizer });
    const registry = new IdentityRegistry(ed25519Signer);
    const wire = codecBoundary(registry);
    const cfg: NodeConfig = { ...DEFAULT_NODE_CONFIG, autoDial: false };
    const { app, tries } = reactiveApp(3);
    const nodes: PeerNode[] = [];
    for (let i = 0; i < 4; i++) {
      world.addHost((ctx) => {
        const node = new PeerNode({ address: ctx.address, io: ctx.io, rng: ctx.rng, identity: registry.mint(rng.peer(i, 'identity')), registry, cfg, wire, bootstrap: [], app: i === 0 ? app : undefined });
        nodes.push(node);
        return node;
      });
      world.startAt(i, 0);
    }
    world.at(1000, () => {
      nodes[0].dial(1);
      nodes[0].dial(2);
    });
    world.scheduler.run(2_000_000);
    expect(nodes[0].peers().size).toBe(2);
    world.at(3_000_000, (w) => w.crashHost(0));
    world.at(4_000_000, (w) => w.startAt(0, w.now));
    world.scheduler.run(10_000_000);
    expect(tries.length).toBe(2); // both old links reported down at the restart
    for (const t of tries) {
      expect(t.dial).toBe(false);
      expect(t.sends.every((ok) => !ok)).toBe(true);
    }
    expect(nodes[0].stats.attempts.filter((a) => a.tUs >= 4_000_000)).toEqual([]);
    expect(nodes[3].peers().size).toBe(0);
  });

  it('grinds its identity again when it crashed while grinding (the work died with the process)', () => {
    const rng = new RngStreams(1);
    const registry = new IdentityRegistry(modelSigner, { scheme: modelPow, difficulty: 16 });
    const identity = registry.mint(rng.peer(0, 'identity'), rng.peer(0, 'pow'));
    const { io, log } = recordingActions<WireItem>();
    const cfg: NodeConfig = { ...DEFAULT_NODE_CONFIG, powDifficulty: 16, powHashUs: 10 };
    const node = new PeerNode({ address: 5, io, rng: (s) => rng.peer(5, s), identity, registry, cfg, wire: codecBoundary(registry), bootstrap: [0, 1] });
    node.onStart(0);
    const grind = node.identityMintUs;
    expect(grind).toBeGreaterThan(500_000);
    expect(log.timers).toEqual([{ delay: grind, tag: 2 }]);
    // Crashed before the grind ended (its timer died with it: World drops a stopped host's timers), restarted at once.
    node.onStart(grind / 2);
    expect(log.timers).toEqual([
      { delay: grind, tag: 2 },
      { delay: grind, tag: 2 },
    ]);
    expect(log.dials).toEqual([]);
    // The grind ends: the node joins, and a later restart needs no grind.
    node.onTimer(grind / 2 + grind, 2);
    expect(log.dials.length).toBeGreaterThan(0);
    const timers = log.timers.length;
    node.onStart(9e9);
    expect(log.timers.slice(timers).some((t) => t.tag === 2)).toBe(false);
  });
});

describe('hostile-lan scenario', () => {
  it('honest nodes stay connected, every attacker is banned by every node it attacked, no exception escapes', () => {
    const s = parseScenario(readFileSync('scenarios/hostile-lan.yaml', 'utf8'), 'hostile-lan.yaml');
    const r = new Simulation(s).runToEnd();
    const m = r.metrics.node as {
      lccFraction: number;
      live: number;
      adversaries: { kind: string; attacked: number; notBannedByVictims: number[] }[];
      reconnectsToCrashed: { dialsBy: { attempts: string[] }[] }[];
    };
    const replay = `replay: npx peermap run scenarios/hostile-lan.yaml --seed ${s.seed}`;
    expect(r.endReason, replay).toBe('completed');
    expect(m.live, replay).toBe(50);
    expect(m.lccFraction, replay).toBe(1);
    expect(m.adversaries).toHaveLength(10);
    for (const a of m.adversaries) {
      expect(a.attacked, `${a.kind} ${replay}`).toBeGreaterThan(0);
      expect(a.notBannedByVictims, `${a.kind} ${replay}`).toEqual([]);
    }
    // Peers that lost the crashed node kept dialling it, ever more slowly, and got it back.
    const rows = m.reconnectsToCrashed[0].dialsBy;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((row) => row.attempts.at(-1)!.endsWith(':connected'))).toBe(true);
  });
});

describe('countKnownAmong', () => {
  it('counts the same peers as probing addressOf for each one (random baseline after 2 simulated minutes)', () => {
    const seed = 3;
    const text = readFileSync('scenarios/default.yaml', 'utf8').replace('strategy: globalmap', 'strategy: random');
    const s = parseScenario(text, 'default.yaml');
    const sim = new Simulation({ ...s, seed, peers: { ...s.peers, count: 60 }, durationS: 120 });
    sim.runToEnd();
    const nodes = Array.from({ length: sim.world.hostCount }, (_, h) => sim.world.protocolOf(h)).filter((p): p is PeerNode => p instanceof PeerNode);
    const nums = nodes.map((n) => n.self);
    // Every other live peer flagged, plus numbers nobody holds (the bitmap may be longer than the peers).
    const among = new Uint8Array(Math.max(...nums) + 10);
    nums.filter((_, i) => i % 3 !== 0).forEach((p) => (among[p] = 1));
    among[among.length - 1] = 1;
    let total = 0;
    for (const n of nodes) {
      const brute = nums.filter((p) => among[p] === 1 && n.addressOf(p) !== undefined).length;
      expect(n.countKnownAmong(among), `peer ${n.self}; replay: seed ${seed}`).toBe(brute);
      total += brute;
    }
    expect(total).toBeGreaterThan(nodes.length); // the books are not empty
  });
});
