import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScriptedPeer } from '../../testing/scripted-peer.ts';
import type { HostIo } from '../host-io.ts';
import { NAT_FULL_CONE, NAT_PORT_RESTRICTED_CONE, NAT_SYMMETRIC } from './nat.ts';
import { RULE_DOWNLOAD } from './transit.ts';
import { messagesOf, testNet, type React } from './test-support.ts';

const ms = 1000;
const all = (n: number) => new Uint8Array(n).fill(1);
const only = (n: number, ...hosts: number[]) => {
  const m = new Uint8Array(n);
  for (const h of hosts) m[h] = 1;
  return m;
};

describe('partitions', () => {
  it('a partitioned pair never delivers; once healed, a new connection does (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 50, max: 900 }), fc.boolean(), (cutAtMs, oneWay) => {
        // 0 dials 1 at t=0 (connected at 20 ms) and sends a message every 10 ms; the cut starts at cutAtMs and heals at 1 s; at 2 s, 0 dials again.
        let conn = -1;
        const react: React[] = [
          (p, e) => {
            if (e.ev === 'start' || (e.ev === 'timer' && e.tag === 2)) p.io.dial(1);
            if (e.ev === 'connected') {
              conn = e.conn;
              p.io.setTimer(10 * ms, 1);
            }
            if (e.ev === 'timer' && e.tag === 1) {
              p.io.send(conn, `m${e.t}`);
              if (e.t < 3000 * ms) p.io.setTimer(10 * ms, 1);
            }
          },
        ];
        const { world, transit, peers } = testNet({ hosts: 3, react });
        world.startAt(0, 0);
        world.startAt(1, 0);
        world.at(cutAtMs * ms, () => transit.partitions.add('cut', only(3, 0), only(3, 1), oneWay));
        world.at(1000 * ms, () => transit.partitions.heal('cut'));
        world.at(2000 * ms, () => peers[0].io.setTimer(0, 2));
        world.scheduler.run(3000 * ms);
        const got = peers[1].seen.filter((e) => e.ev === 'message');
        // Nothing sent while the cut held arrives (sent at t ∈ [cut, 1 s)): it is dropped, not delayed.
        // (A cut drops packets sent while it holds; one already on the wire lands.)
        for (const e of got) {
          const sentAt = Number((e as { msg: string }).msg.slice(1));
          expect(sentAt < cutAtMs * ms || sentAt >= 1000 * ms).toBe(true);
        }
        expect(transit.drops[0]).toBeGreaterThan(oneWay ? 0 : 1);
        // After the heal, messages flow again (on the old connection and on the new one).
        expect(got.some((e) => e.t > 2100 * ms)).toBe(true);
        expect(peers[0].seen.filter((e) => e.ev === 'connected')).toHaveLength(2);
      }),
      { numRuns: 25 },
    );
  });

  it('a dial across a cut fails as unreachable; hosts outside the cut are untouched', () => {
    const { world, transit, peers } = testNet({ hosts: 3, react: [(p, e) => e.ev === 'start' && (p.io.dial(1), p.io.dial(2))] });
    transit.partitions.add('p', only(3, 0), only(3, 1), false);
    for (let h = 0; h < 3; h++) world.startAt(h, 0);
    world.scheduler.run(10_000 * ms);
    expect(peers[0].seen.find((e) => e.ev === 'dial-failed')).toMatchObject({ remote: 1, reason: 'unreachable' });
    expect(peers[0].seen.find((e) => e.ev === 'connected')).toMatchObject({ remote: 2 });
    expect(transit.outcomes).toEqual(Float64Array.from([1, 0, 0, 0, 1]));
  });

  it('one way: A → B dropped, B → A delivered', () => {
    const { world, transit } = testNet({ hosts: 2 });
    transit.partitions.add('p', only(2, 0), only(2, 1), true);
    expect(transit.arrival(0, 1, 10, 0, 5, -1)).toBe(-1);
    expect(transit.arrival(1, 0, 10, 0, 5, -1)).toBe(5);
    expect(transit.partitions.heal('p')).toBe(true);
    expect(transit.arrival(0, 1, 10, 0, 5, -1)).toBe(5);
    void world;
  });
});

