import type { TimeUs } from '../../engine/time.ts';
import { SIGNATURE_BYTES } from '../../wire/constants.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, type GmDirectedMsg, type GmEventsMsg, type Message } from '../../wire/messages.ts';
import type { NodeApi, NodeApp } from '../node/app.ts';
import type { Address, Direction } from '../../sans-io/protocol.ts';
import { DirectedRouter } from './directed.ts';
import type { PeerStore } from './peer-store.ts';
import { F_CONNECT, F_OUT } from './record.ts';
import { EventRefsMsg, packRef, refSerial } from './event-refs.ts';
import { EventTable, SIG_INVALID, SIG_NONE, SIG_UNVERIFIED, SIG_VALID } from './event-table.ts';
import { eventFlags, type MapAuth } from './map-auth.ts';
import { MapSync } from './map-sync.ts';
import { Outbox } from './outbox.ts';
import { Selector } from './selector.ts';
import { OriginBudget } from './origin-budget.ts';
import type { LinkInfo } from './selection.ts';
import { newGlobalmapStats, type GlobalmapStats } from './stats.ts';
import type { GlobalmapDeps } from './deps.ts';

const TIMER_SELECT = 1;
const TIMER_REFRESH = 2;
const TIMER_GC = 3;
const TIMER_FLUSH = 4;
const TIMER_ANNOUNCE = 5;
const EV_CONNECT = 1;
const EV_DISCONNECT = 2;
const DIR_IN = 1;
const DIR_OUT = 2;
const SLOT_UNKNOWN = -2;
/** A copy that carried no usable key or signature (signed map): it fails verification. */
const NO_SIGNATURE = new Uint8Array(0);
/** The table of apps that gossip nothing (no map): never written. */
const NO_EVENTS = new EventTable(1, 1);

/**
 * The global-map overlay of seed 001 on one peer: it gossips its own link
 * events (G2), applies everyone's to its PeerStore (G1), chooses neighbours
 * with a pluggable strategy (G3), confirms links from both ends and drops
 * phantoms (G5), and carries source-routed directed messages (G4) — here the
 * connection offers by which a peer reaches a candidate it has no address for.
 */
export class GlobalMapApp implements NodeApp {
  readonly name = 'globalmap';
  readonly stats: GlobalmapStats = newGlobalmapStats();
  readonly links = new Map<PeerNum, LinkInfo>();
  private api!: NodeApi;
  /** deps.store and api.self as own fields: a receipt reads them first, from an app that is cold by then. */
  private readonly map: PeerStore | undefined;
  private self = -1;
  private readonly table: EventTable;
  private outbox!: Outbox;
  /** Outbox slot of the sender of the message being received (SLOT_UNKNOWN until needed). */
  private fromSlot = SLOT_UNKNOWN;
  private flushArmed = false;
  /** Links up but not yet announced (a link that dies within the announce delay is never gossiped). */
  private readonly unannounced = new Set<PeerNum>();
  private announceArmed = false;
  private sync!: MapSync;
  /** Signed map only. */
  private readonly auth: MapAuth | undefined;
  /** Signed map: new origins per neighbour per window (see OriginBudget). */
  private readonly originBudget: OriginBudget | undefined;
  private selector!: Selector;
  private router!: DirectedRouter;

  constructor(private readonly deps: GlobalmapDeps) {
    // Without a map nothing is gossiped: no table of its own (2,500 map-less apps would each hold peers × slots bits).
    this.map = deps.store;
    this.table = deps.events ?? (deps.store ? new EventTable(deps.peerSpace(), deps.cfg.dedupeWindowUs) : NO_EVENTS);
    if (deps.cfg.security === 'signed' && deps.store) {
      if (!deps.auth || !deps.identity) throw new Error('globalmap security: signed needs the run\'s MapAuth and the peer\'s identity');
      this.auth = deps.auth;
      this.originBudget = new OriginBudget();
      const auth = deps.auth;
      this.table.enableSignatures((origin) => auth.publicKeyOf(origin));
    }
  }

