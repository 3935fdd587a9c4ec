import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../engine/rng.ts';
import { Bandwidth } from './bandwidth.ts';
import { Impairments } from './impairments.ts';
import { DEFAULT_NAT_MIX, DEFAULT_PUNCH_TABLE, drawNatTypes, HolePunch, NAT_TYPES, natCode, punchSuccessProbability } from './nat.ts';
import { messagesOf, testNet, type React } from './test-support.ts';

describe('bandwidth', () => {
  it('serialisation delay = size / rate, FIFO at the sender (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 5000 }), size: fc.integer({ min: 0, max: 20_000 }) }), { minLength: 1, maxLength: 50 }),
        (mbps, packets) => {
          const bw = new Bandwidth(2, 1e12);
          bw.setHost(0, mbps, 0);
          const per = 8 / mbps;
          let t = 0;
          let busy = 0;
          let last = 0;
          for (const p of packets) {
            t += p.gap;
            const end = bw.upload(0, p.size, t);
            busy = Math.max(busy, t) + p.size * per; // a FIFO single server
            expect(end).toBe(Math.ceil(busy));
            expect(end).toBeGreaterThanOrEqual(last); // FIFO: never overtakes
            last = end;
          }
        },
      ),
    );
    const bw = new Bandwidth(1, 1e9);
    bw.setHost(0, 8, 8); // 1 byte per µs
    expect(bw.upload(0, 1500, 0)).toBe(1500);
    expect(bw.downloadDelay(0, 1500, 100)).toBe(1500);
    expect(bw.downloadDelay(0, 500, 600)).toBe(1500); // waits behind the first (busy until 1600)
  });

  it('a full queue drops (counted), a lone oversized packet still goes through', () => {
    const bw = new Bandwidth(1, 3000);
    bw.setHost(0, 8, 8);
    expect(bw.upload(0, 10_000, 0)).toBe(10_000); // empty queue: accepted
    expect(bw.upload(0, 10, 1)).toBe(-1); // backlog 9,999 B > 3,000
    expect(bw.upload(0, 1000, 8000)).toBe(11_000); // backlog 2,000 + 1,000 fits
    expect(bw.upload(0, 1, 8000)).toBe(-1);
    expect(bw.uploadBacklog(0, 8000)).toBe(3000);
  });

  it('the downlink of a receiver is shared by its senders (contention on the senders\' clock)', () => {
    const bw = new Bandwidth(3, 1e9);
    bw.setHost(2, 0, 8); // host 2: unlimited up, 1 µs per byte down; hosts 0 and 1 unlimited
    const { transit } = testNet({ hosts: 3, bandwidth: bw });
    expect(transit.arrival(0, 2, 1000, 0, 10_000, -1)).toBe(11_000);
    expect(transit.arrival(1, 2, 1000, 0, 10_000, -1)).toBe(12_000); // queued behind 0's message
    expect(transit.arrival(0, 2, 1000, 5000, 10_000, -1)).toBe(16_000); // the downlink is idle again
  });

  it('in the World: messages queue behind each other at the uplink and overflow is counted as loss', () => {
    const bw = new Bandwidth(2, 2500);
    bw.setHost(0, 8, 0); // 1 µs per byte up at host 0, unlimited down
    bw.setHost(1, 0, 0);
    const react: React[] = [
      (p, e) => {
        if (e.ev === 'start') p.io.dial(1);
        if (e.ev === 'connected') for (const m of ['a'.repeat(1000), 'b'.repeat(1000), 'c'.repeat(1000), 'd']) p.io.send(e.conn, m);
      },
    ];
    const { world, transit, peers } = testNet({ hosts: 2, bandwidth: bw, react });
    world.startAt(0, 0);
    world.startAt(1, 0);
    world.scheduler.run(1_000_000);
    expect(transit.describeChain()).toEqual(['upload', 'partition', 'propagation', 'download']);
    const got = peers[1].seen.filter((e) => e.ev === 'message');
    // Connected at 20 ms; 'a' leaves at +1 ms, 'b' at +2 ms (queued behind a), 'c' overflows, 'd' fits after.
    expect(got.map((e) => e.t)).toEqual([31_000, 32_000, 32_001]);
    expect(messagesOf(peers[1]).map((m) => m[0])).toEqual(['a', 'b', 'd']);
    expect(world.counters.droppedInTransit).toBe(1);
    expect(transit.metrics().dropped).toMatchObject({ uploadQueue: 1 });
  });
});

