/** Ints per (store, peer) cell: version, settled ms, mentions, verified ms (see StoreIndex). */
export const CELL_INTS = 4;

/** Ints per array at most: 1 GiB (a typed array stops at 4 GiB). */
const SEGMENT_INTS_MAX = 1 << 28;

/** What the grid writes into each store when it lays the rows out again. */
export interface GridRow {
  slots: Int32Array;
  /** First int of the store's row. */
  b: number;
  /** Peers per row. */
  cap: number;
}

/**
 * The per-peer cells of every map of a simulation in a few large Int32Arrays
 * (one up to 8,192 peers), one row per store, `peers` cells per row. An
 * apply reaches its cell through the shared array, whose header stays in cache, instead of through a
 * per-store array header that is cold by the time a message arrives (one
 * cache miss less per apply at 2,500 peers). Rows are added as stores are
 * made; the row width grows (every row laid out again) when a peer number
 * reaches it, to the expected population first, then doubling.
 */
export class StoreGrid {
  /** The rows, `rowsPerSegment` to an array (one typed array stops at 4 GiB: 16,384 peers' maps). */
  private segments: Int32Array[] = [];
  private rowsPerSegment = 1;
  private peers = 0;
  private rowCap = 0;
  private readonly rows: GridRow[] = [];

  constructor(
    /** Expected size of the peer-number space (the planned population): the width grows to it first. */
    private readonly capacityHint = 0,
    /** Expected number of stores: rows are reserved for that many first (1 for a store on its own). */
    private readonly rowsHint = capacityHint,
    /** Ints per array at most. */
    private readonly segmentIntsMax = SEGMENT_INTS_MAX,
  ) {}

  /** Arrays holding the rows. */
  get segmentCount(): number {
    return this.segments.length;
  }

  /** Adds a row for `store` and fills in its fields. */
  attach(store: GridRow): void {
    const n = this.rows.length;
    if (n === this.rowCap) this.relayout(n < this.rowsHint ? this.rowsHint : Math.max(16, n * 2), this.peers);
    this.rows.push(store);
    this.place(store, n);
  }

  /** Rows wide enough for peer number p. */
  ensurePeer(p: number): void {
    const capacityHint = this.capacityHint;
    if (p < this.peers) return;
    let n = Math.max(64, this.peers * 2);
    while (n <= p) n *= 2;
    // Stop at the expected size (a fixed number: once past it, doubling resumes).
    if (capacityHint > p && capacityHint < n) n = capacityHint;
    this.relayout(this.rowCap, n);
  }

  private place(store: GridRow, r: number): void {
    const seg = Math.floor(r / this.rowsPerSegment);
    store.slots = this.segments[seg];
    store.b = (r - seg * this.rowsPerSegment) * this.peers * CELL_INTS;
    store.cap = this.peers;
  }

  /**
   * Lays out rowCap rows of `peers` cells, rows kept. More rows at the same
   * width keep the full arrays (only the last, partial one is copied).
   */
  private relayout(rowCap: number, peers: number): void {
    const width = peers * CELL_INTS;
    const perSegment = width === 0 ? Math.max(1, rowCap) : Math.max(1, Math.floor(this.segmentIntsMax / width));
    const keep = peers === this.peers && perSegment === this.rowsPerSegment ? Math.floor(this.rowCap / perSegment) : 0;
    const old = this.segments;
    const oldPer = this.rowsPerSegment;
    const oldWidth = this.peers * CELL_INTS;
    const segments = old.slice(0, keep);
    for (let first = keep * perSegment; first < rowCap; first += perSegment) {
      const cells = new Int32Array(Math.min(perSegment, rowCap - first) * width);
      for (let i = 0; i < cells.length; i += CELL_INTS) cells[i] = -1;
      // Rows already placed in this span move over from the old layout.
      for (let r = first; r < Math.min(first + perSegment, this.rows.length); r++) {
        const from = old[Math.floor(r / oldPer)];
        const at = (r % oldPer) * oldWidth;
        cells.set(from.subarray(at, at + oldWidth), (r - first) * width);
      }
      segments.push(cells);
    }
    this.segments = segments;
    this.rowsPerSegment = perSegment;
    this.peers = peers;
    this.rowCap = rowCap;
    for (let r = 0; r < this.rows.length; r++) this.place(this.rows[r], r);
  }
}
