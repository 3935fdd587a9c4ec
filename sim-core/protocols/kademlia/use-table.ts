import type { TimeUs } from '../../engine/time.ts';
import { growF64, growI32, growU8 } from '../../engine/typed-grow.ts';
import type { PeerNum } from '../../wire/ids.ts';
import { PeerRows } from '../node/peer-rows.ts';

/**
 * Per (Kademlia peer, connected peer): when they last exchanged a Kademlia
 * message, the requests in flight on the connection, when it came up and
 * whether we dialled it — for every app of a simulation, as columns of
 * shared typed arrays found through PeerRows. Every Kademlia message reads
 * it; an object per connection in a map per app cost a header and an
 * object line more each time.
 */
export class UseTable {
  private readonly rows = new PeerRows();
  lastUsedUs = new Float64Array(64);
  upUs = new Float64Array(64);
  inUse = new Int32Array(64);
  /** 1 if we dialled the connection. */
  out = new Uint8Array(64);
  private readonly free: number[] = [];
  private used = 0;

  /** The record of (self, peer), or -1. */
  find(self: PeerNum, peer: PeerNum): number {
    return this.rows.get(self, peer);
  }

  /** (self, peer) is connected now: a fresh record (replacing any). */
  up(self: PeerNum, peer: PeerNum, now: TimeUs, out: boolean): void {
    let i = this.rows.get(self, peer);
    if (i < 0) {
      i = this.free.length > 0 ? this.free.pop()! : this.grow();
      this.rows.set(self, peer, i);
    }
    this.lastUsedUs[i] = now;
    this.upUs[i] = now;
    this.inUse[i] = 0;
    this.out[i] = out ? 1 : 0;
  }

  /** Forgets (self, peer)'s record and returns it (-1: none); its columns stay readable until the next `up`. */
  remove(self: PeerNum, peer: PeerNum): number {
    const i = this.rows.get(self, peer);
    if (i < 0) return -1;
    this.rows.delete(self, peer);
    this.free.push(i);
    return i;
  }

  /** Forgets every record of `self` (its sockets died with a restart). */
  clear(self: PeerNum): void {
    this.rows.clearOwner(self, (i) => this.free.push(i));
  }

  /** A new record index (bounded by the connections open at once, like the rows). */
  private grow(): number {
    if (this.used === this.inUse.length) {
      const n = this.inUse.length * 2;
      this.lastUsedUs = growF64(this.lastUsedUs, n);
      this.upUs = growF64(this.upUs, n);
      this.inUse = growI32(this.inUse, n);
      this.out = growU8(this.out, n);
    }
    return this.used++;
  }
}
