import { PickStamp } from './pick-stamp.ts';
import type { Rng } from '../../engine/rng.ts';
import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { Address } from '../../sans-io/protocol.ts';
import { backoffUs } from './backoff.ts';
import { BookBans } from './ban-list.ts';
import type { NodeConfig } from './config.ts';

export type AddrSource = 'bootstrap' | 'addr' | 'inbound' | 'app' | 'lan';

export interface AddrEntry {
  readonly address: Address;
  peer: PeerNum | undefined;
  source: AddrSource;
  lastSeenUs: TimeUs;
  failures: number;
  /** Not dialled before this time (backoff). */
  nextDialUs: TimeUs;
}

/** Random probes per candidate search: bounds the work of a dial round whatever the book's size. */
export const MAX_PROBES = 64;

/** One entry of a sample: its address, peer id if known, and when it was last seen. */
export type SampleVisit = (address: Address, peer: PeerNum | undefined, lastSeenUs: TimeUs) => void;

/** What the peer manager needs of an address book (the seed's list, or AddrMan's buckets). */
export interface Book {
  readonly size: number;
  get(address: Address): AddrEntry | undefined;
  /**
   * Records an address (or refreshes it); `from`: who told us (an `addr`
   * sender), for source-grouped books. True if the book holds it after the
   * call (no entry object: addr gossip calls this for every entry it hears).
   */
  add(address: Address, peer: PeerNum | undefined, source: AddrSource, now: TimeUs, from?: Address): boolean;
  dialFailed(address: Address, now: TimeUs): void;
  disconnected(address: Address, now: TimeUs): void;
  /** A handshake succeeded at the address; `outbound`: we dialled it (only that proves it is dialable). */
  connected(address: Address, peer: PeerNum | undefined, now: TimeUs, outbound?: boolean): void;
  ban(address: Address, peer: PeerNum | undefined, untilUs: TimeUs): void;
  isBanned(address: Address, now: TimeUs): boolean;
  isPeerBanned(peer: PeerNum, now: TimeUs): boolean;
  dialCandidates(now: TimeUs, count: number, skip: (a: Address) => boolean): Address[];
  /**
   * Up to `count` distinct unbanned entries at random (for `addr` answers),
   * each handed to `visit` as it is drawn: no array and no entry object per
   * answer (AddrMan keeps its entries in typed arrays).
   */
  sample(now: TimeUs, count: number, visit: SampleVisit): void;
  /** An address heard of but never proven, for a feeler (books without a `new` table have none). */
  feelerCandidate?(now: TimeUs, skip: (e: AddrEntry) => boolean): Address | undefined;
}

/**
 * Known addresses of other peers (seed 000's table of peers), bounded: when
 * full, the entry at the front of the key array that is not a bootstrap node
 * goes. Keys are kept in an array too, so random sampling is O(1) and
 * deterministic. Kept as the seed had it (`addrBook.kind: seed`): removal
 * swaps the last key into the hole, so once full the front slot holds the
 * entry just added and a flood evicts only newcomers (see AddrMan).
 */
export class AddressBook extends BookBans implements Book {
  private readonly entries = new Map<Address, AddrEntry>();
  private readonly keys: Address[] = [];
  /** sample()'s draws so far, by key index. */
  private readonly picked = new PickStamp();

  constructor(
    private readonly cfg: NodeConfig,
    private readonly rng: Rng,
    private readonly self: Address,
  ) {
    super(cfg.addrBookCapacity);
  }

  get size(): number {
    return this.entries.size;
  }

  get(address: Address): AddrEntry | undefined {
    return this.entries.get(address);
  }

