import { describe, expect, it } from 'vitest';
import { RngStreams } from '../engine/rng.ts';
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

function setup(crashAtUs: number) {
  const world = new World<Pooled | string>({ rng: new RngStreams(1), latency: new ConstantLatency(10), sizer });
  const sent: Pooled[] = [];
  const releasedAtReceipt: number[] = [];
  world.addHost(
    (ctx) =>
      new ScriptedPeer(ctx.io, (p, e) => {
        if (e.ev === 'start') p.io.dial(1);
        if (e.ev === 'connected') {
          for (let i = 0; i < 5; i++) {
            const m = new Pooled(i);
            sent.push(m);
            p.io.send(e.conn, m);
          }
        }
      }),
  );
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
