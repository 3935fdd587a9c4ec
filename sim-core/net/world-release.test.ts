import { describe, expect, it } from 'vitest';
import { RngStreams } from '../engine/rng.ts';
import type { PeerActions } from '../sans-io/protocol.ts';
import { HeldMessage } from '../sans-io/release.ts';
import { ScriptedPeer } from '../testing/scripted-peer.ts';
import { ConstantLatency } from './latency.ts';
import { World } from './world.ts';

/** A pooled-style message: counts how often the network gave it back. */
class Pooled {
  releases = 0;
  constructor(readonly id: number) {}
  release(): void {
    this.releases++;
  }
}

const sizer = { typeOf: () => 1, sizeOf: () => 10, typeName: () => 'pooled' };

/** Host 0: dials host 1 and sends it five messages made by `make`, noting each in `sent`. */
function sender<M>(io: PeerActions<M | string>, make: (i: number) => M, sent: M[]): ScriptedPeer<M | string> {
  return new ScriptedPeer(io, (p, e) => {
    if (e.ev === 'start') p.io.dial(1);
    if (e.ev !== 'connected') return;
    for (let i = 0; i < 5; i++) {
      const m = make(i);
      sent.push(m);
      p.io.send(e.conn, m);
    }
  });
}

function setup(crashAtUs: number) {
  const world = new World<Pooled | string>({ rng: new RngStreams(1), latency: new ConstantLatency(10), sizer });
  const sent: Pooled[] = [];
  const releasedAtReceipt: number[] = [];
  world.addHost((ctx) => sender(ctx.io, (i) => new Pooled(i), sent));
  world.addHost(
    (ctx) =>
      new ScriptedPeer(ctx.io, (_p, e) => {
        // The handler runs before the release: a receiver may read the message, not keep it.
        if (e.ev === 'message') releasedAtReceipt.push((e.msg as Pooled).releases);
      }),
  );
  world.startAt(0, 0);
  world.startAt(1, 0);
  if (crashAtUs > 0) world.at(crashAtUs, (w) => w.crashHost(1));
  world.scheduler.run(1_000_000);
  return { sent, releasedAtReceipt };
}

describe('World gives releasable messages back', () => {
  it('once each, after the receiver handled it', () => {
    const { sent, releasedAtReceipt } = setup(0);
    expect(releasedAtReceipt).toEqual([0, 0, 0, 0, 0]);
    expect(sent.map((m) => m.releases)).toEqual([1, 1, 1, 1, 1]);
  });

  it('once each when dropped (the receiver crashed while they were in flight)', () => {
    const { sent, releasedAtReceipt } = setup(25_000);
    expect(releasedAtReceipt).toEqual([]);
    expect(sent.map((m) => m.releases)).toEqual([1, 1, 1, 1, 1]);
  });
});

/** A pooled message: counts how often it went back to its (imaginary) pool. */
class Held extends HeldMessage {
  given = 0;
  constructor(readonly id: number) {
    super();
  }
  protected giveBack(): void {
    this.given++;
  }
}

/**
 * Host 0 sends five messages to host 1, which passes each on to host 2 as
 * it is (a relay): at once, or held (retained) and sent on a timer later.
 */
function relayed(later: boolean) {
  const world = new World<Held | string>({ rng: new RngStreams(1), latency: new ConstantLatency(10), sizer });
  const sent: Held[] = [];
  const givenAtReceipt: number[] = [];
  world.addHost((ctx) => sender(ctx.io, (i) => new Held(i), sent));
  let onward = -1;
  const waiting: Held[] = [];
  world.addHost(
    (ctx) =>
      new ScriptedPeer(ctx.io, (p, e) => {
        if (e.ev === 'start') onward = p.io.dial(2);
        if (e.ev === 'timer') {
          for (const m of waiting) {
            p.io.send(onward, m);
            m.release(); // the relay's own hold
          }
          return;
        }
        if (e.ev !== 'message' || typeof e.msg === 'string') return;
        const m = e.msg as Held;
        if (!later) return p.io.send(onward, m);
        m.retain();
        waiting.push(m);
        if (waiting.length === 5) p.io.setTimer(50_000, 1);
      }),
  );
  world.addHost(
    (ctx) =>
      new ScriptedPeer(ctx.io, (_p, e) => {
        if (e.ev === 'message' && typeof e.msg !== 'string') givenAtReceipt.push((e.msg as Held).given);
      }),
  );
  for (let h = 0; h < 3; h++) world.startAt(h, 0);
  world.scheduler.run(1_000_000);
  return { sent, givenAtReceipt, waiting };
}

describe('World holds a relayed releasable message until its last delivery', () => {
  it('passed on at once: not back in its pool when the far end reads it, given back once after', () => {
    const { sent, givenAtReceipt } = relayed(false);
    expect(givenAtReceipt).toEqual([0, 0, 0, 0, 0]);
    expect(sent.map((m) => m.given)).toEqual([1, 1, 1, 1, 1]);
  });

  it('kept by the relay past its handler (retained) and sent later: the same', () => {
    const { sent, givenAtReceipt, waiting } = relayed(true);
    expect(waiting).toHaveLength(5);
    expect(givenAtReceipt).toEqual([0, 0, 0, 0, 0]);
    expect(sent.map((m) => m.given)).toEqual([1, 1, 1, 1, 1]);
  });
});
