/** Ints per (store, peer) cell: version, settled ms, mentions, verified ms (see StoreIndex). */
export const CELL_INTS = 4;

/** What the grid writes into each store when it lays the rows out again. */
export interface GridRow {
  slots: Int32Array;
  /** First int of the store's row. */
  b: number;
  /** Peers per row. */
  cap: number;
}

/**
 * The per-peer cells of every map of a simulation in one Int32Array, one
 * row per store, `peers` cells per row. An apply reaches its cell through
 * the shared array, whose header stays in cache, instead of through a
 * per-store array header that is cold by the time a message arrives (one
 * cache miss less per apply at 2,500 peers). Rows are added as stores are
 * made; the row width grows (every row laid out again) when a peer number
 * reaches it, to the expected population first, then doubling.
 */
export class StoreGrid {
  private cells = new Int32Array(0);
  private peers = 0;
  private rowCap = 0;
  private readonly rows: GridRow[] = [];

  constructor(
    /** Expected size of the peer-number space (the planned population): the width grows to it first. */
    private readonly capacityHint = 0,
    /** Expected number of stores: rows are reserved for that many first (1 for a store on its own). */
    private readonly rowsHint = capacityHint,
  ) {}

  /** Adds a row for `store` and fills in its fields. */
  attach(store: GridRow): void {
    const n = this.rows.length;
    if (n === this.rowCap) this.relayout(n < this.rowsHint ? this.rowsHint : Math.max(16, n * 2), this.peers);
    const r = this.rows.length;
    this.rows.push(store);
    this.place(store, r);
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
    store.slots = this.cells;
    store.b = r * this.peers * CELL_INTS;
    store.cap = this.peers;
  }

  private relayout(rowCap: number, peers: number): void {
    const width = peers * CELL_INTS;
    const cells = new Int32Array(rowCap * width);
    for (let i = 0; i < cells.length; i += CELL_INTS) cells[i] = -1;
    const old = this.peers * CELL_INTS;
    for (let r = 0; r < this.rows.length; r++) cells.set(this.cells.subarray(r * old, r * old + old), r * width);
    this.cells = cells;
    this.peers = peers;
    this.rowCap = rowCap;
    for (let r = 0; r < this.rows.length; r++) this.place(this.rows[r], r);
  }
}