  get store(): PeerStore | undefined {
    return this.deps.store;
  }

  /** The simulation's event table when this app gossips a map (a followed wave watches it). */
  get eventTable(): EventTable | undefined {
    return this.deps.store ? this.table : undefined;
  }

  handles(type: number): boolean {
    return type === MsgType.GmEvents || type === MsgType.GmSync || type === MsgType.GmSyncRequest || type === MsgType.GmDirected;
  }

  overlay(): Iterable<PeerNum> {
    return this.links.keys();
  }

  onStart(now: TimeUs, api: NodeApi): void {
    if (this.outbox) this.outbox.clear();
    // A fresh app for this peer number (a restart that lost its state) has seen nothing yet.
    else if (this.deps.store) this.table.forgetPeer(api.self);
    this.api = api;
    this.self = api.self;
    this.links.clear();
    this.outbox = new Outbox(
      this.deps.cfg,
      this.stats,
      this.table,
      api.self,
      (peer, msg) => this.api.send(peer, msg),
      () => {
        if (this.flushArmed) return;
        this.flushArmed = true;
        this.api.setTimer(this.deps.cfg.flushIntervalUs, TIMER_FLUSH);
      },
    );
    this.unannounced.clear();
    this.announceArmed = false;
    this.flushArmed = false;
    this.sync = new MapSync(api, this.deps.cfg, this.deps.store, this.stats, this.auth);
    this.router = new DirectedRouter(api, this.deps, this.stats, this.links);
    this.selector = new Selector(api, this.deps, this.stats, this.links, this.router);
    const cfg = this.deps.cfg;
    api.setTimer(1 + api.rng.int(cfg.selectIntervalUs), TIMER_SELECT);
    api.setTimer(1 + api.rng.int(cfg.gcIntervalUs), TIMER_GC);
    if (this.deps.store) api.setTimer(cfg.refreshIntervalUs + api.rng.int(cfg.refreshIntervalUs), TIMER_REFRESH);
    this.selector.select(now);
  }

  onPeerUp(now: TimeUs, peer: PeerNum, dir: Direction): void {
    const cfg = this.deps.cfg;
    // Inbound links are accepted up to the peer manager's cap; above target + slack
    // the next selection round drops the most redundant old link (seed: kick the
    // "bothersome" neighbour), which is how a full network makes room for newcomers.
    this.links.set(peer, { sinceUs: now, out: dir === 'out' });
    this.outbox.linkUp(peer);
    this.selector.onLinkUp(peer, this.api.addressOf(peer));
    if (!this.deps.store) return;
    this.unannounced.add(peer);
    if (!this.announceArmed) {
      this.announceArmed = true;
      this.api.setTimer(cfg.announceDelayUs, TIMER_ANNOUNCE);
    }
    this.sync.onLinkUp(peer);
  }

  onPeerDown(now: TimeUs, peer: PeerNum): void {
    const link = this.links.get(peer);
    if (!link) return;
    this.links.delete(peer);
    this.outbox.linkDown(peer);
    this.sync.onLinkDown(peer);
    this.originBudget?.forget(peer);
    this.selector.onLinkDown(peer, now);
    if (this.unannounced.delete(peer)) return; // never announced: nothing to take back
    if (this.deps.store) this.originate(now, peer, EV_DISCONNECT, link.out ? DIR_OUT : DIR_IN);
  }

  onDialFailed(now: TimeUs, address: Address): void {
    this.selector.onDialFailed(now, address);
  }

  onMessage(now: TimeUs, peer: PeerNum, msg: Message): void {
    switch (msg.type) {
      case MsgType.GmEvents:
        return this.receiveEvents(now, peer, msg);
      case MsgType.GmSyncRequest:
        return this.sync.serve(peer);
      case MsgType.GmSync:
        return this.sync.apply(now, peer, msg);
      case MsgType.GmDirected:
        return this.receiveDirected(now, peer, msg);
    }
  }

