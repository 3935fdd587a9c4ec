import type { TimeUs } from '../../engine/time.ts';
import { MAX_GM_SYNC_ENTRIES } from '../../wire/constants.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { MsgType, type GmSyncEntry, type Message } from '../../wire/messages.ts';
import type { Address } from '../../sans-io/protocol.ts';
import type { NodeApi, NodeApp } from '../node/app.ts';
import { forgeSyncEntry, type Seal } from './forge.ts';

export interface PoisonSyncConfig {
  /** Sync chunks sent per map request, every one marked "more follows". */
  chunks: number;
  /** False links (honest–honest pairs, both records) per chunk. */
  linksPerChunk: number;
  /** Seconds between rounds of dialling honest peers, to be among joiners' first neighbours. */
  dialIntervalUs: number;
  /** Honest addresses dialled per round. */
  dialsPerRound: number;
}

export interface PoisonSyncStats {
  requests: number;
  chunksSent: number;
  falseLinksSent: number;
}

const TIMER_DIAL = 1;

/**
 * Map poisoning at join: an otherwise honest peer that owns the answer to
 * map-sync requests (the composite gives it GmSyncRequest before the honest
 * app) and answers each with chunks of confirmed-looking links between
 * honest peers that do not exist, always marked "more follows", so the
 * joiner never finishes its sync nor asks anyone else. It keeps dialling
 * honest peers so it is often a newcomer's first neighbour.
 */
export class PoisonSyncApp implements NodeApp {
  readonly name = 'poisoned-sync';
  readonly stats: PoisonSyncStats = { requests: 0, chunksSent: 0, falseLinksSent: 0 };
  private api!: NodeApi;

  constructor(
    private readonly cfg: PoisonSyncConfig,
    private readonly honestPeers: () => readonly PeerNum[],
    private readonly honestAddresses: () => readonly Address[],
    /** Signed map: signs the false records with its own key (see Seal). */
    private readonly seal?: Seal,
  ) {}

  handles(type: number): boolean {
    return type === MsgType.GmSyncRequest;
  }

  onStart(_now: TimeUs, api: NodeApi): void {
    this.api = api;
    api.setTimer(1 + api.rng.int(this.cfg.dialIntervalUs), TIMER_DIAL);
  }

  onPeerUp(): void {}
  onPeerDown(): void {}

  onMessage(now: TimeUs, peer: PeerNum, msg: Message): void {
    if (msg.type !== MsgType.GmSyncRequest) return;
    this.stats.requests++;
    for (let c = 0; c < this.cfg.chunks; c++) {
      const entries = this.chunk(now);
      if (entries.length === 0 || !this.api.send(peer, { type: MsgType.GmSync, entries, more: 1, ...(this.seal && { signed: true }) })) return;
      this.stats.chunksSent++;
    }
  }

  onTimer(_now: TimeUs, tag: number): void {
    if (tag !== TIMER_DIAL) return;
    const addrs = this.honestAddresses();
    for (let i = 0; i < this.cfg.dialsPerRound && addrs.length > 0; i++) this.api.dial(addrs[this.api.rng.int(addrs.length)]);
    this.api.setTimer(this.cfg.dialIntervalUs, TIMER_DIAL);
  }

  /** One chunk: each false link a–b as two records (a dialled, b accepted), so the joiner's map confirms it. */
  private chunk(now: TimeUs): GmSyncEntry[] {
    const honest = this.honestPeers();
    const entries: GmSyncEntry[] = [];
    const rng = this.api.rng;
    for (let i = 0; i < this.cfg.linksPerChunk && entries.length + 2 <= MAX_GM_SYNC_ENTRIES && honest.length > 1; i++) {
      const a = honest[rng.int(honest.length)];
      const b = honest[rng.int(honest.length)];
      if (a === b) continue;
      entries.push(forgeSyncEntry(a, [{ peer: b, out: true }], now, this.seal), forgeSyncEntry(b, [{ peer: a, out: false }], now, this.seal));
      this.stats.falseLinksSent++;
    }
    return entries;
  }
}
