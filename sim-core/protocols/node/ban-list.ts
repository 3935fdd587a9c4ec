import type { TimeUs } from '../../engine/time.ts';

/**
 * Bans until a time, by address or by peer id, bounded: an attacker can
 * mint ids and addresses faster than bans expire, so past `capacity` the
 * earliest-inserted ban goes (insertion order: deterministic).
 */
export class BanList<K> {
  private readonly until = new Map<K, TimeUs>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.until.size;
  }

  set(key: K, untilUs: TimeUs): void {
    this.until.delete(key);
    if (this.until.size >= this.capacity) this.until.delete(this.until.keys().next().value as K);
    this.until.set(key, untilUs);
  }

  has(key: K, now: TimeUs): boolean {
    const u = this.until.get(key);
    return u !== undefined && u > now;
  }
}

/**
 * The bans an address book keeps (by address, and by peer id once the id
 * was proven), each list bounded by the book's capacity: the part of the
 * Book interface both books share, so they extend it.
 */
export class BookBans {
  private readonly bans: BanList<number>;
  private readonly peerBans: BanList<number>;

  constructor(capacity: number) {
    this.bans = new BanList(capacity);
    this.peerBans = new BanList(capacity);
  }

  ban(address: number, peer: number | undefined, untilUs: TimeUs): void {
    this.bans.set(address, untilUs);
    if (peer !== undefined) this.peerBans.set(peer, untilUs);
  }

  isBanned(address: number, now: TimeUs): boolean {
    return this.bans.has(address, now);
  }

  isPeerBanned(peer: number, now: TimeUs): boolean {
    return this.peerBans.has(peer, now);
  }
}
