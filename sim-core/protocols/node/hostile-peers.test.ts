import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../engine/rng.ts';
import { ConstantLatency } from '../../net/latency.ts';
import { World, type HostContext } from '../../net/world.ts';
import type { Address, ConnId, Direction, PeerActions, PeerProtocol } from '../../sans-io/protocol.ts';
import { MsgType } from '../../wire/messages.ts';
import { IdentityRegistry } from '../identity/registry.ts';
import { ed25519Signer } from '../identity/signer.ts';
import { codecBoundary, wireItemSizer } from './codec-boundary.ts';
import { DEFAULT_NODE_CONFIG, type NodeConfig } from './config.ts';
import { PeerNode, type WireItem } from './peer-node.ts';

/** What the seed protocol did: nonce-only transcript, no per-host limits, unsolicited addr learnt, scores never decay. */
const SEED: Partial<NodeConfig> = {
  handshake: { ...DEFAULT_NODE_CONFIG.handshake, transcript: 'seed' },
  maxPendingPerAddress: 1024,
  maxInboundPerAddress: 1024,
  maxInboundGroupShare: 1,
  unsolicitedAddr: 'accept',
  banScoreHalfLifeUs: 0,
  addrBook: 'seed',
  anchorCount: 0,
};

/** A world of PeerNodes (real Ed25519, 5 ms links) plus any hostile hosts, all driven in memory. */
function mesh(n: number, cfg: Partial<NodeConfig>, extra: ((ctx: HostContext<WireItem>) => PeerProtocol<WireItem>)[] = [], netGroupOf?: (a: Address) => number) {
  const rng = new RngStreams(5);
  const world = new World<WireItem>({ rng, latency: new ConstantLatency(5), sizer: wireItemSizer });
  const registry = new IdentityRegistry(ed25519Signer);
  const wire = codecBoundary(registry);
  const full: NodeConfig = { ...DEFAULT_NODE_CONFIG, autoDial: false, ...cfg };
  const nodes: PeerNode[] = [];
  for (let i = 0; i < n; i++) {
    world.addHost((ctx) => {
      const node = new PeerNode({ address: ctx.address, io: ctx.io, rng: ctx.rng, identity: registry.mint(rng.peer(i, 'identity')), registry, cfg: full, wire, bootstrap: [], netGroupOf });
      nodes[i] = node;
      return node;
    });
    world.startAt(i, 0);
  }
  for (const make of extra) world.startAt(world.addHost(make), 0);
  return { world, nodes, registry };
}

/** A man in the middle: every inbound connection is paired with a dial to `target`, and bytes or messages are forwarded unchanged both ways. */
class Relay implements PeerProtocol<WireItem> {
  private readonly pair = new Map<ConnId, ConnId>();
  private readonly held = new Map<ConnId, WireItem[]>();
  constructor(
    private readonly io: PeerActions<WireItem>,
    private readonly target: Address,
  ) {}
  onStart(): void {}
  onConnected(_now: number, conn: ConnId, _remote: Address, dir: Direction): void {
    if (dir === 'in') {
      const out = this.io.dial(this.target);
      this.pair.set(conn, out);
      this.pair.set(out, conn);
      this.held.set(out, []);
      return;
    }
    for (const m of this.held.get(conn) ?? []) this.io.send(conn, m);
    this.held.delete(conn);
  }
  onDialFailed(): void {}
  onMessage(_now: number, conn: ConnId, msg: WireItem): void {
    const other = this.pair.get(conn);
    if (other === undefined) return;
    const held = this.held.get(other);
    if (held) held.push(msg);
    else this.io.send(other, msg);
  }
  onClosed(_now: number, conn: ConnId): void {
    const other = this.pair.get(conn);
    if (other !== undefined) this.io.close(other);
  }
  onTimer(): void {}
  /** Makes the relay misbehave on its connections (garbage bytes), to get itself banned. */
  misbehave(): void {
    for (const c of this.pair.keys()) this.io.send(c, new Uint8Array([0, 0, 0, 1, 0xfe]));
  }
}

