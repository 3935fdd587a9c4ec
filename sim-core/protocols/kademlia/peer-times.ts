import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { int32KeyHash } from '../node/int-key-map.ts';

const EMPTY = -1;

/**
 * A time per peer number (a non-negative int32), in two typed arrays with
 * linear probing: 16 B per peer at most. The Map it replaces held each time
 * as a boxed heap number (times pass 2^30 µs after 18 minutes) behind a
 * pointer, plus an entry: ~30 B per peer, 1.5 M of them in a 2,500-peer
 * Kademlia run, live on the V8 heap where they also raise the GC's slack.
 * Never iterated by its users: `retain` is the only walk, and what it keeps
 * does not depend on the order.
 */
export class PeerTimes {
  private keys = new Int32Array(16).fill(EMPTY);
  private times = new Float64Array(16);
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(peer: PeerNum): TimeUs | undefined {
    if (!isKey(peer)) return undefined;
    const i = this.find(peer);
    return this.keys[i] === peer ? this.times[i] : undefined;
  }

  set(peer: PeerNum, t: TimeUs): void {
    if (!isKey(peer)) throw new RangeError(`PeerTimes: peer must be a non-negative int32, got ${peer}`);
    // Up to 3/4 full: probe runs stay short, and the table is 1.5× its entries, not 2×.
    if ((this.count + 1) * 4 > this.keys.length * 3) this.rebuild(this.keys.length * 2, () => true);
    const i = this.find(peer);
    if (this.keys[i] === EMPTY) {
      this.keys[i] = peer;
      this.count++;
    }
    this.times[i] = t;
  }

  /** Keeps only the peers `keep` accepts (the table keeps its size). */
  retain(keep: (peer: PeerNum) => boolean): void {
    this.rebuild(this.keys.length, keep);
  }

  /** The slot holding `peer`, else the empty slot ending its probe run. */
  private find(peer: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    let i = int32KeyHash(peer) & mask;
    for (;;) {
      const k = keys[i];
      if (k === peer || k === EMPTY) return i;
      i = (i + 1) & mask;
    }
  }

  private rebuild(slots: number, keep: (peer: PeerNum) => boolean): void {
    const oldKeys = this.keys;
    const oldTimes = this.times;
    this.keys = new Int32Array(slots).fill(EMPTY);
    this.times = new Float64Array(slots);
    this.count = 0;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j];
      if (k === EMPTY || !keep(k)) continue;
      const i = this.find(k);
      this.keys[i] = k;
      this.times[i] = oldTimes[j];
      this.count++;
    }
  }
}

function isKey(peer: number): boolean {
  return peer >= 0 && peer <= 0x7fffffff && peer % 1 === 0;
}