describe('NAT, punching and relays in the World', () => {
  it('inbound dials to a NATed host fail unless it has UPnP; outbound ones work', () => {
    const react: React[] = [(p, e) => e.ev === 'start' && (p.io.dial(1), p.io.dial(2)), (p, e) => e.ev === 'start' && p.io.dial(0)];
    const { world, transit, peers } = testNet({ hosts: 3, nat: [0, NAT_PORT_RESTRICTED_CONE, NAT_SYMMETRIC], upnp: [0, 0, 1], react });
    for (let h = 0; h < 3; h++) world.startAt(h, 0);
    world.scheduler.run(10_000 * ms);
    expect(peers[0].seen.find((e) => e.ev === 'dial-failed')).toMatchObject({ remote: 1, reason: 'unreachable', t: 5_000 * ms });
    expect(peers[0].seen.find((e) => e.ev === 'connected' && e.dir === 'out')).toMatchObject({ remote: 2 });
    expect(peers[1].seen.find((e) => e.ev === 'connected')).toMatchObject({ remote: 0, dir: 'out' });
    expect(transit.metrics().dials).toMatchObject({ direct: 1, upnp: 1, failed: 1, blockedByNat: 1 });
  });

  it('a successful punch is a normal connection: initiator out, responder in; symmetric–symmetric never punches', () => {
    const { world, transit, peers } = testNet({ hosts: 4, nat: [NAT_FULL_CONE, NAT_FULL_CONE, NAT_SYMMETRIC, NAT_SYMMETRIC] });
    world.startAt(0, 0);
    world.startAt(1, 0);
    world.startAt(2, 0);
    world.startAt(3, 0);
    // Full-cone pairs punch with p = 0.95: try a few times; symmetric pairs never.
    for (let k = 0; k < 20; k++) {
      world.at(k * 100 * ms + 1, () => (peers[0].io as unknown as HostIo<string>).punch(1));
      world.at(k * 100 * ms + 1, () => (peers[2].io as unknown as HostIo<string>).punch(3));
    }
    world.at(5 * ms, () => peers[0].io.setTimer(0, 0));
    world.scheduler.run(60_000 * ms);
    const out = peers[0].seen.filter((e) => e.ev === 'connected');
    expect(out.length).toBeGreaterThan(15);
    expect(out.every((e) => (e as { dir: string }).dir === 'out')).toBe(true);
    expect(peers[1].seen.filter((e) => e.ev === 'connected').every((e) => (e as { dir: string }).dir === 'in')).toBe(true);
    expect(peers[2].seen.filter((e) => e.ev === 'connected')).toHaveLength(0);
    expect(peers[2].seen.filter((e) => e.ev === 'dial-failed')).toHaveLength(20);
    const d = transit.metrics().dials as Record<string, unknown>;
    expect(d.punched).toBe(out.length);
    expect(d.failedByAttempt).toMatchObject({ punch: 20 + 20 - out.length });
  });

  it('a relayed connection takes both legs, holds a relay slot until closed, and dies with its relay', () => {
    let conn = -1;
    const react: React[] = [
      (p, e) => {
        if (e.ev === 'connected') {
          conn = e.conn;
          p.io.send(conn, 'via relay');
        }
      },
    ];
    const { world, transit, peers, relays } = testNet({ hosts: 4, nat: [NAT_SYMMETRIC, NAT_SYMMETRIC], relays: [2], relaySlots: 1, react });
    for (let h = 0; h < 4; h++) world.startAt(h, 0);
    const io0 = peers[0].io as unknown as HostIo<string>;
    world.at(1, () => io0.dialViaRelay(1, 2));
    world.at(2, () => io0.dialViaRelay(1, 2)); // the only slot is taken
    world.at(3, () => io0.dialViaRelay(1, 3)); // host 3 is not a relay
    world.scheduler.run(1_000 * ms);
    // Constant 10 ms per leg: SYN 20 ms, SYN-ACK back 20 ms; the message another 20 ms.
    expect(peers[0].seen.find((e) => e.ev === 'connected')).toMatchObject({ t: 40 * ms + 1, remote: 1, dir: 'out' });
    expect(peers[1].seen.find((e) => e.ev === 'message')).toMatchObject({ t: 60 * ms + 1, msg: 'via relay' });
    expect(relays.load[2]).toBe(1);
    expect(relays.refused).toBe(2);
    world.crashHost(2);
    peers[0].io.send(conn, 'lost');
    world.scheduler.run(2_000 * ms);
    expect(messagesOf(peers[1])).toEqual(['via relay']);
    peers[0].io.close(conn);
    world.scheduler.run(3_000 * ms);
    expect(relays.load[2]).toBe(0);
    expect(transit.metrics().dials).toMatchObject({ relayed: 1, relayRefused: 2 });
  });

  it('resetHost replaces the protocol object (state lost) and gives it fresh streams', () => {
    const { world } = testNet({ hosts: 2 });
    const first = world.protocolOf(1) as ScriptedPeer<string>;
    world.startAt(1, 0);
    world.scheduler.run(10);
    world.resetHost(1);
    expect(world.isUp(1)).toBe(false);
    const fresh = world.protocolOf(1) as ScriptedPeer<string>;
    expect(fresh).not.toBe(first);
    world.startAt(1, world.now);
    world.scheduler.run(20);
    expect(fresh.seen.map((e) => e.ev)).toEqual(['start']);
    expect(first.seen.map((e) => e.ev)).toEqual(['start']);
  });
});

describe('the rule chain', () => {
  it('runs in the documented order and takes custom rules', () => {
    const { transit } = testNet({ hosts: 2 });
    expect(transit.describeChain()).toEqual(['partition', 'propagation']);
    let seenAt = -1;
    transit.addRule({ name: 'spy', apply: (_f, _t, _s, t) => ((seenAt = t), t + 7) });
    transit.addRule({ name: 'blackhole', apply: (f, _t, _s, t) => (f === 1 ? -1 : t) }, RULE_DOWNLOAD);
    expect(transit.describeChain()).toEqual(['partition', 'propagation', 'custom:spy', 'custom:blackhole']);
    expect(transit.arrival(0, 1, 10, 100, 50, -1)).toBe(157);
    expect(seenAt).toBe(150);
    expect(transit.arrival(1, 0, 10, 100, 50, -1)).toBe(-1);
    expect(transit.metrics().dropped).toMatchObject({ custom: 1 });
    void all;
  });
});
