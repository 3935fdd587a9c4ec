import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { PeerStore } from '../globalmap/peer-store.ts';
import { F_OUT } from '../globalmap/record.ts';
import type { NodeApi, NodeApp } from '../node/app.ts';
import { forgedMessages, GM_CONNECT, GM_DISCONNECT, GM_IN, GM_OUT, type ForgedClaim, type Seal } from './forge.ts';

export interface SleeperConfig {
  /** Absolute simulated time the sleeper turns: before it, it only runs the honest protocol. */
  forgeFromUs: TimeUs;
  /** One forging round this often. */
  forgeIntervalUs: number;
  /** Per round: links between honest peers that do not exist (both halves forged). */
  forgeLinks: number;
  /** Per round: real honest links erased by disconnects forged from both ends. */
  forgeTombstones: number;
  /** Forged disconnects are stamped this far ahead, so the real ends' re-announcements lose (last writer wins). */
  futureUs: number;
  ttl: number;
}

export interface SleeperStats {
  rounds: number;
  forgedLinks: number;
  forgedTombstones: number;
  forgedEventsSent: number;
}

const TIMER_FORGE = 1;
/** Tries per wanted claim before a round gives up (small maps, few honest peers). */
const TRIES_PER_CLAIM = 8;
/** Pairs it forged itself, remembered so it does not "erase" its own forgeries; bounded. */
const MAX_FORGED_MEMORY = 4096;

/**
 * A sleeper Sybil: an honest peer (the composite runs the honest overlay
 * beside it) until `forgeFromUs`, then, every round, forges global-map
 * events in honest peers' names and sends them to its neighbours: links
 * between honest peers that do not exist, and disconnects of real honest
 * links (read from its own map) stamped in the future. In the seed protocol
 * a relay is never charged for events it did not originate, so it goes
 * unpunished while honest origins exceed their claim budgets.
 */
export class SleeperApp implements NodeApp {
  readonly name = 'sleeper';
  readonly stats: SleeperStats = { rounds: 0, forgedLinks: 0, forgedTombstones: 0, forgedEventsSent: 0 };
  private api!: NodeApi;
  private readonly forged = new Set<string>();
  private readonly buf: PeerNum[] = [];

  constructor(
    private readonly cfg: SleeperConfig,
    /** Honest peer numbers (the coalition's knowledge of who is not one of them). */
    private readonly honestPeers: () => readonly PeerNum[],
    /** Its own global map (the honest app's), where it reads real links to erase. */
    private readonly map: () => PeerStore | undefined,
    /** Peers of the coalition: never named in forgeries. */
    private readonly isAdversary: (p: PeerNum) => boolean,
    /** Signed map: signs forgeries with its own key (see Seal). */
    private readonly seal?: Seal,
  ) {}

  handles(): boolean {
    return false;
  }

  onStart(now: TimeUs, api: NodeApi): void {
    this.api = api;
    api.setTimer(Math.max(1, this.cfg.forgeFromUs - now) + api.rng.int(this.cfg.forgeIntervalUs), TIMER_FORGE);
  }

  onPeerUp(): void {}
  onPeerDown(): void {}
  onMessage(): void {}

  onTimer(now: TimeUs, tag: number): void {
    if (tag !== TIMER_FORGE) return;
    this.api.setTimer(this.cfg.forgeIntervalUs, TIMER_FORGE);
    const claims = this.round(now);
    if (claims.length === 0) return;
    this.stats.rounds++;
    for (const peer of this.api.peers().keys()) {
      for (const msg of forgedMessages(claims, this.seal)) if (this.api.send(peer, msg)) this.stats.forgedEventsSent += msg.events.length;
    }
  }

  /** One round's forged claims: fake links first, then erased real links. */
  round(now: TimeUs): ForgedClaim[] {
    const claims: ForgedClaim[] = [];
    const ttl = this.cfg.ttl;
    const honest = this.honestPeers();
    const map = this.map();
    const rng = this.api.rng;
    for (let i = 0, tries = 0; i < this.cfg.forgeLinks && honest.length > 1 && tries < this.cfg.forgeLinks * TRIES_PER_CLAIM; tries++) {
      const a = honest[rng.int(honest.length)];
      const b = honest[rng.int(honest.length)];
      if (a === b || map?.isConfirmed(a, b)) continue;
      // Opposite directions on the two ends, as a real link has.
      claims.push({ origin: a, peer: b, kind: GM_CONNECT, direction: GM_OUT, timestampUs: now, ttl });
      claims.push({ origin: b, peer: a, kind: GM_CONNECT, direction: GM_IN, timestampUs: now, ttl });
      this.remember(a, b);
      this.stats.forgedLinks++;
      i++;
    }
    if (!map) return claims;
    for (let i = 0, tries = 0; i < this.cfg.forgeTombstones && map.originsWithRecords > 0 && tries < this.cfg.forgeTombstones * TRIES_PER_CLAIM; tries++) {
      const a = map.originAt(rng.int(map.originsWithRecords));
      const ns = map.confirmedNeighbours(a, this.buf);
      if (ns.length === 0) continue;
      const b = ns[rng.int(ns.length)];
      if (this.isAdversary(a) || this.isAdversary(b) || this.forged.has(key(a, b))) continue;
      const at = now + this.cfg.futureUs;
      claims.push({ origin: a, peer: b, kind: GM_DISCONNECT, direction: outOf(map, a, b) ? GM_OUT : GM_IN, timestampUs: at, ttl });
      claims.push({ origin: b, peer: a, kind: GM_DISCONNECT, direction: outOf(map, b, a) ? GM_OUT : GM_IN, timestampUs: at, ttl });
      this.stats.forgedTombstones++;
      i++;
    }
    return claims;
  }

  private remember(a: PeerNum, b: PeerNum): void {
    if (this.forged.size >= MAX_FORGED_MEMORY) this.forged.clear();
    this.forged.add(key(a, b));
  }
}

function key(a: PeerNum, b: PeerNum): string {
  return a < b ? `${a}|${b}` : `${b}|${a}`;
}

/** Whether `origin` said it dialled `peer` (so the forged disconnect matches the real link's direction). */
function outOf(map: PeerStore, origin: PeerNum, peer: PeerNum): boolean {
  const r = map.record(origin);
  if (!r) return false;
  for (let k = 0; k < r.peers.length; k++) if (r.peers[k] === peer) return (r.flags[k] & F_OUT) !== 0;
  return false;
}
