import { describe, expect, it } from 'vitest';
import { MsgType, type GmEvent, type GmSyncEntry, type Message } from '../../wire/messages.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { signMapEvent } from './map-auth.ts';
import { NEW_ORIGINS_PER_SENDER_MAX, NEW_ORIGINS_WINDOW_US, SYNC_ANSWER_MAX_CHUNKS } from './security-constants.ts';
import { RngStreams } from '../../engine/rng.ts';
import { FakeMesh } from './test-support.ts';
import { encodeContact, PAYLOAD_ANSWER, REACH_REACHABLE } from './directed.ts';

/**
 * The attacks on the global map, driven against the sans-IO apps directly:
 * each succeeds against security: seed (the seed's protocol allows it) and
 * fails against security: signed, where the sender pays for it.
 */
const SECOND_US = 1_000_000;
const MODES = ['seed', 'signed'] as const;
type Mode = (typeof MODES)[number];

const CONNECT = 1;
const DISCONNECT = 2;
const IN = 1;
const OUT = 2;

/** A mesh of `n` apps in `mode`; peer i is app i. */
function mesh(mode: Mode, n: number, extra: ConstructorParameters<typeof FakeMesh>[1] = {}): FakeMesh {
  return new FakeMesh(n, { security: mode, ...extra });
}

/** What an attacker `m` puts on the wire: in signed mode it signs with the only key it has, its own. */
function hostile(m: FakeMesh, mode: Mode, attacker: PeerNum, events: Omit<GmEvent, 'ttl'>[]): Message {
  const evs = events.map((e) => ({ ...e, ttl: 6 }));
  if (mode === 'seed') return { type: MsgType.GmEvents, events: evs };
  const own = m.registry.identityOf(attacker)!;
  return { type: MsgType.GmEvents, signed: true, events: evs.map((e) => signMapEvent(m.registry.signer, m.registry, own, e)) };
}

const charged = (m: FakeMesh, peer: PeerNum) => m.offences.filter((o) => o.peer === peer).map((o) => o.kind);