describe('NAT', () => {
  it('the punch table is symmetric, symmetric–symmetric is 0, a public side always works', () => {
    for (const a of NAT_TYPES) {
      expect(punchSuccessProbability('public', a)).toBe(1);
      for (const b of NAT_TYPES) expect(punchSuccessProbability(a, b)).toBe(punchSuccessProbability(b, a));
    }
    expect(punchSuccessProbability('symmetric', 'symmetric')).toBe(0);
  });

  it('averages ≈ 70 % over NATed pairs under the default mix (the DCUtR campaign: 70 % ± 7.1 %)', () => {
    const natted = NAT_TYPES.filter((t) => t !== 'public');
    const total = natted.reduce((s, t) => s + DEFAULT_NAT_MIX[t], 0);
    let mean = 0;
    for (const a of natted) for (const b of natted) mean += (DEFAULT_NAT_MIX[a] / total) * (DEFAULT_NAT_MIX[b] / total) * punchSuccessProbability(a, b);
    expect(mean).toBeGreaterThan(0.63);
    expect(mean).toBeLessThan(0.77);
  });

  it('punch outcomes follow the table: frequencies within 4.5 σ over many seeded draws', () => {
    const n = 4000;
    for (const seed of [1, 2]) {
      const punch = new HolePunch(new RngStreams(seed).stream('net/punch'));
      for (let a = 0; a < NAT_TYPES.length; a++) {
        for (let b = a; b < NAT_TYPES.length; b++) {
          let ok = 0;
          for (let i = 0; i < n; i++) if (punch.attempt(a, b)) ok++;
          const p = DEFAULT_PUNCH_TABLE[a][b];
          expect(Math.abs(ok / n - p), `${NAT_TYPES[a]} × ${NAT_TYPES[b]}`).toBeLessThanOrEqual(4.5 * Math.sqrt((p * (1 - p)) / n) + 1e-12);
        }
      }
    }
  });

  it('drawn NAT types follow the mix; the same seed draws the same types', () => {
    const mix = { public: 0.3, symmetric: 0.7 };
    const types = drawNatTypes(20_000, mix, new RngStreams(3).stream('scenario/nat'));
    const sym = types.filter((t) => t === natCode('symmetric')).length / types.length;
    expect(Math.abs(sym - 0.7)).toBeLessThan(0.015);
    expect(types.every((t) => t === 0 || t === natCode('symmetric'))).toBe(true);
    expect(drawNatTypes(100, mix, new RngStreams(3).stream('scenario/nat'))).toEqual(types.slice(0, 100));
  });
});

describe('loss and extra delay', () => {
  it('drop mode loses about the given share; retransmit mode delays by doubling timeouts', () => {
    const continentOf = Int32Array.from([0, 1, 1]);
    const imp = new Impairments({ continentOf, continents: 2, lossRate: 0.1, lossPairs: [{ a: 0, b: 1, value: 0.5 }], delayUs: 7, rng: new RngStreams(1).stream('net/loss') });
    let lost01 = 0;
    let lost12 = 0;
    for (let i = 0; i < 10_000; i++) {
      if (imp.applyLoss(0, 1, 0) < 0) lost01++;
      if (imp.applyLoss(1, 2, 0) < 0) lost12++;
    }
    expect(Math.abs(lost01 / 10_000 - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(lost12 / 10_000 - 0.1)).toBeLessThan(0.015);
    expect(imp.delayUs(1, 2)).toBe(7);
    const rt = new Impairments({ continentOf, continents: 2, lossRate: 0.5, lossMode: 'retransmit', retransmitUs: 100, rng: new RngStreams(1).stream('net/loss') });
    const allowed = new Set([0, 100, 300, 700, 1500, 3100, 6300, -1]);
    for (let i = 0; i < 1000; i++) expect(allowed.has(rt.applyLoss(0, 1, 0))).toBe(true);
  });
});
