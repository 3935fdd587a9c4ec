import { Rng } from '../../sim-core/engine/rng.ts';
import { F_CONNECT, F_OUT } from '../../sim-core/protocols/globalmap/record.ts';
import { randomRegularGraph, type Graph } from './graph.ts';
import { GossipKernel } from './kernel.ts';
import { DEFAULT_GOSSIP, type Net } from './model.ts';
import { median } from '../median.ts';

/** Receipts prepared as messages in the kernel's arena: delivering them is all that is timed. */
interface Prepared {
  kernel: GossipKernel;
  dest: Int32Array;
  from: Int32Array;
  msgs: Int32Array;
  receipts: number;
}

export interface MicroResult {
  /** Kernel deliver(), per receipt (ids read from the arena, dedupe, apply/enqueue, release). */
  kernelNs: number;
  /** The same receipts through a bare loop: one bit test, then on a new event a bit set and a typed-array append. */
  bareNs: number;
  receipts: number;
}

/** CPU time of this process in ns (user + system): unlike wall time, not inflated when other processes share the cores. */
function now(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) * 1000;
}

/** A net that drops what the kernel sends, releasing the ids as a delivery would. */
function sink(get: () => GossipKernel): Net {
  return {
    send(_p, _j, m) {
      const k = get();
      const a = k.arena;
      for (let i = a.off[m]; i < a.off[m] + a.len[m]; i++) k.ev.refs[a.ids[i]]--;
      a.free(m);
    },
    arm() {},
  };
}

/**
 * `live` events from random origins about one of their links. dup: every
 * peer has seen every event already and receipts pick random (peer, event)
 * pairs. apply: each peer gets every event once, in the same order at every
 * peer (as a flood mostly delivers them), with `ttl` (1: apply only; 2: also
 * queued and flushed to the neighbours).
 */
function prepare(g: Graph, mode: 'dup' | 'apply', live: number, dupReceipts: number, ttl: number, seed: string): Prepared {
  const rng = new Rng(`${seed}/micro`);
  // With forwarding, every flush writes to ~12 neighbours behind the prepared messages in the arena ring: fewer receipts keep it small.
  const destCount = ttl > 1 ? Math.min(g.n, 512) : g.n;
  const receipts = mode === 'dup' ? dupReceipts : live * destCount;
  const nMsgs = Math.ceil(receipts / 64) + destCount;
  let kernel!: GossipKernel;
  kernel = new GossipKernel(g, sink(() => kernel), DEFAULT_GOSSIP, {
    events: live,
    versions: Math.max(1 << 14, 16 * g.n),
    arenaSlots: (ttl > 1 && mode === 'apply' ? 14 : 1) * receipts + 64 * destCount + (1 << 16),
    messages: (ttl > 1 && mode === 'apply' ? 14 : 1) * nMsgs + 4096,
  });
  // Touch every arena page now: first-touch page faults would otherwise land in the timed loop.
  kernel.arena.ids.fill(-1);
  kernel.arena.ttls.fill(1);
  const ev = kernel.ev;
  const ids = new Int32Array(live);
  for (let i = 0; i < live; i++) {
    const o = rng.int(g.n);
    const q = g.adj[g.off[o] + rng.int(g.off[o + 1] - g.off[o])];
    ids[i] = ev.intern(o, q, F_CONNECT | (o < q ? F_OUT : 0), 2 * i);
    ev.refs[ids[i]] = 1 << 30;
  }
  if (mode === 'dup') ev.seen.fill(-1);
  const dest: number[] = [];
  const msgs: number[] = [];
  const a = kernel.arena;
  if (mode === 'dup') {
    for (let left = receipts; left > 0; left -= 64) {
      const m = a.alloc(Math.min(64, left));
      for (let k = a.off[m]; k < a.off[m] + a.len[m]; k++) {
        a.ids[k] = ids[rng.int(live)];
        a.ttls[k] = 6;
      }
      dest.push(rng.int(g.n));
      msgs.push(m);
    }
  } else {
    const peers = rng.shuffle(Array.from({ length: g.n }, (_, i) => i));
    for (const p of peers.slice(0, destCount)) {
      const mine = Array.from(ids).filter((id) => ev.origin[id] !== p);
      for (let s = 0; s < mine.length; s += 64) {
        const chunk = mine.slice(s, s + 64);
        const m = a.alloc(chunk.length);
        chunk.forEach((id, k) => {
          a.ids[a.off[m] + k] = id;
          a.ttls[a.off[m] + k] = ttl;
        });
        dest.push(p);
        msgs.push(m);
      }
    }
  }
  const from = Int32Array.from(dest, (p) => rng.int(g.off[p + 1] - g.off[p]));
  return { kernel, dest: Int32Array.from(dest), from, msgs: Int32Array.from(msgs), receipts: mode === 'dup' ? receipts : msgs.reduce((s, m) => s + a.len[m], 0) };
}

function timeKernel(x: Prepared): number {
  const { kernel, dest, from, msgs } = x;
  const t0 = now();
  for (let i = 0; i < msgs.length; i++) kernel.deliver(0, dest[i], from[i], msgs[i]);
  return (now() - t0) / x.receipts;
}

/** The floor: per receipt one bit test, and for a new event a bit set plus an append, over the same ids, peers and bitset. */
function timeBare(x: Prepared, seen: Int32Array): number {
  const { dest, msgs } = x;
  const a = x.kernel.arena;
  const W = x.kernel.ev.words;
  const out = new Int32Array(1 << 16);
  let n = 0;
  let dups = 0;
  const t0 = now();
  for (let i = 0; i < msgs.length; i++) {
    const p = dest[i];
    const pw = p >>> 5;
    const pb = 1 << (p & 31);
    const end = a.off[msgs[i]] + a.len[msgs[i]];
    for (let k = a.off[msgs[i]]; k < end; k++) {
      const id = a.ids[k];
      const w = id * W + pw;
      const s = seen[w];
      if ((s & pb) !== 0) {
        dups++;
        continue;
      }
      seen[w] = s | pb;
      out[n] = id;
      n = (n + 1) & 0xffff;
    }
  }
  const ns = (now() - t0) / x.receipts;
  if (dups + n < 0) throw new Error('unreachable'); // keeps the loop's results live
  return ns;
}

/** Median of `reps` timed runs (after one untimed warm-up), each on freshly prepared receipts. */
export function microBench(peers: number, mode: 'dup' | 'apply', ttl: number, seed: string, reps = 3): MicroResult & { runs: { kernelNs: number; bareNs: number }[] } {
  const g = randomRegularGraph(peers, 12, seed, 10_000, 150_000);
  const live = 1024;
  const runs: { kernelNs: number; bareNs: number }[] = [];
  let receipts = 0;
  for (let r = 0; r <= reps; r++) {
    const bareInput = prepare(g, mode, live, 1 << 23, ttl, seed);
    const bareNs = timeBare(bareInput, bareInput.kernel.ev.seen);
    const x = prepare(g, mode, live, 1 << 23, ttl, seed);
    const kernelNs = timeKernel(x);
    receipts = x.receipts;
    if (r > 0) runs.push({ kernelNs, bareNs });
  }
  return { kernelNs: median(runs.map((r) => r.kernelNs)), bareNs: median(runs.map((r) => r.bareNs)), receipts, runs };
}
