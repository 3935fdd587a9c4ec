import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RngStreams } from '../engine/rng.ts';
import { ScriptedPeer, type Seen } from '../testing/scripted-peer.ts';
import { ConstantLatency, UniformLatency, type LatencyModel } from './latency.ts';
import { World } from './world.ts';

const sizer = { typeOf: () => 1, sizeOf: (m: unknown) => String(m).length, typeName: () => 'text' };

function makeWorld(latency: LatencyModel = new ConstantLatency(10), seed = 1) {
  return new World<string>({ rng: new RngStreams(seed), latency, sizer });
}

function pair(world: World<string>, reactA?: (p: ScriptedPeer<string>, e: Seen) => void, reactB?: (p: ScriptedPeer<string>, e: Seen) => void) {
  let a!: ScriptedPeer<string>;
  let b!: ScriptedPeer<string>;
  world.addHost((ctx) => (a = new ScriptedPeer(ctx.io, reactA)));
  world.addHost((ctx) => (b = new ScriptedPeer(ctx.io, reactB)));
  return { a, b };
}

const ms = 1000;

describe('World.checkSends', () => {
  it('what a checked host sends must pass the sizer\'s check (it throws at the send); other hosts are not checked', () => {
    const checks: string[] = [];
    const strict = {
      ...sizer,
      check: (m: string) => {
        checks.push(m);
        if (m === 'bad') throw new Error('no encoding');
      },
    };
    const world = new World<string>({ rng: new RngStreams(1), latency: new ConstantLatency(10), sizer: strict });
    const { a, b } = pair(world, (p, e) => {
      if (e.ev === 'start') p.io.dial(1);
    });
    world.checkSends(0);
    world.startAt(0, 0);
    world.startAt(1, 0);
    world.scheduler.run(1_000_000);
    const connected = (p: ScriptedPeer<string>) => {
      const e = p.seen.find((x) => x.ev === 'connected');
      if (e?.ev !== 'connected') throw new Error('not connected');
      return e.conn;
    };
    const conn = connected(a);
    const back = connected(b);
    world.at(world.now, () => {
      a.io.send(conn, 'ok');
      b.io.send(back, 'bad'); // host 1 is not checked
    });
    world.scheduler.run(2_000_000);
    expect(checks).toEqual(['ok']);
    expect(a.seen.some((e) => e.ev === 'message' && e.msg === 'bad')).toBe(true);
    world.at(world.now, () => a.io.send(conn, 'bad'));
    expect(() => world.scheduler.run(3_000_000)).toThrow('no encoding');
  });
});

