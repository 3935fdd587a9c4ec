/** Buckets of the exclusion hint per peer (by the serial's low bits). */
export const HINT_BUCKETS = 64;

/**
 * The waiting entries of every peer's outbox in one set of typed arrays,
 * row `peer` of `cap` entries each (an outbox never holds more than its
 * batch: it flushes on reaching it). A receipt that excludes a neighbour
 * reaches the receiver's hint, entry and mask in the shared arrays, whose
 * headers stay in cache, instead of through the headers of ~2,500 small
 * per-peer arrays that are all cold by the time a message arrives.
 *
 * `words` mask words per entry are shared by all rows: one peer with more
 * than 32 × words link slots widens every row (rare: a re-layout). Each
 * peer's link slots (who is on each) are rows here too: a receipt finds its
 * sender's slot without the header of a per-peer array.
 */
export class OutboxPlane {
  rows = 0;
  words = 1;
  serial = new Float64Array(0);
  ttl = new Uint8Array(0);
  restricted = new Uint8Array(0);
  /** Per entry, `words` mask words: excluded link slots. */
  excl = new Int32Array(0);
  /** Per entry, `words` mask words: the only link slots allowed (fanout-limited gossip), when `restricted`. */
  allow = new Int32Array(0);
  /** Per peer, 1 + the entry last queued in each bucket (0: none). */
  hint = new Uint16Array(0);
  /** Per peer, 32 × words link slots: the neighbour linked on each (-1: none). */
  slotPeer = new Int32Array(0);
  /** Per peer, 32 × words link slots: the neighbour whose link closed since the last flush (-1: none). */
  retiredPeer = new Int32Array(0);

  constructor(
    /** Entries per peer. */
    readonly cap: number,
  ) {}

  /** Bytes held by the plane's arrays. */
  get bytes(): number {
    return (
      this.serial.byteLength +
      this.ttl.byteLength +
      this.restricted.byteLength +
      this.excl.byteLength +
      this.allow.byteLength +
      this.hint.byteLength +
      this.slotPeer.byteLength +
      this.retiredPeer.byteLength
    );
  }

  /** Makes room for row `p` (rows double). */
  ensureRow(p: number): void {
    if (p < this.rows) return;
    this.relayout(Math.max(p + 1, this.rows * 2, 64), this.words);
  }

  /** Row `p` with no linked or retired neighbour (a new outbox for that peer: links of an app it replaces are gone). */
  clearLinks(p: number): void {
    const n = 32 * this.words;
    this.slotPeer.fill(-1, p * n, p * n + n);
    this.retiredPeer.fill(-1, p * n, p * n + n);
  }

  /** One more mask word per entry, in every row. */
  widen(): void {
    this.relayout(this.rows, this.words + 1);
  }

  private relayout(rows: number, words: number): void {
    const cap = this.cap;
    const ow = this.words;
    const serial = new Float64Array(rows * cap);
    serial.set(this.serial);
    const ttl = new Uint8Array(rows * cap);
    ttl.set(this.ttl);
    const restricted = new Uint8Array(rows * cap);
    restricted.set(this.restricted);
    const hint = new Uint16Array(rows * HINT_BUCKETS);
    hint.set(this.hint);
    const excl = new Int32Array(rows * cap * words);
    const allow = new Int32Array(rows * cap * words);
    if (words === ow) {
      excl.set(this.excl);
      allow.set(this.allow);
    } else {
      for (let e = 0; e < this.rows * cap; e++) {
        excl.set(this.excl.subarray(e * ow, e * ow + ow), e * words);
        allow.set(this.allow.subarray(e * ow, e * ow + ow), e * words);
      }
    }
    const os = 32 * ow;
    const ns = 32 * words;
    const slotPeer = new Int32Array(rows * ns).fill(-1);
    const retiredPeer = new Int32Array(rows * ns).fill(-1);
    for (let r = 0; r < this.rows; r++) {
      slotPeer.set(this.slotPeer.subarray(r * os, r * os + os), r * ns);
      retiredPeer.set(this.retiredPeer.subarray(r * os, r * os + os), r * ns);
    }
    this.slotPeer = slotPeer;
    this.retiredPeer = retiredPeer;
    this.serial = serial;
    this.ttl = ttl;
    this.restricted = restricted;
    this.hint = hint;
    this.excl = excl;
    this.allow = allow;
    this.rows = rows;
    this.words = words;
  }
}
