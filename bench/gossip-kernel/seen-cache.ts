import type { TimeUs } from '../../sim-core/engine/time.ts';

/** Slots probed per lookup: a group of 4 (key, expiry) pairs, 64 bytes, about one cache line. */
const PROBES = 4;

/**
 * The seed's anti-spam buffer (the simulator used it until link events were
 * interned: sim-core/protocols/globalmap/event-table.ts; kept here as the
 * reference model's dedupe): hashes of recent messages, each remembered
 * for a time window, in a fixed-size table of (key, expiry) pairs in one
 * typed array (no allocation per message, one cache line per lookup — with
 * thousands of peers, each lookup is a cache miss, so that is what counts).
 * When a group is full of live keys, the one closest to expiry is
 * overwritten: a very busy peer may forget a hash early, and the map's
 * last-writer-wins check then still recognises the event as old news.
 */
export class SeenCache {
  private readonly table: Float64Array;
  private readonly groupMask: number;
  private live = 0;

  constructor(
    private readonly windowUs: number,
    capacity: number,
  ) {
    let n = 16;
    while (n < capacity) n *= 2;
    this.table = new Float64Array(n * 2);
    this.groupMask = n / PROBES - 1;
  }

  /** Keys inserted (an upper bound on those still remembered). */
  get size(): number {
    return this.live;
  }

  /** True if `key` was seen within the window; records it otherwise. */
  checkAndAdd(key: number, now: number): boolean {
    const t = this.table;
    const base = (slotOf(key) & this.groupMask) * PROBES * 2;
    let victim = base;
    let victimExpiry = Number.POSITIVE_INFINITY;
    for (let i = base; i < base + PROBES * 2; i += 2) {
      const exp = t[i + 1];
      if (exp > now && t[i] === key) return true;
      if (exp < victimExpiry) {
        victim = i;
        victimExpiry = exp;
      }
    }
    t[victim] = key;
    t[victim + 1] = now + this.windowUs;
    this.live++;
    return false;
  }
}

function slotOf(key: number): number {
  let h = (key % 4294967296) ^ Math.imul((key / 4294967296) | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}