  /** Apart from onMessage: a closure over `now` there made V8 allocate a context at every message, gm-events included. */
  private receiveDirected(now: TimeUs, peer: PeerNum, msg: GmDirectedMsg): void {
    this.router.receive(now, peer, msg, (source, kind, payload, from) => this.selector.onDirected(now, source, kind, payload, from));
  }

  onTimer(now: TimeUs, tag: number): void {
    const cfg = this.deps.cfg;
    if (tag === TIMER_SELECT) {
      this.selector.select(now);
      this.api.setTimer(cfg.selectIntervalUs, TIMER_SELECT);
    } else if (tag === TIMER_REFRESH) {
      this.refresh(now);
      this.api.setTimer(cfg.refreshIntervalUs, TIMER_REFRESH);
    } else if (tag === TIMER_GC) {
      const r = this.deps.store?.gc(now, cfg.entryTtlUs, cfg.confirmTimeoutUs);
      if (r) {
        this.stats.gcRemovedOrigins += r.removedOrigins;
        this.stats.gcExpiredEntries += r.expiredEntries;
        this.stats.phantomsExpired += r.expiredPhantoms;
      }
      this.api.setTimer(cfg.gcIntervalUs, TIMER_GC);
    } else if (tag === TIMER_ANNOUNCE) {
      this.announceArmed = false;
      for (const peer of this.unannounced) {
        const link = this.links.get(peer);
        if (link) this.originate(now, peer, EV_CONNECT, link.out ? DIR_OUT : DIR_IN);
      }
      this.unannounced.clear();
    } else if (tag === TIMER_FLUSH) {
      this.flushArmed = false;
      this.outbox.flush();
    }
  }

  // ---- G2: event gossip ----

  /** A link of ours changed: record it and tell every neighbour (the new one included). */
  private originate(now: TimeUs, peer: PeerNum, kind: number, direction: number): void {
    const flags = (kind === EV_CONNECT ? F_CONNECT : 0) | (direction === DIR_OUT ? F_OUT : 0);
    const self = this.api.self;
    // Same content as an event of ours still live (a refresh at the very time of an announce): the same event.
    const serial = this.table.lookupOrIntern(self, peer, flags, now, now);
    if (this.auth) {
      this.table.setSignature(serial & this.table.mask, this.auth.sign(this.deps.identity!, peer, flags, now));
      this.api.chargeCpu(this.auth.costs.signUs);
    }
    this.deps.store!.applyLink(self, peer, flags, now, now);
    this.stats.eventsOriginated++;
    this.table.watch?.originated(self, serial, this.deps.cfg.ttl, now);
    this.broadcast(serial, this.deps.cfg.ttl, -1, -1, now);
  }

  /** Sends an event to every neighbour but `except`: now, as one shared message (seed protocol), or through the batch outbox. */
  private broadcast(serial: number, ttl: number, except: PeerNum, exceptSlot: number, now: TimeUs): void {
    const only = this.fanoutTargets(except);
    if (this.deps.cfg.batchSize > 1) return this.outbox.add(serial, ttl, exceptSlot, only, now);
    this.table.touch(serial & this.table.mask, now);
    // One message to every neighbour: outside the pool (released once per delivery, it must not be reused).
    const msg = new EventRefsMsg(this.table, Uint32Array.of(packRef(serial, ttl)));
    let sent = 0;
    for (const n of only ?? this.links.keys()) {
      if (n === except) continue;
      this.api.send(n, msg);
      sent++;
    }
    this.stats.eventMessagesSent += sent;
    this.stats.eventsForwarded += sent;
  }

