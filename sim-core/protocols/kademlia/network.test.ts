import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../engine/rng.ts';
import { US_PER_S } from '../../engine/time.ts';
import { kademliaConfig, type KademliaConfig } from './constants.ts';
import { KadIdTable, randomKadId, type KadId } from './ids.ts';
import { Lookup } from './lookup.ts';
import { createJoinLookup, createRefreshLookup, joinRefreshBuckets } from './maintenance.ts';
import { RoutingTable } from './routing-table.ts';
import { SyncNetwork, observeResolved, runLookupSync } from './sync-driver.ts';

const N = 1000;
const TARGETS = 300;

/**
 * A static network built the Kademlia way: peers join one by one through a
 * random earlier peer (self lookup, then a refresh of every bucket farther
 * than the closest neighbour), with callees observing callers and callers
 * observing answerers. Nobody gets a global view.
 */
function buildByJoins(cfg: KademliaConfig, seed: string): SyncNetwork {
  const rng = new Rng(`${seed}/ids`);
  const pick = new Rng(`${seed}/bootstrap`);
  const refresh = new Rng(`${seed}/refresh`);
  const ids = new KadIdTable(N);
  for (let p = 0; p < N; p++) ids.setRandom(p, rng);
  const net = new SyncNetwork(ids);
  let now = 0;
  for (let p = 0; p < N; p++) {
    const table = new RoutingTable(ids, p, cfg, now);
    net.tables[p] = table;
    if (p === 0) continue;
    const boot = pick.int(p);
    observeResolved(table, now, boot, () => true);
    now = runLookupSync(createJoinLookup(table, [boot], now), net, now).endedAtUs!;
    for (const b of joinRefreshBuckets(table)) {
      now = runLookupSync(createRefreshLookup(table, b, refresh, now), net, now).endedAtUs!;
    }
    now += US_PER_S;
  }
  return net;
}

/** Brute force: the live peer whose id is closest to `target`. */
function trueClosest(ids: KadIdTable, target: KadId, alive: (p: number) => boolean): number {
  let best = -1;
  for (let p = 0; p < N; p++) if (alive(p) && (best < 0 || ids.compareDistance(p, best, target) < 0)) best = p;
  return best;
}

interface Sweep {
  found: number;
  meanRounds: number;
  meanQueries: number;
  meanHops: number;
  meanDurationMs: number;
}

/** The same `TARGETS` (source, target) pairs on every call; lookups here do not change the tables. */
function sweep(base: SyncNetwork, cfg: KademliaConfig, alive: (p: number) => boolean = () => true): Sweep {
  const net = new SyncNetwork(base.ids, { learn: false, alive });
  net.tables.push(...base.tables);
  const rng = new Rng('sweep/targets');
  const s: Sweep = { found: 0, meanRounds: 0, meanQueries: 0, meanHops: 0, meanDurationMs: 0 };
  for (let i = 0; i < TARGETS; i++) {
    let source = rng.int(N);
    while (!alive(source)) source = (source + 1) % N;
    const target = randomKadId(rng);
    const candidates = net.tables[source]!.closest(target, cfg.k);
    const r = runLookupSync(new Lookup({ ids: net.ids, self: source, target, candidates, config: cfg }), net, 0);
    const truth = trueClosest(net.ids, target, alive);
    if (truth === source || (r.success && r.result[0] === truth)) s.found++;
    s.meanRounds += r.rounds / TARGETS;
    s.meanQueries += r.queries / TARGETS;
    s.meanHops += r.hops / TARGETS;
    s.meanDurationMs += r.durationUs! / TARGETS / 1000;
  }
  return s;
}

const fmt = (name: string, s: Sweep) =>
  `${name}: found ${s.found}/${TARGETS}, rounds ${s.meanRounds.toFixed(2)}, queries ${s.meanQueries.toFixed(2)}, ` +
  `hops ${s.meanHops.toFixed(2)}, duration ${s.meanDurationMs.toFixed(0)} ms`;

describe('kademlia on a static 1,000-peer network', () => {
  const cfg3 = kademliaConfig({ k: 20, alpha: 3 });
  let net: SyncNetwork;
  beforeAll(() => {
    net = buildByJoins(cfg3, 'net1000');
  });

  it('builds sane routing tables by joins (k-bounded, ~log2 n buckets)', () => {
    const sizes = net.tables.map((t) => t!.size);
    const mean = sizes.reduce((a, b) => a + b, 0) / N;
    console.log(`tables after joins: mean size ${mean.toFixed(1)}, min ${Math.min(...sizes)}, max ${Math.max(...sizes)}`);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(20);
    for (const t of net.tables) for (const f of t!.stats().fill) expect(f).toBeLessThanOrEqual(20);
  });

  it('every lookup (α = 3, k = 20) finds the true closest peer; α = 3 needs fewer rounds than α = 1', () => {
    const a3 = sweep(net, cfg3);
    const a1 = sweep(net, kademliaConfig({ k: 20, alpha: 1 }));
    console.log(fmt('alpha=3', a3));
    console.log(fmt('alpha=1', a1));
    expect(a3.found).toBe(TARGETS);
    expect(a1.found).toBe(TARGETS);
    expect(a3.meanRounds).toBeLessThan(a1.meanRounds);
  });

  it('with 10% of the peers silently dead, lookups still find the closest live peer', () => {
    const deadRng = new Rng('net1000/dead');
    const dead = new Set<number>();
    while (dead.size < N / 10) dead.add(deadRng.int(N));
    const alive = (p: number) => !dead.has(p);
    const s = sweep(net, cfg3, alive);
    console.log(fmt('alpha=3, 10% dead (timeout 5 s)', s));
    expect(s.found).toBeGreaterThanOrEqual(0.97 * TARGETS);
  });
});
