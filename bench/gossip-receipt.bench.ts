/**
 * `npm run bench:receipt`: the cost of one gossip receipt in the simulator's
 * own code (GlobalMapApp.onMessage with by-reference gm-events messages),
 * next to a bare loop doing the least a receipt must do (one bit test; on a
 * new event a bit set and a typed-array append), in the same process, by
 * process CPU time. Three cases: a duplicate; a new event applied to the map
 * (TTL 1: not passed on); a new event applied and queued for the neighbours
 * (TTL 2, flushed as the outbox fills; the sends are dropped). Seeded, fixed
 * size → results/bench-gossip-receipt.json with seed, commit and machine.
 *
 *   npm run bench:receipt -- [--peers 2500] [--degree 12] [--rounds 5] [--results DIR]
 */
import { parseArgs } from 'node:util';
import { Rng, RngStreams } from '../sim-core/engine/rng.ts';
import { writeJsonAtomic } from '../sim-core/node/files.ts';
import { gitCommit, machineInfo } from '../sim-core/node/machine.ts';
import { GlobalMapApp } from '../sim-core/protocols/globalmap/app.ts';
import { DEFAULT_GLOBALMAP_CONFIG } from '../sim-core/protocols/globalmap/config.ts';
import { EventRefsMsg, packRef } from '../sim-core/protocols/globalmap/event-refs.ts';
import { EventTable } from '../sim-core/protocols/globalmap/event-table.ts';
import { PeerStore } from '../sim-core/protocols/globalmap/peer-store.ts';
import { F_CONNECT } from '../sim-core/protocols/globalmap/record.ts';
import { RecordPool } from '../sim-core/protocols/globalmap/record-pool.ts';
import { StoreGrid } from '../sim-core/protocols/globalmap/store-grid.ts';
import { GraphScratch } from '../sim-core/protocols/globalmap/scratch.ts';
import { minimalOverlap } from '../sim-core/protocols/globalmap/selection.ts';
import { stubNodeApi } from '../sim-core/protocols/globalmap/test-support.ts';
import { median } from './median.ts';

const { values: args } = parseArgs({
  options: {
    peers: { type: 'string', default: '2500' },
    degree: { type: 'string', default: '12' },
    rounds: { type: 'string', default: '5' },
    results: { type: 'string', default: 'results' },
  },
});
const PEERS = Number(args.peers);
const DEGREE = Number(args.degree);
const ROUNDS = Number(args.rounds);
const SEED = 1;
const BATCH = 64;
const T0 = 1_000_000_000;

function cpuNs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) * 1000;
}

/** PEERS apps on one event table and record pool, each linked to DEGREE random others (links made directly, not gossiped). */
function build() {
  const cfg = { ...DEFAULT_GLOBALMAP_CONFIG, batchSize: BATCH, announceDelayUs: 1e12, syncOnJoin: false };
  const table = new EventTable(PEERS, cfg.dedupeWindowUs);
  const pool = new RecordPool();
  // One grid of maps for the simulation, as the runtime makes it.
  const grid = new StoreGrid(PEERS);
  const scratch = new GraphScratch();
  const streams = new RngStreams(SEED);
  const rng = new Rng(`${SEED}/receipt`);
  const adj: Map<number, 'in' | 'out'>[] = Array.from({ length: PEERS }, () => new Map());
  const apps: GlobalMapApp[] = [];
  for (let p = 0; p < PEERS; p++) {
    const app = new GlobalMapApp({ cfg, strategy: minimalOverlap, store: new PeerStore(pool, { maxClaims: 32, maxEntries: 64, maxSkewUs: 60e6 }, PEERS, grid), scratch, peerSpace: () => PEERS, bootstrap: [], events: table });
    app.onStart(T0, stubNodeApi(p, streams, adj[p], () => true));
    apps.push(app);
  }
  for (let p = 0; p < PEERS; p++) {
    while (adj[p].size < DEGREE) {
      const q = rng.int(PEERS);
      if (q === p || adj[p].has(q)) continue;
      adj[p].set(q, 'out');
      adj[q].set(p, 'in');
      apps[p].onPeerUp(T0, q, 'out');
      apps[q].onPeerUp(T0, p, 'in');
    }
  }
  return { table, apps, adj, rng };
}

