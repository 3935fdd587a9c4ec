import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../engine/rng.ts';
import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { numericIdCodec } from '../../wire/ids.ts';
import { InvKind, MsgType, type BlockMsg, type Message } from '../../wire/messages.ts';
import type { NodeApi } from '../node/app.ts';
import type { Offence } from '../node/config.ts';
import type { Direction } from '../../sans-io/protocol.ts';
import { GENESIS_HASH, hashKey, makeBlock } from './block.ts';
import { BlockRelayApp, type BlockRelayConfig } from './relay-app.ts';
import { MiningSchedule } from './schedule.ts';
import { BlockTracker, summarize } from './tracker.ts';

/**
 * A tiny deterministic event loop: messages take `delayUs` per hop (FIFO per
 * link since the delay is constant), timers fire at their time, ties in
 * scheduling order. Peer numbers are index + 1.
 */
class Harness {
  now: TimeUs = 0;
  readonly apps: BlockRelayApp[] = [];
  readonly links: Map<PeerNum, Direction>[] = [];
  readonly offences: { by: number; peer: PeerNum; kind: Offence }[] = [];
  /** Every message sent: from/to are peer numbers. */
  readonly sent: { t: TimeUs; from: PeerNum; to: PeerNum; msg: Message }[] = [];
  /** Messages dropped instead of delivered (by sender peer). */
  readonly mute = new Set<PeerNum>();
  /** Hosts played by the test: messages to them are recorded, not delivered. */
  readonly scripted = new Set<number>();
  private readonly events: { t: TimeUs; seq: number; run: () => void }[] = [];
  private seq = 0;

  constructor(
    n: number,
    edges: readonly [number, number][],
    cfg: Partial<BlockRelayConfig> = {},
    readonly schedule?: MiningSchedule,
    readonly tracker?: BlockTracker,
    readonly delayUs = 10_000,
    /** One-way delay per (from, to) host pair; constant per link, so each link stays FIFO. */
    readonly delayOf: (from: number, to: number) => number = () => delayUs,
  ) {
    for (let i = 0; i < n; i++) this.links.push(new Map());
    for (const [a, b] of edges) {
      this.links[a].set(b + 1, 'out');
      this.links[b].set(a + 1, 'in');
    }
    for (let i = 0; i < n; i++) {
      const app = new BlockRelayApp({ index: i, config: cfg, schedule, observer: tracker, ids: numericIdCodec });
      this.apps.push(app);
      app.onStart(0, this.api(i));
    }
  }

  at(t: TimeUs, run: () => void): void {
    this.events.push({ t, seq: this.seq++, run });
    this.events.sort((a, b) => a.t - b.t || a.seq - b.seq);
  }

  run(untilUs = Number.MAX_SAFE_INTEGER): void {
    while (this.events.length > 0 && this.events[0].t <= untilUs) {
      const e = this.events.shift()!;
      this.now = e.t;
      e.run();
    }
  }

  /** Delivers `msg` from peer `from` to host `to` after one delay, as if sent on an established link. */
  inject(from: PeerNum, to: number, msg: Message): void {
    this.at(this.now + this.delayOf(from - 1, to), () => this.apps[to].onMessage(this.now, from, msg));
  }

  received(i: number, type: number): Message[] {
    return this.sent.filter((s) => s.to === i + 1 && s.msg.type === type).map((s) => s.msg);
  }

