import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { Address, TimerId } from '../../sans-io/protocol.ts';
import type { AppContext } from './app-context.ts';
import type { Connections } from './connections.ts';
import { JOIN_FANOUT, MAX_BOOT_PEERS, TAG_JOIN } from './constants.ts';
import type { LookupRuns } from './lookup-runs.ts';

/**
 * How a `KademliaApp` joins: its bootstrap nodes (a random rotation of the
 * list, met as their handshakes complete), the join attempts and the join
 * retry timer. Whether the peer has joined is the app's (it is a metric); the
 * app calls `attempt` and `armTimer` only while it has not.
 */
export class Join {
  private readonly all: readonly Address[];
  private readonly set: ReadonlySet<Address>;
  private order: Address[] = [];
  private cursor = 0;
  /** Bootstrap peers met (their numbers are learnt at handshake), and the addresses they were met at. */
  private peers: PeerNum[] = [];
  private readonly met = new Set<Address>();
  private isBootstrapNode = false;
  private failures = 0;
  private timer: TimerId | undefined;

  constructor(
    private readonly ctx: AppContext,
    bootstrap: readonly Address[],
    private readonly conns: Connections,
    private readonly lookups: LookupRuns,
  ) {
    this.all = bootstrap;
    this.set = new Set(bootstrap);
  }

  /** Bootstrap peers met, in order (the join's first seeds). */
  get bootPeers(): readonly PeerNum[] {
    return this.peers;
  }

  /** A (re)start: nobody met yet, and a fresh rotation of the bootstrap list (one draw from the app's stream). */
  start(): void {
    this.peers = [];
    this.met.clear();
    this.failures = 0;
    this.timer = undefined;
    const api = this.ctx.api;
    const boots = this.all.filter((a) => a !== api.address);
    const rot = boots.length > 0 ? api.rng.int(boots.length) : 0;
    this.order = boots.map((_, i) => boots[(i + rot) % boots.length]);
    this.cursor = 0;
    this.isBootstrapNode = this.set.has(api.address);
  }

  isBootstrap(addr: Address): boolean {
    return this.set.has(addr);
  }

  /** The bootstrap node at `addr` is `peer`. True the first time we meet that address. */
  meet(addr: Address, peer: PeerNum): boolean {
    const first = !this.met.has(addr);
    this.met.add(addr);
    if (!this.peers.includes(peer) && this.peers.length < MAX_BOOT_PEERS) this.peers.push(peer);
    return first;
  }

  /** Only the first few bootstrap nodes met count for a look-up after the join (a long list must not mean as many lookups). */
  get metFew(): boolean {
    return this.met.size <= JOIN_FANOUT;
  }

  /**
   * Join: a lookup of our own id seeded with the bootstrap peers met, or, if
   * none answered, peers whose addresses the peer manager learnt (a full
   * bootstrap node still hands out an address sample before it says
   * goodbye), or our table (a restart). While bootstrap dials are in flight
   * it waits for them (unless `force`: the join timer fired), so the join
   * reaches every bootstrap node that is up. With nothing to join through, it
   * dials the next bootstrap nodes. The join timer retries until joined.
   */
  attempt(now: TimeUs, force: boolean): void {
    if (this.lookups.joining) return; // running, or already waiting to start
    this.armTimer();
    if (!force && this.bootDialsPending()) return;
    const seeds = this.collectSeeds();
    if (seeds.length > 0 || this.ctx.table.size > 0) {
      this.ctx.stats.joinAttempts++;
      this.lookups.startJoin(now, seeds);
      return;
    }
    this.dialBootstraps(now, JOIN_FANOUT);
  }

  /** Sweep, once joined: a bootstrap node keeps trying to meet every other bootstrap node (one dial per sweep). */
  meetOthers(now: TimeUs): void {
    if (this.isBootstrapNode && this.met.size < this.order.length) this.dialBootstraps(now, 1);
  }

  /** Join retry: 1 s after the first attempt, then joinRetryS doubling up to the cap. */
  armTimer(): void {
    if (this.timer !== undefined) return;
    const { cfg } = this.ctx;
    const base = cfg.joinRetryUs;
    const delay = this.failures === 0 ? Math.min(base, 1_000_000) : Math.min(cfg.joinRetryCapUs, base * 2 ** Math.min(this.failures - 1, 30)); // det: integer exponent
    this.failures++;
    this.timer = this.ctx.api.setTimer(delay, TAG_JOIN);
  }

  timerFired(): void {
    this.timer = undefined;
  }

  cancelTimer(): void {
    if (this.timer === undefined) return;
    this.ctx.api.cancelTimer(this.timer);
    this.timer = undefined;
  }

  /** Bootstrap peers met, then up to k peers from the address book (servers only, deduplicated). */
  private collectSeeds(): PeerNum[] {
    const { api, shared } = this.ctx;
    const out = this.peers.slice();
    const k = this.ctx.cfg.kad.k;
    if (out.length < k) {
      for (const p of api.samplePeers(k)) {
        if (out.length >= k) break;
        if (p === api.self || out.includes(p) || shared.isClient(p) || !shared.ensureId(p)) continue;
        out.push(p);
      }
    }
    return out;
  }

  private bootDialsPending(): boolean {
    for (const [addr, d] of this.conns.dials) if (d.peer < 0 && this.set.has(addr)) return true;
    return false;
  }

  /** Dials up to `max` bootstrap addresses not met yet and not being dialled, continuing the rotation. */
  private dialBootstraps(now: TimeUs, max: number): void {
    const n = this.order.length;
    let dialed = 0;
    for (let tried = 0; tried < n && dialed < max; tried++) {
      const addr = this.order[this.cursor];
      this.cursor = (this.cursor + 1) % n;
      if (this.met.has(addr) || this.conns.dials.has(addr)) continue;
      if (!this.conns.slotFree() && !this.conns.evictIdle()) return;
      if (this.conns.dial(-1, addr, now)) dialed++;
    }
  }
}
