import type { TimeUs } from '../../engine/time.ts';
import type { Address } from '../../sans-io/protocol.ts';
import type { Conn } from './conn.ts';
import type { NodeConfig } from './config.ts';
import { INBOUND_HANDSHAKE_SLACK } from './conn.ts';

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
    return s * 2 ** (-(now - this.at.get(address)!) / this.halfLifeUs);
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

/** Why an inbound connection is turned away before its handshake, or undefined to accept it. */
export function inboundCap(conns: Iterable<Conn>, remote: Address, groupOf: (a: Address) => number, cfg: NodeConfig): string | undefined {
  const group = groupOf(remote);
  let pendingAddr = 0;
  let addr = 0;
  let grp = 0;
  for (const c of conns) {
    if (c.dir !== 'in') continue;
    const sameAddr = c.address === remote;
    const sameGroup = sameAddr || groupOf(c.address) === group;
    if (c.state === 'handshake' && sameAddr) pendingAddr++;
    if (sameAddr) addr++;
    if (sameGroup) grp++;
  }
  if (pendingAddr >= cfg.maxPendingPerAddress) return 'too many handshakes from this address';
  if (addr >= cfg.maxInboundPerAddress) return 'too many connections from this address';
  if (grp >= Math.max(1, Math.ceil(cfg.maxInboundGroupShare * (cfg.maxInbound + INBOUND_HANDSHAKE_SLACK)))) return 'too many connections from this network';
  return undefined;
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