  private api(i: number): NodeApi {
    const self = i + 1;
    const h = this;
    return {
      self,
      address: i,
      rng: new RngStreams(1).peer(i, 'blocks'),
      send(peer, msg) {
        if (!h.links[i].has(peer)) return false;
        h.sent.push({ t: h.now, from: self, to: peer, msg });
        if (!h.mute.has(self) && !h.scripted.has(peer - 1)) h.inject(self, peer - 1, msg);
        return true;
      },
      peers: () => h.links[i],
      dial: () => false,
      punch: () => false,
      dialViaRelay: () => false,
      reachability: () => ({ reachable: true, relay: false }),
      peerServices: () => undefined,
      disconnect: () => {},
      setTimer(delayUs, tag) {
        h.at(h.now + delayUs, () => h.apps[i].onTimer(h.now, tag));
        return 0;
      },
      cancelTimer: () => {},
      offence: (peer, kind) => void h.offences.push({ by: i, peer, kind }),
      addressOf: () => undefined,
      samplePeers: () => [],
      learnAddress: () => {},
      rttUs: () => undefined,
      outboundCount: () => 0,
      inboundCount: () => 0,
      dialingCount: () => 0,
      chargeCpu: () => {},
    };
  }
}

/** A connected graph: a ring plus a few deterministic chords. */
function ringWithChords(n: number, chords: number): [number, number][] {
  const e: [number, number][] = [];
  for (let i = 0; i < n; i++) e.push([i, (i + 1) % n]);
  for (let i = 0; i < chords; i++) e.push([(i * 7) % n, (i * 7 + Math.floor(n / 2) + i) % n]);
  return e.filter(([a, b]) => a !== b);
}

function scheduleOf(n: number, count: number, seed = 1): MiningSchedule {
  return new MiningSchedule(new RngStreams(seed).stream('workload/blocks'), { startUs: 1_000_000, intervalUs: 5_000_000, count, endUs: 1e12, peers: n });
}

const hashOf = (m: Message) => (m.type === MsgType.Block ? hashKey(m.hash) : m.type === MsgType.Inv || m.type === MsgType.GetData ? hashKey(m.items[0].hash) : '');