  /**
   * Fanout-limited gossip (an option; the seed floods to every neighbour):
   * `gossipFanout` random neighbours other than `except`, or null for all.
   */
  private fanoutTargets(except: PeerNum): PeerNum[] | null {
    const k = this.deps.cfg.gossipFanout;
    if (k <= 0 || this.links.size - (this.links.has(except) ? 1 : 0) <= k) return null;
    const pool: PeerNum[] = [];
    for (const n of this.links.keys()) if (n !== except) pool.push(n);
    for (let i = 0; i < k; i++) {
      const j = i + this.api.rng.int(pool.length - i);
      const t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    pool.length = k;
    return pool;
  }

  private receiveEvents(now: TimeUs, from: PeerNum, msg: GmEventsMsg): void {
    if (!this.map) return this.api.offence(from, 'unsolicited');
    const t = this.table;
    const self = this.self;
    if (self >= t.rows) t.ensurePeer(self);
    this.fromSlot = SLOT_UNKNOWN;
    if (msg instanceof EventRefsMsg && msg.table === t) {
      const packed = msg.packed;
      const at = msg.base;
      const count = msg.count;
      this.stats.eventsReceived += count;
      // Nine receipts in ten are duplicates: they are decided here on locals (the table's arrays,
      // re-read after anything else ran, which may grow them), counted once per message.
      let dups = 0;
      let bits = t.bits;
      let mask = t.mask;
      let row = self * t.rowWords;
      for (let i = at; i < at + count; i++) {
        const v = packed[i];
        const serial = refSerial(v, mask, t.serialOf);
        if (serial < 0) {
          this.stats.eventsLost++;
          continue;
        }
        const slot = serial & mask;
        const word = 2 * (row + (slot >>> 5));
        const bit = 1 << (slot & 31);
        if ((bits[word] & bit) !== 0) {
          dups++;
          // Still in our outbox: the sender shows it has it, so it will not get it from us.
          if ((bits[word + 1] & bit) !== 0) this.outbox.exclude(serial, this.senderSlot(from));
          continue;
        }
        this.receiveOne(now, from, serial, v & 255, undefined);
        bits = t.bits;
        mask = t.mask;
        row = self * t.rowWords;
      }
      this.stats.eventsDuplicate += dups;
      return;
    }
    // Events as objects (decoded bytes, another simulation's table): intern them on receipt.
    this.stats.eventsReceived += msg.events.length;
    for (const e of msg.events) {
      const serial = t.lookupOrIntern(e.origin, e.peer, eventFlags(e), e.timestampUs, now);
      if (!this.auth) {
        this.receiveOne(now, from, serial, e.ttl, undefined);
        continue;
      }
      // This copy's key and signature: no key of the origin's, no signature (a blank one fails).
      const sig = this.auth.keyMatches(e.origin, e.publicKey) && e.signature?.length === SIGNATURE_BYTES ? e.signature : NO_SIGNATURE;
      const slot = serial & t.mask;
      if (t.sigState![slot] === SIG_NONE && sig !== NO_SIGNATURE) t.setSignature(slot, sig);
      this.receiveOne(now, from, serial, e.ttl, sig);
    }
  }

  /**
   * One received event: a duplicate (exact: one bit per peer) or news to
   * apply and pass on. `sig`: the signature of a copy that came as an
   * object (undefined: the table's own, by reference).
   */
  private receiveOne(now: TimeUs, from: PeerNum, serial: number, ttl: number, sig: Uint8Array | undefined): void {
    const t = this.table;
    const self = this.self;
    const slot = serial & t.mask;
    const word = t.wordOf(self, slot);
    const bit = 1 << (slot & 31);
    if ((t.bits[word] & bit) !== 0) {
      this.stats.eventsDuplicate++;
      // Still in our outbox: the sender shows it has it, so it will not get it from us.
      if ((t.bits[word + 1] & bit) !== 0) this.outbox.exclude(serial, this.senderSlot(from));
      return;
    }
    // Signed: verified before the seen bit is set, so a forged copy cannot shadow the genuine event.
    if (this.auth && !this.authentic(now, from, slot, sig)) return;
    const origin = t.origin[slot];
    if (this.originBudget && !this.map!.hasRecord(origin) && !this.originBudget.admit(from, now)) return void this.stats.newOriginsRefused++;
    t.bits[word] |= bit;
    const r = this.map!.applyLink(origin, t.peer[slot], t.flags[slot], t.ts[slot], now);
    // Anti-pollution (G5): bad events are dropped. Seed: the sender is charged only when it is
    // their origin — a relay cannot be told from a forger, and honest relays forward in good faith.
    // Signed: the origin signed it and honest relays drop what we drop, so the sender is charged.
    if (r === 'invalid') {
      this.stats.eventsInvalid++;
      if (origin === from || this.auth) this.api.offence(from, 'inconsistent-events');
      return;
    }
    if (r === 'excessive') {
      this.stats.eventsExcessive++;
      if (origin === from) this.api.offence(from, 'excessive-events');
      return;
    }
    if (r === 'stale') {
      this.stats.eventsStale++; // superseded by what we know: forwarding it would spread old news
      return;
    }
    this.stats.eventsApplied++;
    t.watch?.applied(self, from, serial, ttl, now);
    // Hops left, clamped to ours: a peer asking for more reach than the network's TTL is not obeyed.
    const hops = ttl > this.deps.cfg.ttl ? this.deps.cfg.ttl : ttl;
    if (hops > 1) this.broadcast(serial, hops - 1, from, this.senderSlot(from), now);
  }

  /**
   * Signed map: the event is its origin's and not from the future (local
   * clock + maxSkew), else the sender — never the claimed origin — is
   * charged and the event dropped, never forwarded. Each slot's signature is
   * verified once per simulation (the result is a function of its bytes); a
   * copy with another signature is verified on its own.
   */
  private authentic(now: TimeUs, from: PeerNum, slot: number, sig: Uint8Array | undefined): boolean {
    const t = this.table;
    const auth = this.auth!;
    if (t.ts[slot] > now + this.deps.cfg.maxSkewUs) {
      this.stats.eventsInvalid++;
      this.api.offence(from, 'inconsistent-events');
      return false;
    }
    this.stats.signaturesChecked++;
    this.api.chargeCpu(auth.costs.verifyUs);
    const sigs = t.sigs!;
    const at = slot * SIGNATURE_BYTES;
    let own = sig === undefined;
    if (sig !== undefined && sig !== NO_SIGNATURE) {
      own = true;
      for (let i = 0; i < SIGNATURE_BYTES && own; i++) own = sigs[at + i] === sig[i];
    }
    let ok: boolean;
    if (own) {
      if (t.sigState![slot] === SIG_UNVERIFIED) {
        const valid = auth.verify(sigs.subarray(at, at + SIGNATURE_BYTES), t.origin[slot], t.peer[slot], t.flags[slot], t.ts[slot]);
        t.sigState![slot] = valid ? SIG_VALID : SIG_INVALID;
      }
      ok = t.sigState![slot] === SIG_VALID;
    } else ok = sig !== NO_SIGNATURE && auth.verify(sig!, t.origin[slot], t.peer[slot], t.flags[slot], t.ts[slot]);
    if (ok) return true;
    this.stats.eventsBadSignature++;
    this.api.offence(from, 'bad-signature');
    return false;
  }

  /** The sender's outbox slot, looked up once per message and only if needed (most messages bring only duplicates). */
  private senderSlot(from: PeerNum): number {
    if (this.fromSlot === SLOT_UNKNOWN) this.fromSlot = this.outbox.slotFor(from);
    return this.fromSlot;
  }

  /** Re-announces our oldest announced link now, as `refresh` does for all (the scenario action `announce`: a wave to follow). */
  announceNow(now: TimeUs): boolean {
    if (!this.deps.store || !this.api) return false;
    for (const [peer, link] of this.links) {
      if (this.unannounced.has(peer)) continue;
      this.originate(now, peer, EV_CONNECT, link.out ? DIR_OUT : DIR_IN);
      this.stats.refreshEvents++;
      return true;
    }
    return false;
  }

  /** Re-announce our links so other maps keep them past their TTL. */
  private refresh(now: TimeUs): void {
    for (const [peer, link] of this.links) {
      this.originate(now, peer, EV_CONNECT, link.out ? DIR_OUT : DIR_IN);
      this.stats.refreshEvents++;
    }
  }
}
