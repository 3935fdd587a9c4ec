/**
 * "Picked already in this draw?" by index, for samplers: a generation stamp
 * per index. A reused Set would do the same, but Set.clear() allocates a
 * fresh table each time, and the last one of each draw outlives the young
 * generation: at 2,500 peers that was two fifths of the garbage promoted by
 * a run of the random baseline.
 */
export class PickStamp {
  private stamp = new Uint32Array(64);
  private gen = 0;

  /** Starts a draw over indices below `size` (nothing marked). */
  begin(size: number): void {
    if (this.stamp.length < size) {
      let n = this.stamp.length;
      while (n < size) n *= 2;
      this.stamp = new Uint32Array(n);
      this.gen = 0;
    }
    this.gen = (this.gen + 1) >>> 0;
    if (this.gen === 0) {
      this.stamp.fill(0);
      this.gen = 1;
    }
  }

  has(i: number): boolean {
    return this.stamp[i] === this.gen;
  }

  mark(i: number): void {
    this.stamp[i] = this.gen;
  }
}
