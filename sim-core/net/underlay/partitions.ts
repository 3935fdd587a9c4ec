/** Most partitions in force at once: one bit each in a 32-bit mask. */
export const MAX_ACTIVE_PARTITIONS = 32;

/**
 * Network cuts. Partition p splits hosts into side A, side B and the rest
 * (untouched); packets A → B are dropped, and B → A too unless it is one-way.
 * Each host carries two bit masks (its sides in every active partition), so
 * the per-packet test is a few ANDs whatever the number of partitions.
 */
export class Partitions {
  private readonly maskA: Uint32Array;
  private readonly maskB: Uint32Array;
  /** Bit p set: partition p drops A → B (resp. B → A). */
  private cutAB = 0;
  private cutBA = 0;
  private readonly names: (string | undefined)[] = new Array(MAX_ACTIVE_PARTITIONS).fill(undefined);
  /** Partitions in force. */
  active = 0;

  constructor(readonly capacity: number) {
    this.maskA = new Uint32Array(capacity);
    this.maskB = new Uint32Array(capacity);
  }

  /** True if a packet from → to crosses a cut. */
  cuts(from: number, to: number): boolean {
    return ((this.maskA[from] & this.maskB[to] & this.cutAB) | (this.maskB[from] & this.maskA[to] & this.cutBA)) !== 0;
  }

  /**
   * Starts partition `name` between the hosts with sideA[h] = 1 and those
   * with sideB[h] = 1 (a host in both counts as A). Returns the side sizes.
   */
  add(name: string, sideA: Uint8Array, sideB: Uint8Array, oneWay: boolean): { a: number; b: number } {
    if (this.names.includes(name)) throw new RangeError(`partition ${JSON.stringify(name)} is already in force`);
    const p = this.names.indexOf(undefined);
    if (p < 0) throw new RangeError(`more than ${MAX_ACTIVE_PARTITIONS} partitions in force at once`);
    const bit = 1 << p;
    let a = 0;
    let b = 0;
    for (let h = 0; h < this.capacity; h++) {
      if (sideA[h] === 1) {
        this.maskA[h] |= bit;
        a++;
      } else if (sideB[h] === 1) {
        this.maskB[h] |= bit;
        b++;
      }
    }
    this.names[p] = name;
    this.cutAB |= bit;
    if (!oneWay) this.cutBA |= bit;
    this.active++;
    return { a, b };
  }

  /** Ends partition `name`; false if it was not in force. */
  heal(name: string): boolean {
    const p = this.names.indexOf(name);
    if (p < 0) return false;
    const keep = ~(1 << p);
    for (let h = 0; h < this.capacity; h++) {
      this.maskA[h] &= keep;
      this.maskB[h] &= keep;
    }
    this.cutAB &= keep;
    this.cutBA &= keep;
    this.names[p] = undefined;
    this.active--;
    return true;
  }

  /** Which side host `h` is on: 1 = side A of a partition in force, 2 = side B of one (and A of none), 0 = untouched. Reads only (the dashboard and the replay recorder draw cuts with it). */
  sideOf(h: number): number {
    return this.maskA[h] !== 0 ? 1 : this.maskB[h] !== 0 ? 2 : 0;
  }

  /** Names in force, in slot order. */
  inForce(): string[] {
    return this.names.filter((n): n is string => n !== undefined);
  }
}
