import type { TimeUs } from '../../engine/time.ts';
import type { Address } from '../../sans-io/protocol.ts';
import type { Conn } from './conn.ts';
import type { NodeConfig } from './config.ts';
import { INBOUND_HANDSHAKE_SLACK } from './conn.ts';
import { GroupCounts } from './addr-store.ts';
import { detPow } from '../../engine/det-math.ts';

/**
 * Misbehaviour scores per address that halve every `halfLifeUs` (0: never),
 * so a peer charged for transient trouble recovers while one that keeps
 * offending still crosses the ban threshold. Bounded: past `capacity` the
 * oldest-charged address is forgotten.
 */
export class BanScores {
  private readonly scores = new Map<Address, number>();
  private readonly at = new Map<Address, TimeUs>();

  constructor(
    private readonly halfLifeUs: number,
    private readonly capacity: number,
  ) {}

  /** The score now (decayed since it was last charged). */
  score(address: Address, now: TimeUs): number {
    const s = this.scores.get(address);
    if (s === undefined) return 0;
    if (this.halfLifeUs <= 0) return s;
    return s * detPow(2, -(now - this.at.get(address)!) / this.halfLifeUs);
  }

  /** Adds `points`; returns the new score. */
  charge(address: Address, points: number, now: TimeUs): number {
    const score = this.score(address, now) + points;
    this.scores.delete(address);
    this.at.delete(address);
    if (this.scores.size >= this.capacity) {
      const oldest = this.scores.keys().next().value as Address;
      this.scores.delete(oldest);
      this.at.delete(oldest);
    }
    this.scores.set(address, score);
    this.at.set(address, now);
    return score;
  }

  delete(address: Address): void {
    this.scores.delete(address);
    this.at.delete(address);
  }

  /** Scores as last charged (not decayed): for reports. */
  view(): ReadonlyMap<Address, number> {
    return this.scores;
  }
}

/**
 * A node's inbound connections counted by address, by network group, and
 * still handshaking by address: what decides whether the next one is turned
 * away before its handshake (`cap`). Counts kept as connections come and go,
 * not a walk over every connection at each accept (a cache miss each, and
 * Kademlia accepts one connection per RPC). A group that is NaN matches
 * nothing but its own address.
 */
export class InboundTally {
  private readonly byAddr = new GroupCounts();
  private readonly handshaking = new GroupCounts();
  private readonly byGroup = new GroupCounts();

  constructor(private readonly groupOf: (a: Address) => number) {}

  /** An inbound connection from `address`, handshaking. */
  add(address: Address): void {
    this.byAddr.add(address, 1);
    this.handshaking.add(address, 1);
    const g = this.groupOf(address);
    if (g === g) this.byGroup.add(g, 1);
  }

  /** Its handshake ended (the connection stays). */
  handshakeOver(address: Address): void {
    this.handshaking.add(address, -1);
  }

  /** It is gone; `handshaking` if it went before its handshake ended. */
  remove(address: Address, handshaking: boolean): void {
    this.byAddr.add(address, -1);
    if (handshaking) this.handshaking.add(address, -1);
    const g = this.groupOf(address);
    if (g === g) this.byGroup.add(g, -1);
  }

  /** Why an inbound connection from `remote` is turned away before its handshake, or undefined to accept it. */
  cap(remote: Address, cfg: NodeConfig): string | undefined {
    const g = this.groupOf(remote);
    if (this.handshaking.get(remote) >= cfg.maxPendingPerAddress) return 'too many handshakes from this address';
    if (this.byAddr.get(remote) >= cfg.maxInboundPerAddress) return 'too many connections from this address';
    const grp = g === g ? this.byGroup.get(g) : this.byAddr.get(remote);
    if (grp >= Math.max(1, Math.ceil(cfg.maxInboundGroupShare * (cfg.maxInbound + INBOUND_HANDSHAKE_SLACK)))) return 'too many connections from this network';
    return undefined;
  }
}

/**
 * Anchors (Bitcoin Core's anchors.dat): the addresses of the longest-lived
 * outbound links, at most `count`, refreshed as links age; after a restart
 * they are dialled before anything the address book suggests, so an
 * attacker who fills the book while we are down does not pick all our
 * first links.
 */
/** Anchors are refreshed at most this often: a restart loses at most this much of their history, a tick stays cheap. */
const ANCHOR_REFRESH_US = 10_000_000;

export class Anchors {
  private list: Address[] = [];
  private nextUs = 0;

  constructor(
    private readonly count: number,
    private readonly minAgeUs: number,
  ) {}

  get addresses(): readonly Address[] {
    return this.list;
  }

  /** Keeps anchors whose link is still up, then adds the oldest other outbound links old enough. */
  update(conns: Iterable<Conn>, now: TimeUs): void {
    if (this.count <= 0 || now < this.nextUs) return;
    this.nextUs = now + ANCHOR_REFRESH_US;
    const up: Conn[] = [];
    for (const c of conns) if (c.dir === 'out' && c.state === 'up' && now - c.upSinceUs >= this.minAgeUs) up.push(c);
    const live = new Set(up.map((c) => c.address));
    const kept = this.list.filter((a) => live.has(a));
    up.sort((a, b) => a.upSinceUs - b.upSinceUs || a.address - b.address);
    for (const c of up) {
      if (kept.length >= this.count) break;
      if (!kept.includes(c.address)) kept.push(c.address);
    }
    this.list = kept;
  }
}