type World = ReturnType<typeof build>;

/** Events about links of distinct origins (a few claims each, so the map accepts them), interned at `now`. */
function intern(w: World, count: number, now: number, ts: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const origin = w.rng.int(PEERS);
    const peer = (origin + 1 + w.rng.int(PEERS - 1)) % PEERS;
    out.push(w.table.intern(origin, peer, F_CONNECT, ts + i, now));
  }
  return out;
}

/** Receipts as (receiver, sender, message of up to BATCH refs) deliveries; returns the event receipts done. */
function deliverAll(w: World, serials: number[], ttl: number, receivers: number[], now: number): number {
  let receipts = 0;
  for (const p of receivers) {
    const from = w.adj[p].keys().next().value as number;
    for (let i = 0; i < serials.length; i += BATCH) {
      const packed = serials.slice(i, i + BATCH).map((s) => packRef(s, ttl));
      w.apps[p].onMessage(now, from, new EventRefsMsg(w.table, Uint32Array.from(packed)));
      receipts += packed.length;
    }
  }
  return receipts;
}

/** Bare loop over the same (slot, peer) pairs: bit test, then on a new bit a set and an append. */
function bare(w: World, serials: number[], receivers: number[]): { ns: number; receipts: number } {
  const t = w.table;
  const seen = new Int32Array(t.rows * t.rowWords);
  const out = new Float64Array(serials.length * receivers.length + 1);
  let n = 0;
  const c0 = cpuNs();
  for (let rep = 0; rep < 2; rep++) {
    for (const p of receivers) {
      for (const s of serials) {
        const slot = s & t.mask;
        const word = p * t.rowWords + (slot >>> 5);
        const bit = 1 << (slot & 31);
        if ((seen[word] & bit) !== 0) continue;
        seen[word] |= bit;
        out[n++] = s;
      }
    }
  }
  return { ns: cpuNs() - c0, receipts: 2 * serials.length * receivers.length };
}

const w = build();
const receivers = Array.from({ length: 512 }, () => w.rng.int(PEERS));
const dupNs: number[] = [];
const applyNs: number[] = [];
const forwardNs: number[] = [];
const bareNs: number[] = [];
let now = T0 + 1;
for (let round = 0; round < ROUNDS; round++) {
  // Applied (TTL 1), then the same receipts again: now all duplicates.
  let serials = intern(w, 1024, now, now);
  let c0 = cpuNs();
  let r = deliverAll(w, serials, 1, receivers, now);
  applyNs.push((cpuNs() - c0) / r);
  c0 = cpuNs();
  r = deliverAll(w, serials, 1, receivers, now);
  dupNs.push((cpuNs() - c0) / r);
  // Applied and queued for the neighbours (flushed every BATCH events; sends dropped).
  now += 1;
  serials = intern(w, 1024, now, now + 10_000);
  c0 = cpuNs();
  r = deliverAll(w, serials, 2, receivers, now);
  forwardNs.push((cpuNs() - c0) / r);
  const b = bare(w, serials, receivers);
  bareNs.push(b.ns / b.receipts);
  now += 60_000_000; // the map's entries age; the table reuses expired slots
}
const result = {
  bench: 'gossip-receipt',
  seed: SEED,
  commit: gitCommit(),
  machine: machineInfo(),
  setup: { peers: PEERS, degree: DEGREE, eventsPerRound: 1024, receiversPerRound: receivers.length, batchSize: BATCH, rounds: ROUNDS },
  method: 'GlobalMapApp.onMessage on by-reference gm-events messages of 64 events; process CPU time (user + system) per event receipt, median of rounds; the bare loop runs in the same process on the same (event, peer) pairs',
  nsPerReceipt: {
    duplicate: median(dupNs),
    applied: median(applyNs),
    appliedAndQueued: median(forwardNs),
    bareBitTestAndAppend: median(bareNs),
  },
  ratioToBare: {
    duplicate: median(dupNs) / median(bareNs),
    applied: median(applyNs) / median(bareNs),
    appliedAndQueued: median(forwardNs) / median(bareNs),
  },
};
console.log(JSON.stringify(result.nsPerReceipt), JSON.stringify(result.ratioToBare));
writeJsonAtomic(`${args.results.replace(/\/+$/, '')}/bench-gossip-receipt.json`, result);
