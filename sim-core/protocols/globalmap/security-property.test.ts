import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MsgType, type GmEvent, type GmSyncEntry, type Message } from '../../wire/messages.ts';
import { eventFlags, signMapEvent } from './map-auth.ts';
import { FakeMesh } from './test-support.ts';

const V = 0;
const M = 1;
const HONEST = [0, 2, 3, 4, 5];
const PEERS = 8;
const SECOND_US = 1_000_000;

const key = (origin: number, peer: number, flags: number, ts: number) => `${origin}|${peer}|${flags}|${ts}`;

/** How a hostile copy is signed: M's own key, random bytes, nothing, or a genuine signature of another event. */
const sigMode = fc.constantFrom('own', 'random', 'none', 'borrowed' as const);
const keyMode = fc.constantFrom('origin', 'own', 'none' as const);
const hostileEvent = fc.record({
  origin: fc.constantFrom(...HONEST, M),
  peer: fc.integer({ min: 0, max: PEERS - 1 }),
  kind: fc.constantFrom(1, 2),
  direction: fc.constantFrom(1, 2),
  /** Seconds from now, future included (the skew bound is 60 s). */
  dtS: fc.integer({ min: -120, max: 120 }),
  ttl: fc.integer({ min: 0, max: 255 }),
  sig: sigMode,
  pk: keyMode,
  random: fc.uint8Array({ minLength: 64, maxLength: 64 }),
});
type Hostile = typeof hostileEvent extends fc.Arbitrary<infer T> ? T : never;
const op = fc.oneof(
  fc.record({ kind: fc.constant('events' as const), events: fc.array(hostileEvent, { minLength: 1, maxLength: 6 }), signed: fc.boolean() }),
  fc.record({ kind: fc.constant('sync' as const), events: fc.array(hostileEvent, { minLength: 1, maxLength: 6 }), more: fc.constantFrom(0, 1) }),
  fc.record({ kind: fc.constant('tick' as const), dtS: fc.integer({ min: 1, max: 40 }), refresh: fc.constantFrom(...HONEST) }),
);

describe('signed global map (property)', () => {
  it('no sequence of hostile messages from a non-origin makes the victim store a link claimed by an honest origin that it did not sign', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 16 }), (ops) => {
        const m = new FakeMesh(PEERS, { security: 'signed', syncOnJoin: true });
        // Everything an honest origin ever signs (only honest apps sign through the MapAuth).
        const genuine = new Set<string>();
        const sign = m.auth.sign.bind(m.auth);
        m.auth.sign = (own, peer, flags, ts) => {
          genuine.add(key(own.num, peer, flags, ts));
          return sign(own, peer, flags, ts);
        };
        m.link(V, M); // M is the victim's first neighbour: the one it asks for its map
        for (let i = 0; i + 1 < HONEST.length; i++) m.link(HONEST[i], HONEST[i + 1]);
        m.announceAll();
        m.drain();
        const own = m.registry.identityOf(M)!;
        const copy = (h: Hostile): GmEvent => {
          const e: GmEvent = { kind: h.kind, direction: h.direction, origin: h.origin, peer: h.peer, timestampUs: Math.max(0, m.now + h.dtS * SECOND_US), ttl: h.ttl };
          if (h.sig === 'own') e.signature = signMapEvent(m.registry.signer, m.registry, own, e).signature;
          else if (h.sig === 'random') e.signature = h.random;
          else if (h.sig === 'borrowed') e.signature = m.auth.signatureFor(h.origin, (h.peer + 1) % PEERS, eventFlags(e), e.timestampUs);
          if (h.pk === 'origin') e.publicKey = m.auth.publicKeyOf(h.origin);
          else if (h.pk === 'own') e.publicKey = own.publicKey;
          return e;
        };
        for (const o of ops) {
          let msg: Message | undefined;
          if (o.kind === 'events') msg = { type: MsgType.GmEvents, events: o.events.map(copy), signed: o.signed };
          else if (o.kind === 'sync') {
            const entries: GmSyncEntry[] = o.events.map((h) => {
              const e = copy(h);
              return { peer: e.origin, publicKey: e.publicKey, links: [{ peer: e.peer, flags: eventFlags(e), timestampUs: e.timestampUs, signature: e.signature }] };
            });
            msg = { type: MsgType.GmSync, entries, more: o.more, signed: true };
          } else {
            m.now += o.dtS * SECOND_US;
            m.apps[o.refresh].onTimer(m.now, 2); // an honest re-announcement, so genuine and forged news interleave
          }
          if (msg) m.apps[V].onMessage(m.now, M, msg);
          m.drain();
          const store = m.apps[V].store!;
          for (const h of HONEST) {
            const r = store.record(h);
            if (!r) continue;
            for (let k = 0; k < r.peers.length; k++) expect(genuine.has(key(h, r.peers[k], r.flags[k], r.ts[k]))).toBe(true);
          }
        }
        // Nobody but the sender is ever charged.
        expect(m.offences.filter((x) => x.by === V && x.peer !== M)).toEqual([]);
      }),
      { numRuns: 150, seed: 15 },
    );
  });
});