describe('BlockRelayApp, inv mode', () => {
  const n = 30;
  const edges = ringWithChords(n, 12);

  function relayed(count: number) {
    const schedule = scheduleOf(n, count);
    const tracker = new BlockTracker(schedule, n, 'inv');
    const h = new Harness(n, edges, {}, schedule, tracker);
    h.run();
    return { h, tracker, schedule };
  }

  it('every peer gets every block exactly once as a body, and nothing goes back to its sender', () => {
    const { h, tracker } = relayed(4);
    const report = tracker.report();
    expect(report.blocksMined).toBe(4);
    expect(report.blocksFullyPropagated).toBe(4);
    expect(report.duplicateBodiesPerBlock).toBe(0);
    const mined = h.apps.flatMap((a) => (a.stats.mined > 0 ? [a] : []));
    expect(mined.reduce((s, a) => s + a.stats.mined, 0)).toBe(4);
    // Heights chain up: each block extends the previous one.
    for (const app of h.apps) expect(app.tip?.height).toBe(4);
    for (let i = 0; i < n; i++) {
      const bodies = h.received(i, MsgType.Block).map(hashOf);
      const minedHere = h.apps[i].stats.mined;
      expect(bodies.length, `peer ${i}`).toBe(4 - minedHere);
      expect(new Set(bodies).size).toBe(bodies.length);
      expect(h.apps[i].stats.duplicateBodies).toBe(0);
    }
    // Where each peer got each body from; no inv about it ever goes back there.
    const source = new Map<string, PeerNum>();
    for (const s of h.sent) if (s.msg.type === MsgType.Block) source.set(`${s.to}/${hashOf(s.msg)}`, s.from);
    for (const s of h.sent) {
      if (s.msg.type !== MsgType.Inv) continue;
      const from = source.get(`${s.from}/${hashOf(s.msg)}`);
      expect(s.to, `inv ${s.from}→${s.to}`).not.toBe(from);
    }
    // A body is only ever sent to a peer that asked for it.
    for (const s of h.sent) {
      if (s.msg.type !== MsgType.Block) continue;
      const asked = h.sent.some((g) => g.msg.type === MsgType.GetData && g.from === s.to && g.to === s.from && hashOf(g.msg) === hashOf(s.msg) && g.t <= s.t);
      expect(asked).toBe(true);
    }
    expect(h.offences).toEqual([]);
  });

  it('is deterministic, and the miners are the same for the same seed', () => {
    const a = relayed(3);
    const b = relayed(3);
    expect(a.h.sent.map((s) => `${s.t}:${s.from}>${s.to}:${s.msg.type}`)).toEqual(b.h.sent.map((s) => `${s.t}:${s.from}>${s.to}:${s.msg.type}`));
  });

  it('charges an unsolicited block and a getdata for an unknown hash, and does not store the block', () => {
    const h = new Harness(2, [[0, 1]]);
    const b = makeBlock({ height: 1, origin: 1, minedAtUs: 0, parent: GENESIS_HASH, bodyBytes: 100 }, numericIdCodec);
    h.inject(1, 1, b);
    h.inject(1, 1, { type: MsgType.GetData, items: [{ kind: InvKind.Block, hash: new Uint8Array(32).fill(7) }] });
    h.run();
    expect(h.offences).toEqual([
      { by: 1, peer: 1, kind: 'unsolicited' },
      { by: 1, peer: 1, kind: 'unsolicited' },
    ]);
    expect(h.apps[1].has(b.hash)).toBe(false);
    expect(h.apps[1].stats.unsolicited).toBe(2);
  });

  it('rejects a block whose hash does not match its header', () => {
    const h = new Harness(2, [[0, 1]]);
    h.scripted.add(0);
    const b = makeBlock({ height: 1, origin: 1, minedAtUs: 0, parent: GENESIS_HASH, bodyBytes: 100 }, numericIdCodec);
    const forged: BlockMsg = { ...b, bodyBytes: 200 }; // same hash, other header
    h.inject(1, 1, { type: MsgType.Inv, items: [{ kind: InvKind.Block, hash: b.hash }] });
    h.run();
    expect(h.received(0, MsgType.GetData)).toHaveLength(1);
    h.inject(1, 1, forged);
    h.run();
    expect(h.offences).toEqual([{ by: 1, peer: 1, kind: 'inconsistent-events' }]);
    expect(h.apps[1].has(b.hash)).toBe(false);
    expect(h.apps[1].stats.invalid).toBe(1);
  });

  it('falls back to the next announcer after the getdata timeout; a late body from the first is a duplicate, not an offence', () => {
    // 0 and 1 both have the block and announce it to 2; 0 does not answer in time.
    const h = new Harness(3, [[0, 2], [1, 2]], { getdataTimeoutUs: 1_000_000 });
    h.scripted.add(0).add(1);
    const b = makeBlock({ height: 1, origin: 1, minedAtUs: 0, parent: GENESIS_HASH, bodyBytes: 100 }, numericIdCodec);
    const inv: Message = { type: MsgType.Inv, items: [{ kind: InvKind.Block, hash: b.hash }] };
    h.inject(1, 2, inv);
    h.run(15_000);
    h.inject(2, 2, inv);
    h.run(1_500_000);
    const asks = h.sent.filter((s) => s.msg.type === MsgType.GetData);
    expect(asks.map((s) => [s.from, s.to])).toEqual([
      [3, 1],
      [3, 2],
    ]);
    expect(asks[1].t - asks[0].t).toBe(1_000_000);
    expect(h.apps[2].stats.getdataTimeouts).toBe(1);
    h.inject(2, 2, b); // the answer to the second getdata
    h.inject(1, 2, b); // the first announcer finally answers
    h.run();
    expect(h.apps[2].has(b.hash)).toBe(true);
    expect(h.apps[2].stats.duplicateBodies).toBe(1);
    expect(h.offences).toEqual([]);
  });

  it('bounds what it keeps and fetches', () => {
    const h = new Harness(2, [[0, 1]], { keepBlocks: 3, maxInFlight: 2 });
    h.scripted.add(0);
    let parent: Uint8Array = GENESIS_HASH;
    const blocks: BlockMsg[] = [];
    for (let height = 1; height <= 5; height++) {
      const b = makeBlock({ height, origin: 1, minedAtUs: 0, parent, bodyBytes: 10 }, numericIdCodec);
      blocks.push(b);
      parent = b.hash;
    }
    h.inject(1, 1, { type: MsgType.Inv, items: blocks.map((b) => ({ kind: InvKind.Block, hash: b.hash })) });
    h.run(10_000);
    expect(h.apps[1].inFlight).toBe(2);
    expect(h.apps[1].stats.inFlightFull).toBe(3);
    for (const b of blocks.slice(0, 2)) h.inject(1, 1, b);
    h.run(20_000);
    h.inject(1, 1, { type: MsgType.Inv, items: blocks.slice(2).map((b) => ({ kind: InvKind.Block, hash: b.hash })) });
    h.run(30_000);
    for (const b of blocks.slice(2, 4)) h.inject(1, 1, b);
    h.run(40_000);
    expect(h.apps[1].storedCount).toBe(3);
    expect(h.apps[1].has(blocks[0].hash)).toBe(false);
    expect(h.apps[1].tip?.height).toBe(4);
  });
});