describe.each(MODES)('global map attacks, security: %s', (mode) => {
  it('forged links: a non-origin forges both halves of a link', () => {
    const [V, M, H1, H2, W] = [0, 1, 2, 3, 4];
    const m = mesh(mode, 5);
    m.link(M, V);
    m.link(V, W);
    const ts = m.now;
    m.apps[V].onMessage(m.now, M, hostile(m, mode, M, [
      { kind: CONNECT, direction: OUT, origin: H1, peer: H2, timestampUs: ts },
      { kind: CONNECT, direction: IN, origin: H2, peer: H1, timestampUs: ts },
    ]));
    const store = m.apps[V].store!;
    if (mode === 'seed') {
      expect(store.isConfirmed(H1, H2)).toBe(true); // the false link is in the victim's map, confirmed
      expect(charged(m, M)).toEqual([]); // and its author pays nothing
      expect(m.sent.some((s) => s.from === V && s.to === W)).toBe(true); // it is relayed on
    } else {
      expect(store.record(H1)).toBeUndefined();
      expect(store.record(H2)).toBeUndefined();
      expect(charged(m, M)).toContain('bad-signature');
      expect(charged(m, H1).concat(charged(m, H2))).toEqual([]); // never the claimed origins
      expect(m.sent.some((s) => s.from === V && s.to === W)).toBe(false); // never forwarded
    }
  });

  it('erased link: a forged future-stamped disconnect outlives the genuine re-announcement', () => {
    const [V, M, H1, H2] = [0, 1, 2, 3];
    const m = mesh(mode, 4);
    m.link(V, H1);
    m.link(H1, H2);
    m.announceAll();
    m.drain();
    expect(m.apps[V].store!.isConfirmed(H1, H2)).toBe(true);
    m.link(M, V);
    m.apps[V].onMessage(m.now, M, hostile(m, mode, M, [{ kind: DISCONNECT, direction: OUT, origin: H1, peer: H2, timestampUs: m.now + 59 * SECOND_US }]));
    // 30 s later H1 re-announces its links (its refresh timer).
    m.now += 30 * SECOND_US;
    m.apps[H1].onTimer(m.now, 2);
    m.drain();
    const store = m.apps[V].store!;
    if (mode === 'seed') {
      expect(store.isConfirmed(H1, H2)).toBe(false); // erased, and the genuine refresh was dropped as stale
      expect(charged(m, M)).toEqual([]);
    } else {
      expect(store.isConfirmed(H1, H2)).toBe(true);
      expect(charged(m, M)).toContain('bad-signature');
    }
  });

  it('poisoned join: the first neighbour answers the map request with chunks that never end', () => {
    const [V, M] = [0, 1];
    const honest = [2, 3, 4, 5];
    const m = mesh(mode, 6, { syncOnJoin: true });
    // The honest peers' links, which the attacker learnt (and in signed mode replays with their signatures).
    for (let i = 0; i + 1 < honest.length; i++) m.link(honest[i], honest[i + 1]);
    m.announceAll();
    m.drain();
    m.link(V, M); // V joins: M is its first neighbour and is asked for the map
    const src = m.apps[2].store!;
    const entries: GmSyncEntry[] = honest.map((h) => {
      const r = src.record(h)!;
      const links = Array.from(r.peers, (p, k) => ({ peer: p, flags: r.flags[k], timestampUs: r.ts[k] }));
      return mode === 'signed'
        ? { peer: h, publicKey: m.auth.publicKeyOf(h), links: links.map((l) => ({ ...l, signature: m.auth.signatureFor(h, l.peer, l.flags, l.timestampUs) })) }
        : { peer: h, links };
    });
    const chunks = SYNC_ANSWER_MAX_CHUNKS + 50;
    for (let i = 0; i < chunks; i++) m.apps[V].onMessage(m.now, M, { type: MsgType.GmSync, entries, more: 1, ...(mode === 'signed' ? { signed: true } : {}) });
    const stats = m.apps[V].stats;
    if (mode === 'seed') {
      expect(charged(m, M)).toEqual([]); // endless, and accepted
    } else {
      expect(stats.syncOverflows).toBe(1);
      expect(stats.eventsBadSignature).toBe(0); // replayed genuine registers verify…
      expect(charged(m, M).length).toBeGreaterThanOrEqual(50); // …but the answer stopped at its bound, and each chunk past it is charged
      expect(charged(m, M)[0]).toBe('unsolicited');
    }
    // Forged registers in a join answer: applied in seed, a bad signature in signed.
    const m2 = mesh(mode, 6, { syncOnJoin: true });
    m2.link(V, M);
    const own = m2.registry.identityOf(M)!;
    const forged: GmSyncEntry = { peer: 2, links: [{ peer: 3, flags: 3, timestampUs: m2.now }] };
    if (mode === 'signed') {
      forged.publicKey = m2.auth.publicKeyOf(2);
      forged.links[0].signature = signMapEvent(m2.registry.signer, m2.registry, own, { kind: 1, direction: 2, origin: 2, peer: 3, timestampUs: m2.now, ttl: 0 }).signature;
    }
    m2.apps[V].onMessage(m2.now, M, { type: MsgType.GmSync, entries: [forged], more: 1, ...(mode === 'signed' ? { signed: true } : {}) });
    expect(m2.apps[V].store!.record(2) !== undefined).toBe(mode === 'seed');
    if (mode === 'signed') expect(charged(m2, M)).toEqual(['bad-signature']);
  });

  it("honest vs honest: an attacker fills an honest origin's claim budget, then that origin's own event is 'excessive'", () => {
    const [V, M, H, N] = [0, 1, 2, 3];
    const m = mesh(mode, 48);
    m.link(V, H);
    m.link(M, V);
    const fakes = Array.from({ length: 32 }, (_, i) => ({ kind: CONNECT, direction: OUT, origin: H, peer: 10 + i, timestampUs: m.now }));
    m.apps[V].onMessage(m.now, M, hostile(m, mode, M, fakes));
    m.drain();
    m.now += SECOND_US;
    m.link(H, N); // H's own new link: announced to V
    m.announceAll();
    m.drain();
    if (mode === 'seed') {
      expect(charged(m, H)).toContain('excessive-events'); // the honest origin pays for the forgery
      expect(charged(m, M)).toEqual([]);
    } else {
      expect(charged(m, H)).toEqual([]);
      expect(m.apps[V].store!.isConfirmed(H, N)).toBe(true);
      expect(charged(m, M)).toContain('bad-signature');
    }
  });

  it('TTL: an event asking for 255 hops travels no further than the configured TTL', () => {
    const m = mesh(mode, 6, { ttl: 3 });
    for (let i = 0; i + 1 < 6; i++) m.link(i, i + 1);
    const own = m.registry.identityOf(0)!;
    const e: GmEvent = { kind: CONNECT, direction: OUT, origin: 0, peer: 1, timestampUs: m.now, ttl: 255 };
    const msg: Message = mode === 'seed' ? { type: MsgType.GmEvents, events: [e] } : { type: MsgType.GmEvents, signed: true, events: [signMapEvent(m.registry.signer, m.registry, own, e)] };
    m.apps[1].onMessage(m.now, 0, msg);
    m.drain();
    const knows = (p: number) => m.apps[p].store!.record(0) !== undefined;
    expect([1, 2, 3].map(knows)).toEqual([true, true, true]); // 1 hop to 1, then 2 more
    expect([4, 5].map(knows)).toEqual([false, false]);
  });

  it('steering: a forged directed answer makes the victim dial an address of the attacker\'s choice under an honest id', () => {
    const [V, M, H] = [0, 1, 2];
    const TRAP = 999; // an address the attacker controls
    const m = mesh(mode, 3);
    m.link(M, V);
    const answer = (route: PeerNum[]): Message => ({ type: MsgType.GmDirected, route, hop: route.length - 1, reroute: 0, payloadKind: PAYLOAD_ANSWER, payload: encodeContact(TRAP, REACH_REACHABLE) });
    m.apps[V].onMessage(m.now, M, answer([H, M, V])); // "H says: dial me at TRAP", relayed by M
    m.apps[V].onMessage(m.now, M, answer([M, V])); // the same from M in its own name
    if (mode === 'seed') {
      expect(m.dials.filter((d) => d.from === V).map((d) => d.address)).toEqual([TRAP, TRAP]); // both steer the dial
      expect(m.learnt).toContainEqual({ by: V, peer: H, address: TRAP }); // and rebind H to the trap
      expect(charged(m, M)).toEqual([]);
    } else {
      expect(m.dials).toEqual([]); // no offer of ours was pending: nothing dialled
      expect(m.learnt.filter((l) => l.peer === H)).toEqual([]); // H keeps its address
      expect(charged(m, M)).toEqual(['unsolicited-answer']); // M pays for its own answer only: a relay cannot tell
      expect(charged(m, H)).toEqual([]);
    }
  });

  it('fresh origins: one neighbour mints 5,000 keys and signs an event as each of them', () => {
    const [V, M] = [0, 1];
    const m = mesh(mode, 2);
    m.link(M, V);
    const streams = new RngStreams(77);
    const fresh = Array.from({ length: 5000 }, (_, i) => m.registry.mint(streams.peer(i, 'minted')));
    const events: GmEvent[] = fresh.map((id, i) => ({ kind: CONNECT, direction: OUT, origin: id.num, peer: fresh[(i + 1) % fresh.length].num, timestampUs: m.now, ttl: 6 }));
    const send = () => {
      for (let i = 0; i < events.length; i += 256) {
        const chunk = events.slice(i, i + 256);
        const signed = chunk.map((e, k) => signMapEvent(m.registry.signer, m.registry, fresh[i + k], e)); // valid: each key signs its own claim
        m.apps[V].onMessage(m.now, M, mode === 'seed' ? { type: MsgType.GmEvents, events: chunk } : { type: MsgType.GmEvents, signed: true, events: signed });
      }
    };
    const known = () => fresh.filter((id) => m.apps[V].store!.record(id.num) !== undefined).length;
    send();
    if (mode === 'seed') {
      expect(known()).toBe(fresh.length); // every minted origin lands in the victim's map at once
    } else {
      expect(known()).toBe(NEW_ORIGINS_PER_SENDER_MAX); // the rest waits for the next window
      expect(charged(m, M)).toEqual([]); // signatures are valid: refused, not charged (honest relays carry joins)
      m.now += NEW_ORIGINS_WINDOW_US;
      send(); // refused events were not marked seen, so they can come again
      expect(known()).toBe(fresh.length);
    }
  });
});
