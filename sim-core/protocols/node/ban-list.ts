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