describe('BlockRelayApp on random connected graphs (property)', () => {
  const graph = fc
    .integer({ min: 2, max: 24 })
    .chain((n) =>
      fc.record({
        n: fc.constant(n),
        // A random spanning tree (node i joins a random earlier node) plus random extra links.
        parents: fc.array(fc.nat(), { minLength: n - 1, maxLength: n - 1 }),
        extra: fc.array(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 3 * n }),
        delays: fc.array(fc.integer({ min: 1_000, max: 200_000 }), { minLength: n * n, maxLength: n * n }),
        seed: fc.nat(1000),
        blocks: fc.integer({ min: 1, max: 4 }),
      }),
    );

  function build(g: { n: number; parents: number[]; extra: [number, number][]; delays: number[]; seed: number; blocks: number }, mode: 'inv' | 'push') {
    const key = (a: number, b: number) => `${Math.min(a, b)}-${Math.max(a, b)}`;
    const edges = new Map<string, [number, number]>();
    for (let i = 1; i < g.n; i++) edges.set(key(i, g.parents[i - 1] % i), [i, g.parents[i - 1] % i]);
    for (const [a, b] of g.extra) if (a !== b && !edges.has(key(a, b))) edges.set(key(a, b), [a, b]);
    const schedule = scheduleOf(g.n, g.blocks, g.seed);
    const tracker = new BlockTracker(schedule, g.n, mode);
    const h = new Harness(g.n, [...edges.values()], { mode }, schedule, tracker, 0, (a, b) => g.delays[a * g.n + b]);
    h.run();
    return { h, tracker };
  }

  it('inv mode: every peer stores every block, one body each, never announced back to its source, no offence', () => {
    fc.assert(
      fc.property(graph, (g) => {
        const { h, tracker } = build(g, 'inv');
        const r = tracker.report();
        expect(r.blocksMined).toBe(g.blocks);
        expect(r.blocksFullyPropagated).toBe(g.blocks);
        expect(r.duplicateBodiesPerBlock).toBe(0);
        expect(h.offences).toEqual([]);
        const source = new Map<string, PeerNum>();
        for (const s of h.sent) {
          if (s.msg.type !== MsgType.Block) continue;
          const k = `${s.to}/${hashOf(s.msg)}`;
          expect(source.has(k), `second body ${k}`).toBe(false);
          source.set(k, s.from);
        }
        for (const s of h.sent) if (s.msg.type === MsgType.Inv) expect(s.to).not.toBe(source.get(`${s.from}/${hashOf(s.msg)}`));
        const total = h.apps.reduce((a, app) => a + app.stats.accepted + app.stats.mined, 0);
        expect(total).toBe(g.n * g.blocks);
      }),
      { numRuns: 60, seed: 42 },
    );
  });

  it('push mode: every peer stores every block and bodies ≥ inv mode bodies', () => {
    fc.assert(
      fc.property(graph, (g) => {
        const inv = build(g, 'inv').tracker.report();
        const push = build(g, 'push');
        const r = push.tracker.report();
        expect(r.blocksFullyPropagated).toBe(g.blocks);
        expect(push.h.offences).toEqual([]);
        expect(r.bodiesSentPerBlock as number).toBeGreaterThanOrEqual(inv.bodiesSentPerBlock as number);
      }),
      { numRuns: 40, seed: 7 },
    );
  });
});