/** Opens `count` connections to `target` and never says a word on them (half-open handshakes). */
class Squatter implements PeerProtocol<WireItem> {
  constructor(
    private readonly io: PeerActions<WireItem>,
    private readonly target: Address,
    private readonly count: number,
  ) {}
  onStart(): void {
    for (let i = 0; i < this.count; i++) this.io.dial(this.target);
  }
  onConnected(): void {}
  onDialFailed(): void {}
  onMessage(): void {}
  onClosed(): void {}
  onTimer(): void {}
}

describe('handshake relay against PeerNode', () => {
  for (const transcript of ['seed', 'bound'] as const) {
    it(`${transcript} transcript: ${transcript === 'seed' ? 'the victim takes the relay for the honest peer, yet never bans its id' : 'the relayed handshake fails; the victim neither links nor bans the honest id'}`, () => {
      const cfg = transcript === 'seed' ? SEED : {};
      let relay!: Relay;
      // Hosts: 0 victim, 1 honest, 2 the relay (towards 1).
      const { world, nodes } = mesh(2, cfg, [(ctx) => (relay = new Relay(ctx.io, 1))]);
      const [victim, honest] = nodes;
      world.at(1000, () => victim.dial(2));
      world.scheduler.run(2_000_000);
      if (transcript === 'seed') {
        expect(victim.peers().has(honest.self)).toBe(true);
        expect(victim.addressOf(honest.self)).toBe(2); // the honest id bound to the relay's address
      } else {
        expect(victim.peers().has(honest.self)).toBe(false);
        expect(victim.stats.handshakes['bad-signature']).toBe(1);
      }
      world.at(world.now, () => relay.misbehave());
      world.scheduler.run(world.now + 2_000_000);
      expect(victim.peers().size).toBe(0);
      // Whatever the relay did, the honest peer's id is not banned: it may still dial in itself.
      expect(victim.book.isPeerBanned(honest.self, world.now)).toBe(false);
      world.at(world.now, () => honest.dial(0));
      world.scheduler.run(world.now + 2_000_000);
      expect(victim.peers().has(honest.self)).toBe(true);
      expect(victim.addressOf(honest.self)).toBe(1);
    });
  }
});

describe('slot exhaustion from one host', () => {
  it('32 half-open connections from one address: the seed gives it every inbound slot, the per-address cap 2', () => {
    const taken: Record<string, number> = {};
    for (const [name, cfg] of [['seed', SEED], ['capped', {}]] as const) {
      // Hosts: 0 victim, 1 honest, 2 the squatter.
      const { world, nodes } = mesh(2, cfg, [(ctx) => new Squatter(ctx.io, 0, 32)]);
      const [victim, honest] = nodes;
      world.scheduler.run(500_000);
      taken[name] = victim.inboundCount();
      // An honest newcomer still gets in while the squatter's handshakes are pending.
      world.at(world.now, () => honest.dial(0));
      world.scheduler.run(world.now + 1_000_000);
      if (name === 'capped') expect(victim.peers().has(honest.self)).toBe(true);
    }
    expect(taken.seed).toBe(DEFAULT_NODE_CONFIG.maxInbound + 8); // maxInbound + the handshake slack: all of them
    expect(taken.capped).toBe(DEFAULT_NODE_CONFIG.maxPendingPerAddress);
  });
});

describe('inbound share of one network group', () => {
  it('hosts of one AS get at most a third of the inbound slots; a host of another AS still gets in', () => {
    // Host 0 the victim, 1..15 in AS 1, 16 in AS 2.
    const groupOf = (a: Address) => (a === 0 ? 0 : a <= 15 ? 1 : 2);
    const { world, nodes } = mesh(17, {}, [], groupOf);
    const [victim] = nodes;
    world.at(1000, () => nodes.slice(1).forEach((n) => n.dial(0)));
    world.scheduler.run(2_000_000);
    const cap = Math.ceil(DEFAULT_NODE_CONFIG.maxInboundGroupShare * (DEFAULT_NODE_CONFIG.maxInbound + 8));
    const fromAs1 = [...victim.peers().keys()].filter((p) => nodes.findIndex((n) => n.self === p) <= 15).length;
    expect(fromAs1).toBe(cap);
    expect(victim.stats.inboundCapped).toBe(15 - cap);
    expect(victim.peers().has(nodes[16].self)).toBe(true);
  });
});

