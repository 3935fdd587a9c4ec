import type { TimeUs } from '../../engine/time.ts';
import { MAX_GM_SYNC_LINKS } from '../../wire/constants.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, type GmSyncEntry, type GmSyncLink, type GmSyncMsg } from '../../wire/messages.ts';
import { payloadSize } from '../../wire/sizes.ts';
import type { NodeApi } from '../node/app.ts';
import type { GlobalmapConfig } from './config.ts';
import type { MapAuth } from './map-auth.ts';
import type { PeerStore } from './peer-store.ts';
import { SYNC_ANSWER_MAX_BYTES, SYNC_ANSWER_MAX_CHUNKS, SYNC_CHUNK_BYTES, SYNC_CHUNK_MAX_ENTRIES } from './security-constants.ts';
import type { GlobalmapStats } from './stats.ts';

/**
 * The initial sync of a joining peer: it asks its first neighbour for its
 * whole map, which answers in chunks. With a MapAuth (security: signed)
 * every register travels with its origin's signature and is verified
 * before it is applied, and the answer is bounded in chunks and bytes: a
 * forged register or an answer that never ends is charged to the sender and
 * ends the sync.
 */
export class MapSync {
  /** The neighbour we asked for its map, until its last chunk arrives; 'done' after that. */
  private from: PeerNum | 'done' | undefined;
  private readonly served = new Set<PeerNum>();
  private chunks = 0;
  private bytes = 0;

  constructor(
    private readonly api: NodeApi,
    private readonly cfg: GlobalmapConfig,
    private readonly store: PeerStore | undefined,
    private readonly stats: GlobalmapStats,
    private readonly auth: MapAuth | undefined,
  ) {}

  /** A link came up: the first one of a joining peer is asked for its map. */
  onLinkUp(peer: PeerNum): void {
    if (!this.cfg.syncOnJoin || this.from !== undefined) return;
    this.from = peer;
    this.chunks = 0;
    this.bytes = 0;
    this.api.send(peer, { type: MsgType.GmSyncRequest, sinceUs: 0 });
  }

  onLinkDown(peer: PeerNum): void {
    this.served.delete(peer);
    if (this.from === peer) this.from = undefined; // it left before finishing: ask the next one
  }

  serve(peer: PeerNum): void {
    const store = this.store;
    if (!store || this.served.has(peer)) return this.api.offence(peer, 'unsolicited');
    this.served.add(peer);
    const auth = this.auth;
    const entries: GmSyncEntry[] = [];
    let bytes = 0;
    // Every register of every record, read from the store's slabs: one closure per answer, not a view per record.
    let origin = -1;
    let links: GmSyncLink[] = [];
    const take = (peer: PeerNum, flags: number, timestampUs: TimeUs): void => {
      if (links.length >= MAX_GM_SYNC_LINKS) return;
      const l: GmSyncLink = { peer, flags, timestampUs };
      if (auth) l.signature = auth.signatureFor(origin, peer, flags, timestampUs);
      links.push(l);
    };
    const total = Math.min(store.originsWithRecords, this.cfg.maxSyncEntries);
    for (let i = 0; i < total; i++) {
      origin = store.originAt(i);
      links = [];
      store.eachRegister(origin, take);
      if (links.length === 0) continue;
      // An origin's record as a sync entry: every register, so the receiver's map equals ours for that origin.
      const e: GmSyncEntry = auth ? { peer: origin, links, publicKey: auth.publicKeyOf(origin) } : { peer: origin, links };
      entries.push(e);
      bytes += auth ? 65 + 105 * e.links.length : 33 + 41 * e.links.length;
      if (bytes >= SYNC_CHUNK_BYTES || entries.length >= SYNC_CHUNK_MAX_ENTRIES) {
        this.send(peer, entries.splice(0), 1);
        bytes = 0;
      }
    }
    this.send(peer, entries, 0);
  }

  private send(peer: PeerNum, entries: GmSyncEntry[], more: number): void {
    const msg: GmSyncMsg = this.auth ? { type: MsgType.GmSync, entries, more, signed: true } : { type: MsgType.GmSync, entries, more };
    this.api.send(peer, msg);
    this.stats.syncMessagesSent++;
    this.stats.syncEntriesSent += entries.length;
  }

  apply(now: TimeUs, from: PeerNum, msg: GmSyncMsg): void {
    const store = this.store;
    if (!store || this.from !== from) return this.api.offence(from, 'unsolicited');
    if (this.auth && !this.admit(now, from, msg)) return;
    if (msg.more === 0) this.from = 'done';
    // Each link of the snapshot is applied as the event it records: same last-writer-wins rules.
    for (const e of msg.entries) {
      if (e.peer === this.api.self) continue;
      // Whole entry at once, unless a link is invalid (reported in order) or a limit needs the sequential path.
      const n = store.applyEntry(e.peer, e.links, now);
      if (n >= 0) {
        if (n > 0) this.stats.syncEntriesApplied++;
        continue;
      }
      let applied = false;
      for (const l of e.links) {
        const r = store.apply({ origin: e.peer, peer: l.peer, flags: l.flags, timestampUs: l.timestampUs }, now);
        if (r === 'invalid') {
          this.stats.eventsInvalid++;
          // Signed: every register was verified, so the sender vouches for what it sends.
          if (e.peer === from || this.auth) this.api.offence(from, 'inconsistent-events');
        } else if (r === 'applied') applied = true;
      }
      if (applied) this.stats.syncEntriesApplied++;
    }
  }

  /**
   * Signed map: the chunk is within the answer's bounds and every register
   * is its origin's, else the sender is charged and the sync ends (the
   * whole chunk is dropped: a peer that forges one register forges others).
   */
  private admit(now: TimeUs, from: PeerNum, msg: GmSyncMsg): boolean {
    const auth = this.auth!;
    this.chunks++;
    this.bytes += payloadSize(msg);
    if (this.chunks > SYNC_ANSWER_MAX_CHUNKS || this.bytes > SYNC_ANSWER_MAX_BYTES) {
      this.stats.syncOverflows++;
      this.from = 'done';
      this.api.offence(from, 'unsolicited');
      return false;
    }
    const latest = now + this.cfg.maxSkewUs;
    let checked = 0;
    let ok = msg.signed === true;
    for (const e of msg.entries) {
      if (!ok) break;
      if (e.peer === this.api.self) continue;
      if (!auth.keyMatches(e.peer, e.publicKey)) ok = false;
      for (let k = 0; ok && k < e.links.length; k++) {
        const l = e.links[k];
        checked++;
        ok = l.timestampUs <= latest && l.signature !== undefined && auth.verify(l.signature, e.peer, l.peer, l.flags, l.timestampUs);
      }
    }
    this.stats.signaturesChecked += checked;
    if (checked > 0) this.api.chargeCpu(checked * auth.costs.verifyUs);
    if (ok) return true;
    this.stats.eventsBadSignature++;
    this.from = 'done';
    this.api.offence(from, 'bad-signature');
    return false;
  }
}
