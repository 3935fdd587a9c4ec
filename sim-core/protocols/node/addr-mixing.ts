import type { Rng } from '../../engine/rng.ts';
import type { TimeUs } from '../../engine/time.ts';
import type { AddrEntry as AddrMsgEntry } from '../../wire/messages.ts';
import type { Address } from '../../sans-io/protocol.ts';
import {
  addrQueueMax,
  addrRelayFanout,
  addrRelayFreshUs,
  addrRelayMaxEntries,
  addrRelayWindowUs,
  addrTokenBurst,
  addrTokensPerS,
  addrTrickleMeanUs,
  feelerIntervalMeanUs,
  getAddrMaxEntries,
  getAddrShare,
} from './addr-mixing-constants.ts';
import { mix } from './addrman.ts';
import type { Conn } from './conn.ts';

/** Counters of the address mixing of one node. */
export interface AddrMixStats {
  /** Announcements (addr messages of ≤ addrRelayMaxEntries entries nobody asked for) received. */
  announcements: number;
  /** Announced entries dropped by the per-connection token bucket. */
  tokenDropped: number;
  /** Entries queued for relay to a peer. */
  relayed: number;
  /** Entries dropped because a peer's relay queue was full. */
  queueDropped: number;
  feelersStarted: number;
  /** Feelers whose handshake completed (the address moved to `tried`). */
  feelersSucceeded: number;
}

/**
 * Bitcoin Core's address mixing on one node (the peer manager calls it when
 * NodeConfig.addrMixing is on): fresh announced addresses are relayed to
 * two peers chosen by a keyed hash of (address, 24 h window, peer) — the
 * same peers for the same address all day, so a relay does not loop — and
 * queued announcements leave on a Poisson trickle; announcements are
 * accepted through a token bucket per connection; getaddr answers sample
 * 23% of the table; feelers test a `new` address every ~2 minutes. Each
 * node relays an address at most once per window (Core's per-peer
 * known-address filters give the same outcome: the targets are
 * deterministic), which bounds relay traffic to ~2 messages per address per
 * node.
 */
export class AddrMixer {
  readonly stats: AddrMixStats = { announcements: 0, tokenDropped: 0, relayed: 0, queueDropped: 0, feelersStarted: 0, feelersSucceeded: 0 };
  private readonly key: number;
  private nextFlushUs: TimeUs;
  private nextFeelerUs: TimeUs;
  /** Address → relay window it was last relayed in (bounded: cleared past maxRelayMemory). */
  private readonly relayedIn = new Map<Address, number>();
  /** relay()'s scratch: the chosen targets and their scores (emptied at each call). */
  private readonly best: Conn[] = [];
  private readonly score: number[] = [];

  constructor(
    private readonly rng: Rng,
    now: TimeUs,
    private readonly maxRelayMemory: number,
  ) {
    this.key = rng.uint32();
    this.nextFlushUs = now + this.delay(addrTrickleMeanUs);
    this.nextFeelerUs = now + this.delay(feelerIntervalMeanUs);
  }

  /** Entries in a getaddr answer for a table of `size` entries. */
  static answerSize(size: number): number {
    return Math.min(getAddrMaxEntries, Math.ceil(size * getAddrShare));
  }

  /** An unsolicited addr of this many entries is an announcement (else it is charged as before). */
  static isAnnouncement(entries: number): boolean {
    return entries <= addrRelayMaxEntries;
  }

  /** How many of `n` announced entries the connection's token bucket lets through now (the rest are dropped). */
  admit(c: Conn, n: number, now: TimeUs): number {
    this.stats.announcements++;
    const refill = ((now - c.addrTokensAtUs) / 1e6) * addrTokensPerS;
    c.addrTokens = Math.min(addrTokenBurst, c.addrTokens + refill);
    c.addrTokensAtUs = now;
    const ok = Math.min(n, Math.floor(c.addrTokens));
    c.addrTokens -= ok;
    this.stats.tokenDropped += n - ok;
    return ok;
  }

  /** Fresh: stamped within addrRelayFreshUs of now (either side: a peer may lie about its clock). */
  static isFresh(e: AddrMsgEntry, now: TimeUs): boolean {
    return Math.abs(e.lastSeenS * 1e6 - now) <= addrRelayFreshUs;
  }

  /**
   * Queues a fresh announced entry to its relay targets among `peers` (up
   * connections in insertion order, the sender left out), unless this node
   * already relayed the address in the current window.
   */
  relay(e: AddrMsgEntry, now: TimeUs, from: Conn, peers: Iterable<Conn>): void {
    const address = e.address.host;
    // Core's window offset by a hash of the address, so windows of different addresses do not all turn at once.
    const window = Math.floor((now + (mix(this.key, address, 7) % addrRelayWindowUs)) / addrRelayWindowUs);
    if (this.relayedIn.get(address) === window) return;
    if (this.relayedIn.size >= this.maxRelayMemory) this.relayedIn.clear();
    this.relayedIn.set(address, window);
    // The addrRelayFanout best scores, highest first, in scratch arrays (splice made garbage per entry heard).
    const best = this.best;
    const score = this.score;
    best.length = 0;
    score.length = 0;
    for (const c of peers) {
      if (c === from || c.feeler || c.peer === e.peer) continue;
      const s = mix(this.key ^ window, address, c.peer!);
      let i = best.length;
      while (i > 0 && score[i - 1] < s) i--;
      if (i >= addrRelayFanout) continue;
      const n = Math.min(best.length + 1, addrRelayFanout);
      for (let j = n - 1; j > i; j--) {
        best[j] = best[j - 1];
        score[j] = score[j - 1];
      }
      best[i] = c;
      score[i] = s;
      best.length = n;
      score.length = n;
    }
    for (const c of best) this.enqueue(c, e);
  }

  /** Queues an entry for the next trickle to `c` (our own address on a new connection, or a relay). */
  enqueue(c: Conn, e: AddrMsgEntry): void {
    const q = (c.addrQueue ??= []);
    if (q.length >= addrQueueMax) {
      this.stats.queueDropped++;
      return;
    }
    q.push(e);
    this.stats.relayed++;
  }

  /** True when the trickle is due (and schedules the next one). */
  flushDue(now: TimeUs): boolean {
    if (now < this.nextFlushUs) return false;
    this.nextFlushUs = now + this.delay(addrTrickleMeanUs);
    return true;
  }

  /** A connection's queued announcements as addr messages of ≤ addrRelayMaxEntries entries each (the queue is emptied). */
  static drain(c: Conn): AddrMsgEntry[][] {
    const q = c.addrQueue;
    if (!q || q.length === 0) return [];
    c.addrQueue = undefined;
    const out: AddrMsgEntry[][] = [];
    for (let i = 0; i < q.length; i += addrRelayMaxEntries) out.push(q.slice(i, i + addrRelayMaxEntries));
    return out;
  }

  /** True when a feeler is due (and schedules the next one). */
  feelerDue(now: TimeUs): boolean {
    if (now < this.nextFeelerUs) return false;
    this.nextFeelerUs = now + this.delay(feelerIntervalMeanUs);
    return true;
  }

  /** A Poisson gap with the given mean, in whole µs, at least 1. */
  private delay(meanUs: number): number {
    return Math.max(1, Math.round(this.rng.exponential(meanUs)));
  }
}