describe('unsolicited addr and ban-score decay', () => {
  const entries = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ peer: 10_000 + from + i, address: { host: 1000 + from + i, port: 0 }, lastSeenS: 0 }));

  it('an addr nobody asked for is charged and not learnt (the seed learnt it)', () => {
    for (const policy of ['accept', 'charge'] as const) {
      const { world, nodes } = mesh(2, { unsolicitedAddr: policy, addrBookCapacity: 2048 });
      const [victim, attacker] = nodes;
      world.at(1000, () => attacker.dial(0)); // the attacker dials in: the victim never asks it for addresses
      world.at(1_000_000, () => attacker.send(victim.self, { type: MsgType.Addr, entries: entries(0, 100) }));
      world.scheduler.run(2_000_000);
      if (policy === 'accept') expect(victim.book.size).toBeGreaterThanOrEqual(100);
      else {
        expect(victim.stats.offences['unsolicited-addr']).toBe(1);
        expect(victim.banScore(1)).toBeCloseTo(DEFAULT_NODE_CONFIG.offencePoints['unsolicited-addr'], 1); // decayed for 1 s
        expect(victim.book.size).toBeLessThan(5);
      }
    }
  });

  it('scores decay with the half-life: offences spread over time do not add up to a ban, the same offences at once do', () => {
    const points = DEFAULT_NODE_CONFIG.offencePoints['unsolicited-addr'];
    const perBurst = Math.floor((DEFAULT_NODE_CONFIG.banThreshold - 1) / points); // one short of a ban
    for (const halfLife of [0, 600_000_000]) {
      const { world, nodes } = mesh(2, { banScoreHalfLifeUs: halfLife, pingIntervalUs: 30_000_000 });
      const [victim, attacker] = nodes;
      world.at(1000, () => attacker.dial(0));
      for (const at of [1_000_000, 3_601_000_000]) {
        for (let k = 0; k < perBurst; k++) world.at(at + k * 1000, () => attacker.send(victim.self, { type: MsgType.Addr, entries: entries(k, 1) }));
      }
      world.scheduler.run(3_602_000_000);
      if (halfLife === 0) expect(victim.stats.bansIssued).toBe(1);
      else {
        expect(victim.stats.bansIssued).toBe(0);
        // After six half-lives the first burst weighs 1/64 of what it did (less the few ms of decay since).
        const score = victim.banScore(1);
        expect(score).toBeGreaterThan(perBurst * points);
        expect(score).toBeLessThanOrEqual(perBurst * points * (1 + 1 / 64));
        expect(victim.peers().size).toBe(1);
      }
    }
  });
});

describe('anchors', () => {
  it('after a crash and restart, the node first redials its longest-lived outbound links', () => {
    const { world, nodes } = mesh(5, { anchorCount: 2, anchorMinAgeUs: 30_000_000, anchorKeepInSelection: true });
    const [node] = nodes;
    world.at(1000, () => node.dial(1));
    world.at(2000, () => node.dial(2));
    world.at(40_000_000, () => node.dial(3)); // too young to anchor by the crash
    world.scheduler.run(60_000_000);
    expect([...node.anchorAddresses()].sort()).toEqual([1, 2]);
    // What an app that picks its own neighbours asks before dropping a link.
    expect(node.isAnchor(nodes[1].self)).toBe(true);
    expect(node.isAnchor(nodes[3].self)).toBe(false);
    expect(mesh(2, { anchorCount: 2 }).nodes[0].isAnchor(nodes[1].self)).toBe(false); // keepInSelection off: apps may drop any link
    world.at(world.now, (w) => w.crashHost(0));
    world.startAt(0, world.now + 1_000_000);
    const restartUs = world.now + 1_000_000;
    world.scheduler.run(world.now + 3_000_000);
    const first = node.stats.attempts.filter((a) => a.tUs >= restartUs).map((a) => a.address);
    expect(first.slice(0, 2).sort()).toEqual([1, 2]);
  });
});