describe('BlockRelayApp, push mode', () => {
  it('sends whole blocks to every neighbour but the sender: everyone gets them, with duplicate bodies', () => {
    const n = 30;
    const schedule = scheduleOf(n, 3);
    const tracker = new BlockTracker(schedule, n, 'push');
    const h = new Harness(n, ringWithChords(n, 12), { mode: 'push' }, schedule, tracker);
    h.run();
    const r = tracker.report();
    expect(r.blocksFullyPropagated).toBe(3);
    expect(r.duplicateBodiesPerBlock as number).toBeGreaterThan(0);
    expect(h.sent.some((s) => s.msg.type === MsgType.GetData)).toBe(false);
    expect(h.offences).toEqual([]);
    // Never straight back: a peer does not send a block to the peer it first got it from.
    const source = new Map<string, PeerNum>();
    for (const s of h.sent) if (s.msg.type === MsgType.Block && !source.has(`${s.to}/${hashOf(s.msg)}`)) source.set(`${s.to}/${hashOf(s.msg)}`, s.from);
    for (const s of h.sent) if (s.msg.type === MsgType.Block) expect(s.to).not.toBe(source.get(`${s.from}/${hashOf(s.msg)}`));
  });
});

describe('BlockRelayApp against lying peers', () => {
  const block = (height: number, parent: Uint8Array, origin = 1, minedAtUs = 0) => makeBlock({ height, origin, minedAtUs, parent, bodyBytes: 100 }, numericIdCodec);
  /** Host 0 a scripted liar (peer 1), host 1 honest, in push mode (bodies need no getdata). */
  const liarAndHonest = () => {
    const h = new Harness(2, [[0, 1]], { mode: 'push' });
    h.scripted.add(0);
    return h;
  };

  it('a block whose parent it lacks is kept and relayed but never becomes the tip, whatever height it claims', () => {
    const h = liarAndHonest();
    const forged = block(0xfffffffe, new Uint8Array(32).fill(9));
    h.inject(1, 1, forged);
    h.run();
    expect(h.apps[1].has(forged.hash)).toBe(true); // tolerated: it may be a gap of ours
    expect(h.apps[1].tip).toBeUndefined();
    const genuine = block(1, GENESIS_HASH, 2, 1);
    h.inject(1, 1, genuine);
    h.run();
    expect(h.apps[1].tip?.hash).toEqual(genuine.hash);
    expect(h.offences).toEqual([]);
  });

  it('a child that came before its parent becomes the tip once the parent arrives (and connects)', () => {
    const h = liarAndHonest();
    const a = block(1, GENESIS_HASH, 1, 1);
    const b = block(2, a.hash, 1, 2);
    const c = block(3, b.hash, 1, 3);
    h.inject(1, 1, c);
    h.inject(1, 1, b);
    h.run();
    expect(h.apps[1].tip).toBeUndefined();
    h.inject(1, 1, a);
    h.run();
    expect(h.apps[1].tip?.hash).toEqual(c.hash);
  });

  it('refuses a height that leaves no room for a child on the wire', () => {
    const h = liarAndHonest();
    const last = block(0xffffffff, new Uint8Array(32).fill(3));
    h.inject(1, 1, last);
    h.run();
    expect(h.apps[1].has(last.hash)).toBe(false);
    expect(h.offences).toEqual([{ by: 1, peer: 1, kind: 'inconsistent-events' }]);
  });

  it('a height contradicting a parent the relay could not have known is dropped, but charged only to its miner', () => {
    // Host 2 knows parent p; host 1 (peer 2) relays child x of p with a wrong height, which it could not check.
    const h = new Harness(3, [[0, 2], [1, 2]], { mode: 'push' });
    h.scripted.add(0).add(1);
    const p = block(1, GENESIS_HASH, 1, 1);
    h.inject(1, 2, p);
    h.run();
    const relayed = block(5, p.hash, 1, 2); // mined (and lied about) by peer 1
    h.inject(2, 2, relayed);
    h.run();
    expect(h.apps[2].has(relayed.hash)).toBe(false);
    expect(h.offences).toEqual([]);
    expect(h.apps[2].stats.invalid).toBe(1);
    const direct = block(7, p.hash, 1, 3);
    h.inject(1, 2, direct); // from its miner
    h.run();
    expect(h.offences).toEqual([{ by: 2, peer: 1, kind: 'inconsistent-events' }]);
  });
});

