import { describe, expect, it } from 'vitest';
import { RngStreams } from '../../engine/rng.ts';
import { decodeFrame } from '../../wire/decode.ts';
import { encodeFrame } from '../../wire/encode.ts';
import { numericIdCodec } from '../../wire/ids.ts';
import type { Message } from '../../wire/messages.ts';
import type { Direction } from '../../sans-io/protocol.ts';
import { FakeMesh, stubNodeApi } from '../globalmap/test-support.ts';
import { forgedMessages, GM_CONNECT } from './forge.ts';
import { SleeperApp, type SleeperConfig } from './sleeper.ts';

const S = 1_000_000;
/** The global map's refresh timer tag (re-announces a peer's own links). */
const TIMER_REFRESH = 2;

/**
 * Honest peers 0..7, each linked to its next and third-next (mod 8), plus
 * peer 8, the sleeper, linked to 0 and 1; every map has converged on the
 * true links before it turns.
 */
const N = 8;
const STEPS = [1, 3];
const SLEEPER = N;
function world(cfg: Partial<SleeperConfig> = {}) {
  const mesh = new FakeMesh(N + 1);
  for (let i = 0; i < N; i++) for (const d of STEPS) mesh.link(i, (i + d) % N);
  mesh.link(SLEEPER, 0);
  mesh.link(SLEEPER, 1);
  mesh.announceAll();
  mesh.drain();
  const honest = Array.from({ length: N }, (_, i) => i);
  const timers: number[] = [];
  const sleeper = new SleeperApp(
    { forgeFromUs: 300 * S, forgeIntervalUs: 10 * S, forgeLinks: 1, forgeTombstones: 1, futureUs: 59 * S, ttl: 6, ...cfg },
    () => honest,
    () => mesh.apps[SLEEPER].store,
    (p) => p === SLEEPER,
  );
  const peers = new Map<number, Direction>([[0, 'in'], [1, 'in']]);
  const sent: Message[] = [];
  const api = stubNodeApi(SLEEPER, new RngStreams(3), peers, (to, msg) => {
    sent.push(msg);
    mesh.apps[to].onMessage(mesh.now, SLEEPER, msg);
    return true;
  });
  sleeper.onStart(mesh.now, { ...api, setTimer: (d: number) => (timers.push(d), 0) });
  return { mesh, sleeper, timers, sent };
}

const isTrue = (a: number, b: number) => STEPS.some((d) => (a + d) % N === b || (b + d) % N === a);

describe('sleeper Sybil', () => {
  it('stays silent until forgeFromS: its first forging round is scheduled no earlier', () => {
    const { mesh, timers, sent } = world();
    expect(timers[0]).toBeGreaterThanOrEqual(300 * S - mesh.now);
    expect(sent).toEqual([]);
  });

  it('against the seed map: a forged honest–honest link is confirmed two hops away and a real link is erased past its re-announcement', () => {
    const { mesh, sleeper, sent } = world();
    mesh.now = 300 * S;
    sleeper.onTimer(mesh.now, 1);
    mesh.drain();
    expect(sleeper.stats.forgedLinks).toBe(1);
    expect(sleeper.stats.forgedTombstones).toBe(1);
    const events = sent.flatMap((m) => ('events' in m ? m.events : []));
    // Every event names two honest peers; none is the sleeper's own claim.
    expect(events.every((e) => e.origin !== SLEEPER && e.peer !== SLEEPER)).toBe(true);
    const fake = events.find((e) => e.kind === GM_CONNECT)!;
    const erased = events.find((e) => e.kind !== GM_CONNECT)!;
    expect(isTrue(fake.origin, fake.peer)).toBe(false);
    // Every honest peer not named in the forgeries accepts them, including those the sleeper is not linked to (through honest relays).
    const named = [fake.origin, fake.peer, erased.origin, erased.peer];
    const observers = Array.from({ length: N - 2 }, (_, i) => i + 2).filter((i) => !named.includes(i));
    expect(observers.length).toBeGreaterThan(0);
    for (const o of observers) expect(mesh.apps[o].store!.isConfirmed(fake.origin, fake.peer), `observer ${o}`).toBe(true);
    const store2 = mesh.apps[observers[0]].store!;
    expect(isTrue(erased.origin, erased.peer)).toBe(true);
    expect(erased.timestampUs).toBe(mesh.now + 59 * S);
    expect(store2.isConfirmed(erased.origin, erased.peer)).toBe(false);
    // 30 s later both real ends re-announce the link: last writer wins on the claimed clock, so it stays erased.
    mesh.now += 30 * S;
    mesh.apps[erased.origin].onTimer(mesh.now, TIMER_REFRESH);
    mesh.apps[erased.peer].onTimer(mesh.now, TIMER_REFRESH);
    mesh.drain();
    expect(store2.isConfirmed(erased.origin, erased.peer)).toBe(false);
  });

  it('never erases links of its own coalition and forges nothing without honest peers to name', () => {
    const { sleeper, mesh } = world({ forgeLinks: 0, forgeTombstones: 20 });
    mesh.now = 300 * S;
    const claims = sleeper.round(mesh.now);
    expect(claims.length).toBeGreaterThan(0);
    expect(claims.every((c) => c.origin !== SLEEPER && c.peer !== SLEEPER)).toBe(true);
  });

  it('its forgeries are ordinary gm-events messages: they encode and decode through the wire codec unchanged', () => {
    const claims = [{ origin: 1, peer: 3, kind: 1 as const, direction: 2 as const, timestampUs: 7 * S, ttl: 6 }];
    const [msg] = forgedMessages(claims);
    const back = decodeFrame(encodeFrame(msg, numericIdCodec), numericIdCodec);
    expect(back).toEqual(msg);
    expect(forgedMessages(Array.from({ length: 300 }, () => claims[0])).map((m) => m.events.length)).toEqual([256, 44]);
  });
});
