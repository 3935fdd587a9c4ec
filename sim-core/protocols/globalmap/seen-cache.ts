import type { TimeUs } from '../../engine/time.ts';

/** Slots probed per lookup: a key lives in one of these. */
const PROBES = 4;

/**
 * The seed's anti-spam buffer: hashes of recent messages, each remembered
 * for a time window, in a fixed-size open-addressing table over typed arrays
 * (no allocation per message). When all probed slots hold live keys, the one
 * closest to expiry is overwritten, so a very busy peer may forget a hash
 * early — the map's last-writer-wins check then still recognises the event
 * as old news, so nothing is forwarded twice.
 */
export class SeenCache {
  private readonly keys: Float64Array;
  private readonly expiry: Float64Array;
  private readonly mask: number;
  private live = 0;

  constructor(
    private readonly windowUs: number,
    capacity: number,
  ) {
    let n = 16;
    while (n < capacity) n *= 2;
    this.keys = new Float64Array(n);
    this.expiry = new Float64Array(n);
    this.mask = n - 1;
  }

  /** Keys inserted (an upper bound on those still remembered). */
  get size(): number {
    return this.live;
  }

  /** True if `key` was seen within the window; records it otherwise. */
  checkAndAdd(key: number, now: number): boolean {
    const keys = this.keys;
    const expiry = this.expiry;
    const base = slotOf(key);
    let victim = -1;
    let victimExpiry = Number.POSITIVE_INFINITY;
    for (let p = 0; p < PROBES; p++) {
      const i = (base + p) & this.mask;
      const exp = expiry[i];
      if (exp > now && keys[i] === key) return true;
      if (exp < victimExpiry) {
        victim = i;
        victimExpiry = exp;
      }
    }
    keys[victim] = key;
    expiry[victim] = now + this.windowUs;
    this.live++;
    return false;
  }
}

function slotOf(key: number): number {
  let h = (key % 4294967296) ^ Math.imul((key / 4294967296) | 0, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/** A 53-bit hash of a link event, the dedupe key. */
export function eventKey(origin: number, peer: number, flags: number, timestampUs: number): number {
  let h1 = Math.imul(origin ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(peer ^ 0x7f4a7c15, 0xc2b2ae35);
  h1 ^= Math.imul((timestampUs | 0) ^ (flags << 28), 0x27d4eb2f);
  h1 ^= h1 >>> 15;
  let h2 = Math.imul(((timestampUs / 4294967296) | 0) ^ peer, 0x165667b1) ^ Math.imul(origin + flags, 0x9e3779b1);
  h2 ^= h2 >>> 13;
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
}