describe('World links', () => {
  it('a dial takes one way to the acceptor and a round trip to the dialer', () => {
    const world = makeWorld();
    const { a, b } = pair(world, (p, e) => {
      if (e.ev === 'start') p.io.dial(1);
    });
    world.startAt(0, 0);
    world.startAt(1, 0);
    world.scheduler.run(1_000_000);
    expect(b.seen.find((e) => e.ev === 'connected')).toMatchObject({ t: 10 * ms, remote: 0, dir: 'in' });
    expect(a.seen.find((e) => e.ev === 'connected')).toMatchObject({ t: 20 * ms, remote: 1, dir: 'out' });
  });

  it('delivers messages after the link delay, in order per direction, even with jitter', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 60 }), (seed, n) => {
        const world = makeWorld(new UniformLatency(5, 50, 40, 99), seed);
        const { b } = pair(world, (p, e) => {
          if (e.ev === 'start') p.io.dial(1);
          if (e.ev === 'connected') for (let i = 0; i < n; i++) p.io.send(e.conn, `m${i}`);
        });
        world.startAt(0, 0);
        world.startAt(1, 0);
        world.scheduler.run(10_000_000);
        const got = b.seen.filter((e) => e.ev === 'message').map((e) => (e as { msg: string }).msg);
        expect(got).toEqual(Array.from({ length: n }, (_, i) => `m${i}`));
      }),
      { numRuns: 50 },
    );
  });

  it('a dial to a host that is down times out as unreachable', () => {
    const world = makeWorld();
    const { a } = pair(world, (p, e) => {
      if (e.ev === 'start') p.io.dial(1);
    });
    world.startAt(0, 0);
    world.scheduler.run(10_000_000);
    // The SYN arrives after 10 ms and goes unanswered; the dialer gives up 5 s later.
    expect(a.seen.find((e) => e.ev === 'dial-failed')).toMatchObject({ t: 10 * ms + 5_000_000, remote: 1, reason: 'unreachable' });
  });

  it('a host can dial itself and its two ends are distinct', () => {
    const world = makeWorld();
    let self!: ScriptedPeer<string>;
    world.addHost((ctx) => (self = new ScriptedPeer(ctx.io, (p, e) => {
      if (e.ev === 'start') p.io.dial(0);
      if (e.ev === 'connected' && e.dir === 'out') p.io.send(e.conn, 'hello me');
    })));
    world.startAt(0, 0);
    world.scheduler.run(1_000_000);
    const ins = self.seen.filter((e) => e.ev === 'connected');
    expect(ins.map((e) => (e as { dir: string }).dir)).toEqual(['in', 'out']);
    const inEnd = (ins[0] as { conn: number }).conn;
    expect(self.seen.find((e) => e.ev === 'message')).toMatchObject({ conn: inEnd, msg: 'hello me' });
  });

  it('a crash is silent; after a restart, a packet to the old connection draws an RST', () => {
    const world = makeWorld();
    let bConn = -1;
    const { b } = pair(
      world,
      (p, e) => {
        if (e.ev === 'start' && e.t === 0) p.io.dial(1);
      },
      (p, e) => {
        if (e.ev === 'connected') bConn = e.conn;
        if (e.ev === 'timer') p.io.send(bConn, 'are you there?');
      },
    );
    world.startAt(0, 0);
    world.startAt(1, 0);
    world.at(100 * ms, (w) => w.crashHost(0));
    world.at(200 * ms, (w) => w.startAt(0, w.now));
    world.at(300 * ms, () => b.io.setTimer(0, 1));
    world.scheduler.run(1_000_000);
    expect(b.seen.find((e) => e.ev === 'closed')).toMatchObject({ t: 320 * ms, reason: 'reset' });
  });

  it('chargeCpu delays what the host sends next', () => {
    const world = makeWorld();
    const { b } = pair(world, (p, e) => {
      if (e.ev === 'start') p.io.dial(1);
      if (e.ev === 'connected') {
        p.io.chargeCpu(7 * ms);
        p.io.send(e.conn, 'late');
      }
    });
    world.startAt(0, 0);
    world.startAt(1, 0);
    world.scheduler.run(1_000_000);
    expect(b.seen.find((e) => e.ev === 'message')).toMatchObject({ t: 20 * ms + 7 * ms + 10 * ms });
  });

  it('close: the other side learns it one way later; later sends are dropped', () => {
    const world = makeWorld();
    const { b } = pair(world, (p, e) => {
      if (e.ev === 'start') p.io.dial(1);
      if (e.ev === 'connected') {
        p.io.send(e.conn, 'before');
        p.io.close(e.conn);
        p.io.send(e.conn, 'after');
      }
    });
    world.startAt(0, 0);
    world.startAt(1, 0);
    world.scheduler.run(1_000_000);
    const tail = b.seen.filter((e) => e.ev === 'message' || e.ev === 'closed');
    expect(tail.map((e) => e.ev)).toEqual(['message', 'closed']);
    expect(tail[1]).toMatchObject({ t: 30 * ms, reason: 'remote' });
    expect(world.counters.droppedClosed).toBe(1);
    expect(world.conns.active).toBe(0); // both sides closed, nothing in flight: the slot is free
  });

  it('a stopped host closes its links and its timers never fire', () => {
    const world = makeWorld();
    const { a, b } = pair(
      world,
      (p, e) => {
        if (e.ev === 'start') {
          p.io.dial(1);
          p.io.setTimer(500 * ms, 7);
        }
      },
      () => {},
    );
    world.startAt(0, 0);
    world.startAt(1, 0);
    world.at(100 * ms, (w) => w.stopHost(0));
    world.scheduler.run(2_000_000);
    expect(a.seen.some((e) => e.ev === 'timer')).toBe(false);
    expect(b.seen.find((e) => e.ev === 'closed')).toMatchObject({ t: 110 * ms, reason: 'remote' });
  });

  it('a cancelled timer does not fire; others fire at now + delay', () => {
    const world = makeWorld();
    const { a } = pair(world, (p, e) => {
      if (e.ev === 'start') {
        const id = p.io.setTimer(5 * ms, 1);
        p.io.setTimer(7 * ms, 2);
        p.io.cancelTimer(id);
      }
    });
    world.startAt(0, 3 * ms);
    world.scheduler.run(1_000_000);
    expect(a.seen.filter((e) => e.ev === 'timer')).toEqual([{ t: 10 * ms, ev: 'timer', tag: 2 }]);
  });

  it('uniform latency is stable per pair, symmetric, and within bounds', () => {
    const lat = new UniformLatency(10, 150, 0, 1234);
    const rng = new RngStreams(1).stream('x');
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), (x, y) => {
        const d = lat.oneWayUs(x, y, rng);
        expect(d).toBe(lat.oneWayUs(y, x, rng));
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(10 * ms);
        expect(d).toBeLessThanOrEqual(150 * ms);
      }),
    );
  });
});
