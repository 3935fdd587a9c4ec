import { growF64, growI32 } from '../../engine/typed-grow.ts';

/** Smallest region: 16 ints or 8 doubles, one 64-byte line. */
const I32_MIN = 16;
const F64_MIN = 8;

/** Something whose regions an owner's reset hands back (see dropOwner). */
export interface Releasable {
  release(): void;
}

/**
 * The storage of many small tables (the peer manager's maps of every node of
 * a World) as regions of a few shared arrays: an int region, or a double
 * region with a parallel value slot per double. A table keeps only its
 * regions' offsets, so a lookup reads its own object's line and the region's
 * line, not a typed array header of its own first (a cold line per table and
 * per lookup at 2,500 peers). Region sizes are powers of two from one cache
 * line; a freed region goes to the next table asking for that size.
 *
 * Offsets stay valid across growth, arrays do not: read `i32`, `f64` and
 * `vals` again after any call that may take a region.
 */
export class RegionArena {
  // Small at first: a table on its own (tests, a node outside a World) keeps an arena of its own.
  i32 = new Int32Array(64);
  f64 = new Float64Array(16);
  /** The value beside each double slot (an ordered map's values beside its keys' offsets). */
  vals: unknown[] = [];
  private topI32 = 0;
  private topF64 = 0;
  /** Free regions by log2 of their size: offsets. */
  private readonly freeI32: number[][] = [];
  private readonly freeF64: number[][] = [];
  /** Tables to release when their owner's node is replaced, by owner. */
  private readonly owned: Releasable[][] = [];

  /** One line of ints, all -1 and never written: the index of a table that has no region yet. */
  readonly noneI32: number;

  constructor(
    /** Ints and doubles each at most; a take beyond throws. */
    readonly maxSlots = 1 << 28,
  ) {
    this.noneI32 = this.takeI32(I32_MIN, -1);
  }

  /** A region of `n` ints (a power of two ≥ 16), each set to `fill`; its offset in `i32`. */
  takeI32(n: number, fill: number): number {
    checkSize(n, I32_MIN);
    const k = log2(n);
    let base = this.freeI32[k]?.pop();
    if (base === undefined) {
      base = this.topI32;
      if (base + n > this.maxSlots) throw new RangeError(`RegionArena: more than ${this.maxSlots} ints`);
      this.topI32 += n;
      if (this.topI32 > this.i32.length) this.i32 = growI32(this.i32, grown(this.i32.length, this.topI32));
    }
    this.i32.fill(fill, base, base + n);
    return base;
  }

  releaseI32(base: number, n: number): void {
    (this.freeI32[log2(n)] ??= []).push(base);
  }

  /** A region of `n` doubles (a power of two ≥ 8), each set to `fill`, their values undefined; its offset in `f64` and `vals`. */
  takeF64(n: number, fill: number): number {
    checkSize(n, F64_MIN);
    const k = log2(n);
    let base = this.freeF64[k]?.pop();
    if (base === undefined) {
      base = this.topF64;
      if (base + n > this.maxSlots) throw new RangeError(`RegionArena: more than ${this.maxSlots} doubles`);
      this.topF64 += n;
      if (this.topF64 > this.f64.length) this.f64 = growF64(this.f64, grown(this.f64.length, this.topF64));
      const vals = this.vals;
      while (vals.length < this.topF64) vals.push(undefined);
    }
    this.f64.fill(fill, base, base + n);
    return base;
  }

  /** Hands a double region back; its values are dropped (so the objects they held can be collected). */
  releaseF64(base: number, n: number): void {
    this.vals.fill(undefined, base, base + n);
    (this.freeF64[log2(n)] ??= []).push(base);
  }

  /** `t` is released by dropOwner(owner). */
  adopt(owner: number, t: Releasable): void {
    if (!(owner >= 0 && owner % 1 === 0 && owner < 0x7fffffff)) throw new RangeError(`RegionArena: owner must be an int32 ≥ 0, got ${owner}`);
    while (this.owned.length <= owner) this.owned.push([]);
    this.owned[owner].push(t);
  }

  /** Releases every table adopted for `owner` (a node replaced by a fresh one: World.resetHost). */
  dropOwner(owner: number): void {
    const list = this.owned[owner];
    if (list === undefined) return;
    for (const t of list) t.release();
    list.length = 0;
  }

  /** Ints and doubles handed out so far (free regions included): what the arena holds. */
  get slotsTaken(): { i32: number; f64: number } {
    return { i32: this.topI32, f64: this.topF64 };
  }
}

function checkSize(n: number, min: number): void {
  if (!(n >= min && (n & (n - 1)) === 0 && n <= 1 << 30)) throw new RangeError(`RegionArena: a region is a power of two ≥ ${min}, got ${n}`);
}

function log2(n: number): number {
  return 31 - Math.clz32(n);
}

function grown(len: number, need: number): number {
  let n = len * 2;
  while (n < need) n *= 2;
  return n;
}
