import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../engine/rng.ts';
import { ConstantLatency } from '../../net/latency.ts';
import { World } from '../../net/world.ts';
import { IdentityRegistry } from '../identity/registry.ts';
import { modelSigner } from '../identity/signer.ts';
import { getAddrShare } from './addr-mixing-constants.ts';
import { AddrMan } from './addrman.ts';
import { codecBoundary, wireItemSizer } from './codec-boundary.ts';
import { DEFAULT_NODE_CONFIG, type NodeConfig } from './config.ts';
import { PeerNode, type WireItem } from './peer-node.ts';

/** `n` bare peer managers (no app, no auto-dial) on a 5 ms network, all started at 0. */
function nodes(n: number, cfg: Partial<NodeConfig> = {}, seed = 1) {
  const rng = new RngStreams(seed);
  const world = new World<WireItem>({ rng, latency: new ConstantLatency(5), sizer: wireItemSizer });
  const registry = new IdentityRegistry(modelSigner);
  const wire = codecBoundary(registry);
  const full: NodeConfig = { ...DEFAULT_NODE_CONFIG, autoDial: false, addrMixing: true, ...cfg };
  const out: PeerNode[] = [];
  for (let i = 0; i < n; i++) {
    world.addHost((ctx) => {
      const node = new PeerNode({ address: ctx.address, io: ctx.io, rng: ctx.rng, identity: registry.mint(rng.peer(i, 'identity')), registry, cfg: full, wire, bootstrap: [] });
      out.push(node);
      return node;
    });
    world.startAt(i, 0);
  }
  return { world, nodes: out };
}

/** Runs in 1 s steps until `done` holds or `limitUs` passes; returns whether it held (state, not timing). */
function runUntil(world: World<WireItem>, done: () => boolean, limitUs: number): boolean {
  while (world.now < limitUs) {
    if (done()) return true;
    world.scheduler.run(world.now + 1_000_000);
  }
  return done();
}

const linked = (a: PeerNode, b: PeerNode) => a.peers().has(b.self);

describe('address mixing (Bitcoin Core-like, addrMixing on)', () => {
  it('a new peer’s self-announcement is relayed along a chain to peers that never met it; without mixing it is not', () => {
    for (const mixing of [true, false]) {
      const { world, nodes: ns } = nodes(6, { addrMixing: mixing });
      // A chain 0-1-2-3-4 first; peer 5 joins later through 0 only.
      world.at(1000, () => {
        for (let i = 0; i < 4; i++) ns[i].dial(i + 1);
      });
      expect(runUntil(world, () => [0, 1, 2, 3].every((i) => linked(ns[i], ns[i + 1])), 30_000_000)).toBe(true);
      world.at(world.now + 1000, () => ns[5].dial(0));
      const far = ns[4];
      const reached = runUntil(world, () => far.book.get(5) !== undefined, 20 * 60_000_000);
      expect(reached, `mixing ${mixing}`).toBe(mixing);
      expect(linked(far, ns[5])).toBe(false);
      if (mixing) expect(ns[2].mixer!.stats.relayed).toBeGreaterThan(0);
    }
  });

  it('a getaddr answer is 23% of the whole table (more than the seed’s 100), drawn from all of it', () => {
    const { world, nodes: ns } = nodes(2);
    const [asker, holder] = ns;
    const table = 1000;
    world.at(1000, () => {
      for (let i = 0; i < table; i++) holder.learnAddress(10_000 + i, 50_000 + i, world.now);
    });
    world.at(2000, () => asker.dial(holder.address));
    expect(runUntil(world, () => linked(asker, holder), 30_000_000)).toBe(true);
    world.scheduler.run(world.now + 2_000_000);
    const learnt = Array.from({ length: table }, (_, i) => 10_000 + i).filter((a) => asker.book.get(a) !== undefined);
    const held = holder.book.size;
    expect(learnt.length).toBeGreaterThan(100);
    expect(learnt.length).toBeLessThanOrEqual(Math.ceil(getAddrShare * held));
    expect(learnt.length).toBeGreaterThanOrEqual(Math.floor(0.9 * getAddrShare * held)); // a few probes may repeat
    // Drawn from the whole table: the first and the last quarter learnt both contribute.
    const quarter = (q: number) => learnt.filter((a) => a - 10_000 >= q * 250 && a - 10_000 < (q + 1) * 250).length;
    for (let q = 0; q < 4; q++) expect(quarter(q), `quarter ${q}`).toBeGreaterThan(learnt.length / 8);
  });

  it('feelers test addresses heard of and move them from new to tried, without keeping the link', () => {
    const { world, nodes: ns } = nodes(4);
    const [a, b, c, d] = ns;
    world.at(1000, () => a.dial(b.address)); // a feeler waits for the node to have a peer
    world.at(2000, () => {
      a.learnAddress(c.address, c.self, world.now);
      a.learnAddress(d.address, d.self, world.now);
    });
    const book = a.book as AddrMan;
    world.scheduler.run(3000);
    expect(book.tableOf(c.address)).toBe('new');
    const tried = runUntil(world, () => book.tableOf(c.address) === 'tried' && book.tableOf(d.address) === 'tried', 60 * 60_000_000);
    expect(tried).toBe(true);
    expect(a.mixer!.stats.feelersSucceeded).toBeGreaterThanOrEqual(2);
    world.scheduler.run(world.now + 1_000_000);
    expect(linked(a, c) || linked(a, d) || linked(c, a) || linked(d, a)).toBe(false);
    expect(a.peers().size).toBe(1);
  });

  it('announcements beyond the token bucket are dropped, not charged; an oversized unsolicited addr still is', () => {
    const { world, nodes: ns } = nodes(2);
    const [a, b] = ns;
    world.at(1000, () => b.dial(a.address));
    expect(runUntil(world, () => linked(a, b), 30_000_000)).toBe(true);
    const mk = (i: number) => ({ peer: 90_000 + i, address: { host: 20_000 + i, port: 0 }, lastSeenS: Math.floor(world.now / 1e6) });
    const conn = [...world.connectionsOf(b.address)][0];
    // b's end sends raw addr messages (a hostile peer would): 3 announcements of 10 right away.
    world.at(world.now + 1000, (w) => {
      for (let k = 0; k < 3; k++) w.send(b.address, conn, { type: 6, entries: Array.from({ length: 10 }, (_, i) => mk(k * 10 + i)) } as WireItem);
    });
    world.scheduler.run(world.now + 1_000_000);
    expect(a.mixer!.stats.tokenDropped).toBeGreaterThan(0);
    expect(a.banScore(b.address)).toBe(0);
    world.at(world.now + 1000, (w) => w.send(b.address, conn, { type: 6, entries: Array.from({ length: 11 }, (_, i) => mk(100 + i)) } as WireItem));
    world.scheduler.run(world.now + 1_000_000);
    expect(a.banScore(b.address)).toBeGreaterThan(0);
  });
});
