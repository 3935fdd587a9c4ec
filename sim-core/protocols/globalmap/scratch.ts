import type { PeerNum } from '../../wire/ids.ts';

/**
 * Work arrays for graph walks over a map (BFS, overlap counts), indexed by
 * peer number. Shared by every app of one simulation — the simulation is
 * single-threaded and no walk spans two events — so 2,500 peers do not each
 * carry arrays the size of the network. `stamp` with a generation counter
 * makes "clear" O(1).
 */
export class GraphScratch {
  stamp = new Uint32Array(0);
  gen = 0;
  prev = new Int32Array(0);
  depth = new Uint8Array(0);
  queue = new Int32Array(0);
  count = new Uint16Array(0);
  countStamp = new Uint32Array(0);
  /** A peer's confirmed neighbours (confirmedNeighboursInto writes them here; never shortened). */
  readonly neighbours: PeerNum[] = [];

  /** Starts a walk over peers numbered below `n`; returns the generation to compare stamps with. */
  begin(n: number): number {
    if (this.stamp.length < n) this.grow(n);
    this.gen = (this.gen + 1) >>> 0;
    if (this.gen === 0) {
      this.stamp.fill(0);
      this.countStamp.fill(0);
      this.gen = 1;
    }
    return this.gen;
  }

  /** count[p] for this generation (0 if untouched). */
  countOf(p: PeerNum): number {
    return p < this.count.length && this.countStamp[p] === this.gen ? this.count[p] : 0;
  }

  bump(p: PeerNum, by = 1): void {
    if (this.countStamp[p] !== this.gen) {
      this.countStamp[p] = this.gen;
      this.count[p] = 0;
    }
    this.count[p] += by;
  }

  private grow(n: number): void {
    let m = Math.max(1024, this.stamp.length);
    while (m < n) m *= 2;
    this.stamp = new Uint32Array(m);
    this.prev = new Int32Array(m);
    this.depth = new Uint8Array(m);
    this.queue = new Int32Array(m);
    this.count = new Uint16Array(m);
    this.countStamp = new Uint32Array(m);
    this.gen = 0;
  }
}