  /** Records an address (or refreshes it); false for our own address or a malformed one. */
  add(address: Address, peer: PeerNum | undefined, source: AddrSource, now: TimeUs): boolean {
    if (address === this.self || !(address >= 0)) return false;
    const known = this.entries.get(address);
    if (known) {
      if (peer !== undefined) known.peer = peer;
      if (source === 'bootstrap') known.source = 'bootstrap';
      known.lastSeenUs = Math.max(known.lastSeenUs, now);
      return true;
    }
    if (this.entries.size >= this.cfg.addrBookCapacity) this.evictOne();
    const entry: AddrEntry = { address, peer, source, lastSeenUs: now, failures: 0, nextDialUs: 0 };
    this.entries.set(address, entry);
    this.keys.push(address);
    return true;
  }

  dialFailed(address: Address, now: TimeUs): void {
    const e = this.entries.get(address);
    if (!e) return;
    e.failures++;
    if (e.failures >= this.cfg.maxDialFailures && e.source !== 'bootstrap') {
      this.remove(address);
      return;
    }
    e.nextDialUs = now + backoffUs(e.failures, this.cfg.backoffBaseUs, this.cfg.backoffCapUs, this.cfg.backoffJitter, this.rng);
  }

  /** A connection to the address was lost: wait one backoff step before dialling it again. */
  disconnected(address: Address, now: TimeUs): void {
    const e = this.entries.get(address);
    if (!e) return;
    e.nextDialUs = now + backoffUs(Math.max(1, e.failures), this.cfg.backoffBaseUs, this.cfg.backoffCapUs, this.cfg.backoffJitter, this.rng);
  }

  connected(address: Address, peer: PeerNum | undefined, now: TimeUs): void {
    const e = this.entries.get(address);
    if (!e) return;
    e.failures = 0;
    e.lastSeenUs = now;
    if (peer !== undefined) e.peer = peer;
  }

  /**
   * Up to `count` addresses ready to dial (not banned, backoff elapsed, not
   * rejected by `skip`), by random probes; bootstrap addresses only while we
   * know nobody else (they are busy: do not lean on them).
   */
  dialCandidates(now: TimeUs, count: number, skip: (a: Address) => boolean): Address[] {
    const out: Address[] = [];
    const onlyBootstrap = this.entries.size <= this.bootstrapCount();
    const ok = (e: AddrEntry) =>
      e.nextDialUs <= now && !this.isBanned(e.address, now) && !skip(e.address) && !out.includes(e.address) && (onlyBootstrap || e.source !== 'bootstrap' || e.failures === 0);
    for (let p = 0; p < MAX_PROBES && out.length < count && this.keys.length > 0; p++) {
      const e = this.entries.get(this.keys[this.rng.int(this.keys.length)])!;
      if (ok(e)) out.push(e.address);
    }
    return out;
  }

  sample(now: TimeUs, count: number, visit: SampleVisit): void {
    const picked = this.picked;
    picked.begin(this.keys.length);
    let n = 0;
    for (let p = 0; p < count * 3 && n < count && this.keys.length > 0; p++) {
      const k = this.rng.int(this.keys.length);
      const e = this.entries.get(this.keys[k])!;
      if (picked.has(k) || this.isBanned(e.address, now)) continue;
      picked.mark(k);
      n++;
      visit(e.address, e.peer, e.lastSeenUs);
    }
  }

  private bootstrapCount(): number {
    let n = 0;
    for (let i = 0; i < this.keys.length && i < MAX_PROBES; i++) if (this.entries.get(this.keys[i])!.source === 'bootstrap') n++;
    return n;
  }

  private evictOne(): void {
    for (let i = 0; i < this.keys.length; i++) {
      const e = this.entries.get(this.keys[i])!;
      if (e.source !== 'bootstrap') {
        this.remove(e.address);
        return;
      }
    }
  }

  private remove(address: Address): void {
    if (!this.entries.delete(address)) return;
    const i = this.keys.indexOf(address);
    // Swap-remove keeps removal O(1) after the search; order of keys only matters for sampling.
    this.keys[i] = this.keys[this.keys.length - 1];
    this.keys.pop();
  }
}
