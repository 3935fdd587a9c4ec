import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../engine/rng.ts';
import { MsgType, type GmSyncMsg, type Message } from '../../wire/messages.ts';
import type { Direction } from '../../sans-io/protocol.ts';
import { PeerStore } from '../globalmap/peer-store.ts';
import { RecordPool } from '../globalmap/record-pool.ts';
import { stubNodeApi } from '../globalmap/test-support.ts';
import type { WireItem } from '../node/peer-node.ts';
import { HeldMessage } from '../../sans-io/release.ts';
import type { WireBoundary } from '../node/wire-boundary.ts';
import type { Identity, IdentityRegistry } from '../identity/registry.ts';
import { Adversary } from './adversary.ts';
import { PoisonSyncApp } from './poison-sync.ts';
import { RelayAdversary } from './relay.ts';
import { SlotExhauster } from './slot-exhaustion.ts';
import { recordingActions } from '../../testing/recording-actions.ts';

/** Records what an adversary asks of the network; dials get ids 100, 101, … */
const fakeIo = () => recordingActions<WireItem>();

describe('slot exhaustion', () => {
  it('opens `slots` silent connections per victim from one host and reopens each one the victim closes, within maxDials', () => {
    const { io, log } = fakeIo();
    const a = new SlotExhauster(io, { targets: [7, 8], slots: 3, redialUs: 1_000_000, maxDials: 7 });
    a.onStart();
    for (const t of log.timers.splice(0)) a.onTimer(0, t.tag);
    expect(log.dials).toEqual([7, 7, 7, 8, 8, 8]);
    a.onConnected(0, 100, 7, 'out');
    a.onMessage(); // the victim's version: no answer
    expect(log.sent).toEqual([]);
    a.onClosed(10, 100);
    expect(log.timers).toEqual([{ delay: 1_000_000, tag: expect.any(Number) }]);
    a.onTimer(1_000_010, log.timers[0].tag);
    expect(log.dials.slice(6)).toEqual([7]);
    // maxDials reached: a further reopen dials nothing.
    a.onClosed(20, 101);
    a.onTimer(1_000_020, log.timers[1].tag);
    expect(log.dials).toHaveLength(7);
    expect(a.stats).toMatchObject({ dials: 7, connected: 1, closedByVictim: 2, maxHeld: 1 });
  });
});

describe('handshake relay', () => {
  it('copies items both ways, holding what arrives before the other side is up, then sends the victim a malformed frame', () => {
    const { io, log } = fakeIo();
    const r = new RelayAdversary(io, { pairs: [[1, 2]], misbehaveAfterUs: 5, redialUs: 9, maxDials: 10 });
    r.onStart();
    r.onTimer(0, log.timers[0].tag);
    expect(log.dials).toEqual([1, 2]); // victim conn 100, honest conn 101
    r.onConnected(0, 100, 1, 'out');
    const version: Message = { type: MsgType.Ping, nonce: 1 };
    r.onMessage(0, 100, version); // the victim speaks first
    expect(log.sent).toEqual([]);
    r.onConnected(0, 101, 2, 'out');
    expect(log.sent).toEqual([{ conn: 101, item: version }]);
    const answer: Message = { type: MsgType.Pong, nonce: 1 };
    r.onMessage(0, 101, answer);
    expect(log.sent[1]).toEqual({ conn: 100, item: answer });
    const misbehave = log.timers.find((t) => t.delay === 5)!;
    r.onTimer(5, misbehave.tag);
    expect(log.sent[2].conn).toBe(100);
    expect(log.sent[2].item).toBeInstanceOf(Uint8Array);
    // The victim hangs up: the other side is closed too, and the next pair is tried later.
    r.onClosed(6, 100);
    expect(log.closed).toEqual([101]);
    expect(log.timers.at(-1)!.delay).toBe(9);
    expect(r.stats).toMatchObject({ bridged: 1, itemsRelayed: 2, garbageSent: 1, closedByVictim: 1 });
  });
});

/** A pooled message that counts how often it went back to its pool. */
class CountedMessage extends HeldMessage {
  readonly type = MsgType.Ping;
  readonly nonce = 7;
  givenBack = 0;
  protected giveBack(): void {
    this.givenBack++;
  }
}

