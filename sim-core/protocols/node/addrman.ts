import { PickStamp } from './pick-stamp.ts';
import type { Rng } from '../../engine/rng.ts';
import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { Address } from '../../sans-io/protocol.ts';
import { MAX_PROBES, type AddrEntry, type AddrSource, type Book, type SampleVisit } from './address-book.ts';
import { backoffUs } from './backoff.ts';
import { AddrStore, GroupCounts, SRC_BOOTSTRAP } from './addr-store.ts';
import { BookBans } from './ban-list.ts';
import type { NodeConfig } from './config.ts';

/**
 * Candidate new buckets per address (within its source's buckets): the
 * emptiest takes it. One hashed bucket, as in Bitcoin Core, loses ~15% of
 * 600 honest addresses (six sources) to collisions in a 1,024-slot table;
 * eight choices lose < 1% (the "power of d choices").
 */
const NEW_CHOICES = 8;

/** Tried buckets one network group can reach (Bitcoin Core: 8 of 256). */
const TRIED_BUCKETS_PER_GROUP = 8;

/** Keyed 32-bit mix (a deployment would use SipHash with a secret key, as Bitcoin Core's addrman does). */
export function mix(key: number, a: number, b: number): number {
  let h = key ^ Math.imul(a | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h ^= Math.imul((b + 0x7f4a7c15) | 0, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** One table of fixed buckets: slot → address (-1 empty), a count per bucket, and the non-empty buckets for uniform picks. */
class Table {
  readonly slots: Int32Array;
  readonly count: Int32Array;
  private readonly live: number[] = [];
  private readonly livePos: Int32Array;
  size = 0;

  constructor(
    readonly buckets: number,
    readonly bucketSize: number,
  ) {
    this.slots = new Int32Array(buckets * bucketSize).fill(-1);
    this.count = new Int32Array(buckets);
    this.livePos = new Int32Array(buckets).fill(-1);
  }

  put(slot: number, address: Address): void {
    this.slots[slot] = address;
    const b = (slot / this.bucketSize) | 0;
    if (this.count[b]++ === 0) {
      this.livePos[b] = this.live.length;
      this.live.push(b);
    }
    this.size++;
  }

  clear(slot: number): void {
    this.slots[slot] = -1;
    const b = (slot / this.bucketSize) | 0;
    if (--this.count[b] === 0) {
      const i = this.livePos[b];
      const last = this.live.pop()!;
      if (last !== b) {
        this.live[i] = last;
        this.livePos[last] = i;
      }
      this.livePos[b] = -1;
    }
    this.size--;
  }

  freeSlot(bucket: number): number {
    const base = bucket * this.bucketSize;
    for (let i = 0; i < this.bucketSize; i++) if (this.slots[base + i] < 0) return base + i;
    return -1;
  }

  /** A uniformly chosen non-empty bucket, then a uniformly chosen entry in it. */
  pick(rng: Rng): Address {
    const b = this.live[rng.int(this.live.length)];
    let k = rng.int(this.count[b]);
    const base = b * this.bucketSize;
    for (let i = 0; i < this.bucketSize; i++) if (this.slots[base + i] >= 0 && k-- === 0) return this.slots[base + i];
    return -1;
  }
}

/**
 * An address book shaped like Bitcoin Core's addrman: a `new` table of
 * addresses heard of and a `tried` table of addresses we dialled and
 * completed a handshake with, each of fixed buckets. A new address goes to a
 * bucket chosen by a keyed hash of (who told us, its group) among the few
 * buckets its source may reach, so one source can fill only a slice of the
 * table; tried buckets are keyed by the address, and gossip never touches
 * them. A full new bucket evicts from its most represented source (its
 * worst entry: most failures, then least recently seen), the newcomer's own
 * source winning ties — so a flood that came first churns among itself and
 * a later honest address still gets in: unlike the seed's eviction, it
 * cannot freeze the table. Dial candidates come from both tables evenly, by
 * a uniform bucket then a uniform entry, so a source's share of candidates
 * is bounded by its share of buckets.
 */
export class AddrMan extends BookBans implements Book {
  private readonly store: AddrStore;
  private readonly tables: [Table, Table];
  private readonly k0: number;
  private readonly k1: number;
  private readonly perSource: number;
  private bootstraps = 0;
  /** sample()'s draws so far, by entry index. */
  private readonly picked = new PickStamp();
  /** Scratch: candidate buckets, and entries per source in one bucket. */
  private readonly cand = new Int32Array(NEW_CHOICES);
  /** New-table entries per source group (only groups that have some). */
  private readonly srcCount = new GroupCounts();

  constructor(
    private readonly cfg: NodeConfig,
    private readonly rng: Rng,
    private readonly self: Address,
    /** Network group of an address (its AS where the underlay knows one, else the address). */
    private readonly groupOf: (a: Address) => number = (a) => a,
  ) {
    super(cfg.addrBookCapacity);
    const size = cfg.addrBucketSize;
    const newBuckets = Math.max(1, Math.ceil(cfg.addrBookCapacity / size));
    this.tables = [new Table(newBuckets, size), new Table(Math.max(1, Math.ceil(newBuckets / 4)), size)];
    this.store = new AddrStore(this.tables[0].slots.length + this.tables[1].slots.length);
    this.perSource = Math.max(1, Math.min(newBuckets, cfg.addrBucketsPerSource));
    this.k0 = rng.uint32();
    this.k1 = rng.uint32();
  }

  get size(): number {
    return this.store.size;
  }

  /** Entries in the new and tried tables. */
  get counts(): { new: number; tried: number } {
    return { new: this.tables[0].size, tried: this.tables[1].size };
  }

  get(address: Address): AddrEntry | undefined {
    const i = this.store.find(address);
    return i < 0 ? undefined : this.store.entry(i);
  }

  /** Which table holds an address (for tests and reports). */
  tableOf(address: Address): 'new' | 'tried' | undefined {
    const i = this.store.find(address);
    return i < 0 ? undefined : this.store.table[i] === 0 ? 'new' : 'tried';
  }

  add(address: Address, peer: PeerNum | undefined, source: AddrSource, now: TimeUs, from?: Address): boolean {
    if (address === this.self || !(address >= 0) || address > 0x7fffffff) return false;
    const st = this.store;
    const known = st.find(address);
    if (known >= 0) {
      // Gossip may name the peer of an address we only heard of, never rebind one a handshake proved.
      if (peer !== undefined && (st.verified[known] === 0 || source === 'inbound' || source === 'app')) st.peer[known] = peer;
      if (source === 'bootstrap' && st.source[known] !== SRC_BOOTSTRAP) {
        st.setSource(known, 'bootstrap');
        this.bootstraps++;
      }
      st.lastSeenUs[known] = Math.max(st.lastSeenUs[known], now);
      return true;
    }
    const srcGroup = this.groupOf(source === 'addr' && from !== undefined ? from : address);
    const slot = this.newSlot(address, srcGroup);
    if (slot < 0) return false;
    const e = st.push(address, peer, source, now, srcGroup);
    this.place(e, 0, slot);
    if (source === 'bootstrap') this.bootstraps++;
    return true;
  }

  dialFailed(address: Address, now: TimeUs): void {
    const st = this.store;
    const e = st.find(address);
    if (e < 0) return;
    const failures = ++st.failures[e];
    if (failures >= this.cfg.maxDialFailures && st.source[e] !== SRC_BOOTSTRAP) return this.remove(e);
    st.nextDialUs[e] = now + backoffUs(failures, this.cfg.backoffBaseUs, this.cfg.backoffCapUs, this.cfg.backoffJitter, this.rng);
  }

  disconnected(address: Address, now: TimeUs): void {
    const st = this.store;
    const e = st.find(address);
    if (e < 0) return;
    st.nextDialUs[e] = now + backoffUs(Math.max(1, st.failures[e]), this.cfg.backoffBaseUs, this.cfg.backoffCapUs, this.cfg.backoffJitter, this.rng);
  }

  connected(address: Address, peer: PeerNum | undefined, now: TimeUs, outbound = false): void {
    const st = this.store;
    const e = st.find(address);
    if (e < 0) return;
    st.failures[e] = 0;
    st.lastSeenUs[e] = now;
    if (peer !== undefined) {
      st.peer[e] = peer;
      st.verified[e] = 1;
    }
    if (outbound && st.table[e] === 0) this.promote(e);
  }

  dialCandidates(now: TimeUs, count: number, skip: (a: Address) => boolean): Address[] {
    const out: Address[] = [];
    const st = this.store;
    const onlyBootstrap = st.size <= this.bootstraps;
    const [fresh, tried] = this.tables;
    for (let p = 0; p < MAX_PROBES && out.length < count && st.size > 0; p++) {
      const t = tried.size > 0 && (fresh.size === 0 || this.rng.int(2) === 0) ? tried : fresh;
      const e = st.find(t.pick(this.rng));
      if (e < 0) continue;
      const a = st.addr[e];
      if (st.nextDialUs[e] > now || this.isBanned(a, now) || skip(a) || out.includes(a)) continue;
      if (!onlyBootstrap && st.source[e] === SRC_BOOTSTRAP && st.failures[e] > 0) continue;
      out.push(a);
    }
    return out;
  }

  /** A `new`-table address to test with a feeler: ready to dial, not banned, not a bootstrap node, not rejected by `skip`. */
  feelerCandidate(now: TimeUs, skip: (e: AddrEntry) => boolean): Address | undefined {
    const fresh = this.tables[0];
    const st = this.store;
    for (let p = 0; p < MAX_PROBES && fresh.size > 0; p++) {
      const e = st.find(fresh.pick(this.rng));
      if (e < 0 || st.source[e] === SRC_BOOTSTRAP || st.nextDialUs[e] > now || this.isBanned(st.addr[e], now) || skip(st.entry(e))) continue;
      return st.addr[e];
    }
    return undefined;
  }

  sample(now: TimeUs, count: number, visit: SampleVisit): void {
    const picked = this.picked;
    const st = this.store;
    picked.begin(st.size);
    let n = 0;
    for (let p = 0; p < count * 3 && n < count && st.size > 0; p++) {
      const e = this.rng.int(st.size);
      if (picked.has(e) || this.isBanned(st.addr[e], now)) continue;
      picked.mark(e);
      n++;
      visit(st.addr[e], st.peerOf(e), st.lastSeenUs[e]);
    }
  }

  /**
   * A slot in the new table for an address from `srcGroup`, or -1 to drop
   * it: the least loaded of its NEW_CHOICES candidate buckets (all among the
   * source's buckets); when every candidate is full, the candidate whose most
   * represented source holds the most entries gives up that source's worst.
   */
  private newSlot(address: Address, srcGroup: number): number {
    const t = this.tables[0];
    const g = this.groupOf(address);
    const cand = this.cand;
    let best = -1;
    for (let i = 0; i < NEW_CHOICES; i++) {
      const b = (cand[i] = mix(this.k1, srcGroup, mix(this.k0 + i, g, srcGroup) % this.perSource) % t.buckets);
      if (best < 0 || t.count[b] < t.count[best]) best = b;
    }
    const free = t.freeSlot(best);
    if (free >= 0) return free;
    let victim = -1;
    let weight = 0;
    for (let i = 0; i < NEW_CHOICES; i++) {
      const v = this.evictionVictim(t, cand[i], srcGroup);
      if (v >= 0 && this.victimWeight > weight) [victim, weight] = [v, this.victimWeight];
    }
    if (victim < 0) return -1;
    const slot = this.store.slot[victim];
    this.remove(victim);
    return slot;
  }

  /** Set by evictionVictim: the count of the source it chose. */
  private victimWeight = 0;

  /**
   * The worst entry (most failures, then least recently seen) of the source
   * present in the bucket that holds the most new-table entries overall
   * (the newcomer's counted, and winning ties), with that count in
   * `victimWeight`; -1 if none (bootstrap entries stay). Counting over the
   * whole table, not the bucket, is what makes a flood evict itself: its
   * source always holds the most.
   */
  private evictionVictim(t: Table, b: number, srcGroup: number): number {
    const st = this.store;
    const base = b * t.bucketSize;
    let most = srcGroup;
    let mostCount = this.srcCount.get(srcGroup) + 1;
    for (let i = 0; i < t.bucketSize; i++) {
      const g = st.srcGroup[st.find(t.slots[base + i])];
      const n = this.srcCount.get(g);
      if (n > mostCount) [most, mostCount] = [g, n];
    }
    let worst = -1;
    for (let i = 0; i < t.bucketSize; i++) {
      const e = st.find(t.slots[base + i]);
      if (st.srcGroup[e] !== most || st.source[e] === SRC_BOOTSTRAP) continue;
      if (worst < 0 || st.failures[e] > st.failures[worst] || (st.failures[e] === st.failures[worst] && st.lastSeenUs[e] < st.lastSeenUs[worst])) worst = e;
    }
    this.victimWeight = mostCount;
    return worst;
  }

  /** Places an entry in a table slot, keeping the new table's per-source counts. */
  private place(e: number, table: 0 | 1, slot: number): void {
    const st = this.store;
    st.table[e] = table;
    st.slot[e] = slot;
    this.tables[table].put(slot, st.addr[e]);
    if (table === 0) this.srcCount.add(st.srcGroup[e], 1);
  }

  /** Empties an entry's slot. */
  private unplace(e: number): void {
    const st = this.store;
    this.tables[st.table[e]].clear(st.slot[e]);
    if (st.table[e] !== 0) return;
    this.srcCount.add(st.srcGroup[e], -1);
  }

  /** New → tried; a full tried bucket sends its least recently seen entry back to the new table. */
  private promote(e: number): void {
    const st = this.store;
    const t = this.tables[1];
    const address = st.addr[e];
    const b = mix(this.k0, this.groupOf(address), mix(this.k1, address, 1) % TRIED_BUCKETS_PER_GROUP) % t.buckets;
    let slot = t.freeSlot(b);
    let demoted = -1;
    if (slot < 0) {
      const base = b * t.bucketSize;
      for (let i = 0; i < t.bucketSize; i++) {
        const x = st.find(t.slots[base + i]);
        if (demoted < 0 || st.lastSeenUs[x] < st.lastSeenUs[demoted]) demoted = x;
      }
      slot = st.slot[demoted];
      this.unplace(demoted);
    }
    this.unplace(e);
    this.place(e, 1, slot);
    if (demoted >= 0) {
      st.slot[demoted] = -1;
      const demotedAddr = st.addr[demoted];
      const back = this.newSlot(demotedAddr, st.srcGroup[demoted]);
      // newSlot may have evicted an entry, which renumbers the last one: find it again.
      demoted = st.find(demotedAddr);
      if (back < 0) return this.dropKey(demoted);
      this.place(demoted, 0, back);
    }
  }

  private remove(e: number): void {
    this.unplace(e);
    this.dropKey(e);
  }

  /** Forgets an entry already out of its table. */
  private dropKey(e: number): void {
    if (this.store.source[e] === SRC_BOOTSTRAP) this.bootstraps--;
    this.store.remove(e);
  }
}