describe('MiningSchedule', () => {
  it('draws the same increasing times for the same seed, truncated at the end of the run', () => {
    const a = scheduleOf(10, 50, 3);
    const b = scheduleOf(10, 50, 3);
    expect(a.times).toEqual(b.times);
    expect(a.times).toHaveLength(50);
    for (let k = 1; k < a.times.length; k++) expect(a.times[k]).toBeGreaterThan(a.times[k - 1]);
    const mean = (a.times[49] - 1_000_000) / 50;
    expect(mean).toBeGreaterThan(2_500_000);
    expect(mean).toBeLessThan(10_000_000);
    const short = new MiningSchedule(new RngStreams(3).stream('workload/blocks'), { startUs: 1_000_000, intervalUs: 5_000_000, count: 50, endUs: a.times[10], peers: 10 });
    expect(short.times).toEqual(a.times.slice(0, 10));
    expect(a.nextSlot(0)).toBe(0);
    expect(a.nextSlot(a.times[0])).toBe(1);
    expect(a.nextSlot(a.times[49])).toBe(-1);
  });

  it('picks the miner among the connected check-ins, whatever their order; nobody live means no block', () => {
    const s1 = scheduleOf(10, 3);
    const s2 = scheduleOf(10, 3);
    for (const i of [1, 4, 7, 9]) s1.checkIn(0, i, true);
    for (const i of [9, 7, 4, 1, 2]) s2.checkIn(0, i, i !== 2);
    const m = s1.minerOf(0);
    expect([1, 4, 7, 9]).toContain(m);
    expect(s2.minerOf(0)).toBe(m);
    s1.checkIn(0, 3, true); // too late: the slot is closed
    expect(s1.minerOf(0)).toBe(m);
    expect(s1.minerOf(1)).toBe(-1);
  });
});

describe('BlockTracker', () => {
  it('times 50/90/100 % of the targets from mining, ignoring non-targets', () => {
    const s = scheduleOf(10, 1);
    const t = new BlockTracker(s, 10, 'inv');
    for (let i = 0; i < 10; i++) s.checkIn(0, i, true);
    const miner = s.minerOf(0);
    const t0 = s.times[0];
    t.mined('k', 0, miner, 1, t0);
    const others = [...Array(10).keys()].filter((i) => i !== miner);
    others.forEach((i, j) => t.accepted('k', i, t0 + (j + 1) * 1000));
    t.accepted('k', others[0], t0 + 99_000); // again: no effect
    const r = t.report();
    expect(r.t50MsMean).toBe(4); // 5 of 10: the miner + 4 more
    expect(r.t90MsMean).toBe(8);
    expect(r.t100MsMean).toBe(9);
    expect(r.blocksFullyPropagated).toBe(1);
    expect(r.meanReachAtEnd).toBe(1);
  });

  it('summarize: mean, median and nearest-rank p90', () => {
    expect(summarize([])).toEqual({ n: 0, mean: 0, median: 0, p90: 0 });
    expect(summarize([5, 1, 3, 2, 4, 6, 7, 8, 9, 10])).toEqual({ n: 10, mean: 5.5, median: 5.5, p90: 9 });
  });
});