describe('adversaries restarted after a crash (no onClosed: the host just vanished)', () => {
  it('the handshake relay gives back what it held for the dead pair and dials the next pair', () => {
    const { io, log } = fakeIo();
    const r = new RelayAdversary(io, { pairs: [[1, 2], [3, 4]], misbehaveAfterUs: 5, redialUs: 9, maxDials: 10 });
    r.onStart();
    r.onTimer(0, log.timers[0].tag);
    r.onConnected(0, 100, 1, 'out');
    const held = new CountedMessage();
    held.retain(); // the network's hold during delivery
    r.onMessage(0, 100, held); // held: the honest side is not up yet
    held.release(); // delivered
    expect(held.givenBack).toBe(0);
    // Crash, then restart: the same object starts again.
    log.timers.length = 0;
    r.onStart();
    expect(held.givenBack).toBe(1);
    r.onTimer(1, log.timers[0].tag);
    expect(log.dials).toEqual([1, 2, 3, 4]);
    // A connection of the old incarnation is a stranger now: closed, nothing relayed to it.
    r.onConnected(2, 100, 1, 'out');
    expect(log.closed).toEqual([100]);
  });

  it('the wire adversary forgets its dead connection and dials again', () => {
    const { io, log } = fakeIo();
    const wire = { newDecoder: () => ({ push: () => ({ messages: [] }) }) } as unknown as WireBoundary;
    const a = new Adversary(
      io,
      new RngStreams(3).stream('adversary'),
      { kind: 'garbage', targets: [5, 6], intervalUs: 4, burst: 1, redialUs: 9, maxDials: 10 },
      {} as Identity,
      {} as IdentityRegistry,
      wire,
      40,
    );
    a.onStart();
    a.onTimer(0, log.timers[0].tag);
    a.onConnected(0, 100, 5, 'out');
    expect(log.dials).toEqual([5]);
    log.timers.length = 0;
    a.onStart();
    a.onTimer(1, log.timers[0].tag);
    expect(log.dials).toEqual([5, 6]);
    a.onConnected(2, 101, 6, 'out');
    const act = log.timers.find((t) => t.delay === 4)!;
    a.onTimer(6, act.tag);
    expect(log.sent.at(-1)!.conn).toBe(101);
  });
});

describe('poisoned map sync', () => {
  it('answers a map request with chunks that never end, whose links between honest peers a seed map confirms', () => {
    const honest = Array.from({ length: 1000 }, (_, i) => i + 1);
    const app = new PoisonSyncApp({ chunks: 3, linksPerChunk: 5, dialIntervalUs: 1e6, dialsPerRound: 0 }, () => honest, () => []);
    const sent: { to: number; msg: Message }[] = [];
    app.onStart(0, stubNodeApi(9, new RngStreams(2), new Map<number, Direction>([[1, 'in']]), (to, msg) => (sent.push({ to, msg }), true)));
    expect(app.handles(MsgType.GmSyncRequest)).toBe(true);
    expect(app.handles(MsgType.GmEvents)).toBe(false);
    app.onMessage(1_000, 1, { type: MsgType.GmSyncRequest, sinceUs: 0 });
    const chunks = sent.map((s) => s.msg as GmSyncMsg);
    expect(chunks).toHaveLength(3);
    expect(chunks.every((c) => c.type === MsgType.GmSync && c.more === 1)).toBe(true);
    const store = new PeerStore(new RecordPool(), { maxClaims: 32, maxEntries: 64, maxSkewUs: 60e6 });
    for (const c of chunks) for (const e of c.entries) for (const l of e.links) store.apply({ origin: e.peer, ...l }, 1_000);
    const claimed = chunks.flatMap((c) => c.entries.filter((e) => e.links[0].flags === 3).map((e) => [e.peer, e.links[0].peer]));
    expect(claimed.length).toBeGreaterThan(0);
    for (const [a, b] of claimed) expect(store.isConfirmed(a, b), `${a}-${b}`).toBe(true);
    expect(claimed.flat().every((p) => honest.includes(p))).toBe(true);
  });
});
