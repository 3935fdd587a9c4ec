import type { TimeUs } from '../../engine/time.ts';

/** Initial slots; the table doubles while more events are live at once. */
const SLOTS_INITIAL = 256;
/** Hard bound on slots: past it the oldest live event is evicted (counted), as the seed's cache forgot early. */
export const EVENT_SLOTS_MAX = 1 << 20;
/** Hard bound on the bytes of the two bitsets: bounds slots × peers at large populations. */
const BITSET_BYTES_MAX = 2 ** 31;

/**
 * Link events in flight, interned once per simulation: every hop carries a
 * serial number, never an object, and each peer's "have I seen it?" is one
 * bit (exact dedupe, replacing the seed's per-peer hash table of recent
 * keys). Serial s lives in slot s mod capacity, a ring; a slot is live until
 * `expiresUs`, pushed back each time a peer queues the event, so a slot is
 * reused only once nobody has queued its event for the dedupe window. A
 * message still carrying a reused serial no longer matches `serialOf` and its
 * event is counted as lost (`isLive` false) instead of being misread.
 *
 * Per slot: fields in typed columns, and two bitsets over peer numbers —
 * `seen` (received or originated) and `pending` (waiting in that peer's
 * outbox: only then does a duplicate look for it there).
 */
export class EventTable {
  origin = new Int32Array(SLOTS_INITIAL);
  peer = new Int32Array(SLOTS_INITIAL);
  flags = new Uint8Array(SLOTS_INITIAL);
  ts = new Float64Array(SLOTS_INITIAL);
  serialOf = new Float64Array(SLOTS_INITIAL).fill(-1);
  expiresUs = new Float64Array(SLOTS_INITIAL);
  /** Words per bitset row: one bit per peer number. */
  words: number;
  seen: Int32Array;
  pending: Int32Array;
  mask = SLOTS_INITIAL - 1;
  private nextSerial = 0;
  /** Content digest → serial, for events that arrive as objects (decoded bytes, adversaries). */
  private readonly byKey = new Map<number, number>();
  /** Live events evicted because the table was at its bound. */
  evicted = 0;

  constructor(
    peers: number,
    /** How long an event stays recognised after a peer last queued it. */
    readonly windowUs: number,
    private readonly maxSlots = EVENT_SLOTS_MAX,
  ) {
    this.words = Math.max(1, (peers + 31) >>> 5);
    this.seen = new Int32Array(SLOTS_INITIAL * this.words);
    this.pending = new Int32Array(SLOTS_INITIAL * this.words);
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /** Bytes held by the table's arrays. */
  get bytes(): number {
    return this.capacity * (4 + 4 + 1 + 8 + 8 + 8 + this.words * 8);
  }

  /** A new event, seen by its origin; returns its serial. */
  intern(origin: number, peer: number, flags: number, ts: number, now: TimeUs): number {
    if (origin >= this.words * 32) this.widen(origin);
    const serial = this.nextSerial;
    let slot = serial & this.mask;
    if (this.expiresUs[slot] > now && this.serialOf[slot] >= 0) {
      if (this.grow(now)) slot = serial & this.mask;
      else this.evicted++;
    }
    this.nextSerial++;
    const old = this.serialOf[slot];
    if (old >= 0) {
      const oldKey = eventKey(this.origin[slot], this.peer[slot], this.flags[slot], this.ts[slot]);
      if (this.byKey.get(oldKey) === old) this.byKey.delete(oldKey);
    }
    this.origin[slot] = origin;
    this.peer[slot] = peer;
    this.flags[slot] = flags;
    this.ts[slot] = ts;
    this.serialOf[slot] = serial;
    this.expiresUs[slot] = now + this.windowUs;
    const w = this.words;
    this.seen.fill(0, slot * w, slot * w + w);
    this.pending.fill(0, slot * w, slot * w + w);
    this.seen[slot * w + (origin >>> 5)] |= 1 << (origin & 31);
    this.byKey.set(eventKey(origin, peer, flags, ts), serial);
    return serial;
  }

  /** The live serial of an event with these fields, interned if none is live (the decode path). */
  lookupOrIntern(origin: number, peer: number, flags: number, ts: number, now: TimeUs): number {
    const s = this.byKey.get(eventKey(origin, peer, flags, ts));
    if (s !== undefined && this.isLive(s)) {
      const slot = s & this.mask;
      if (this.origin[slot] === origin && this.peer[slot] === peer && this.flags[slot] === flags && this.ts[slot] === ts) return s;
    }
    return this.intern(origin, peer, flags, ts, now);
  }

  /** False once the serial's slot was reused: a message that old has lost its events. */
  isLive(serial: number): boolean {
    return this.serialOf[serial & this.mask] === serial;
  }

  /** A peer queued the event: keep it recognised for another window. */
  touch(slot: number, now: TimeUs): void {
    const until = now + this.windowUs;
    if (until > this.expiresUs[slot]) this.expiresUs[slot] = until;
  }

  /** Peer `p` lost its state (a restart): it has seen and queued nothing. O(slots), once per restart. */
  forgetPeer(p: number): void {
    if (p >= this.words * 32) return this.widen(p);
    const w = this.words;
    const keep = ~(1 << (p & 31));
    for (let i = p >>> 5; i < this.seen.length; i += w) {
      this.seen[i] &= keep;
      this.pending[i] &= keep;
    }
  }

  /** Makes room for peer number `p` in the bitsets (peers that arrive past the planned population). */
  ensurePeer(p: number): void {
    if (p >= this.words * 32) this.widen(p);
  }

  private widen(p: number): void {
    const w = this.words;
    const nw = Math.max(w * 2, (p + 32) >>> 5);
    this.seen = relayout(this.seen, this.capacity, w, nw);
    this.pending = relayout(this.pending, this.capacity, w, nw);
    this.words = nw;
  }

  /** Doubles the ring, keeping every live event at serial mod the new capacity; false at the bound. */
  private grow(now: TimeUs): boolean {
    const cap = this.capacity;
    const next = cap * 2;
    if (next > this.maxSlots || next * this.words * 8 > BITSET_BYTES_MAX) return false;
    const w = this.words;
    const t = { origin: new Int32Array(next), peer: new Int32Array(next), flags: new Uint8Array(next), ts: new Float64Array(next) };
    const serialOf = new Float64Array(next).fill(-1);
    const expiresUs = new Float64Array(next);
    const seen = new Int32Array(next * w);
    const pending = new Int32Array(next * w);
    for (let s = 0; s < cap; s++) {
      const serial = this.serialOf[s];
      if (serial < 0 || this.expiresUs[s] <= now) continue;
      const d = serial & (next - 1);
      t.origin[d] = this.origin[s];
      t.peer[d] = this.peer[s];
      t.flags[d] = this.flags[s];
      t.ts[d] = this.ts[s];
      serialOf[d] = serial;
      expiresUs[d] = this.expiresUs[s];
      seen.set(this.seen.subarray(s * w, s * w + w), d * w);
      pending.set(this.pending.subarray(s * w, s * w + w), d * w);
    }
    this.origin = t.origin;
    this.peer = t.peer;
    this.flags = t.flags;
    this.ts = t.ts;
    this.serialOf = serialOf;
    this.expiresUs = expiresUs;
    this.seen = seen;
    this.pending = pending;
    this.mask = next - 1;
    // Expired events were dropped: forget their digests too (keeps byKey bounded by the capacity).
    for (const [key, serial] of this.byKey) if (!this.isLive(serial)) this.byKey.delete(key);
    return true;
  }
}

function relayout(a: Int32Array, rows: number, w: number, nw: number): Int32Array {
  const out = new Int32Array(rows * nw);
  for (let r = 0; r < rows; r++) out.set(a.subarray(r * w, r * w + w), r * nw);
  return out;
}

/** A 53-bit digest of a link event's fields (content lookup of decoded events). */
export function eventKey(origin: number, peer: number, flags: number, timestampUs: number): number {
  let h1 = Math.imul(origin ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(peer ^ 0x7f4a7c15, 0xc2b2ae35);
  h1 ^= Math.imul((timestampUs | 0) ^ (flags << 28), 0x27d4eb2f);
  h1 ^= h1 >>> 15;
  let h2 = Math.imul(((timestampUs / 4294967296) | 0) ^ peer, 0x165667b1) ^ Math.imul(origin + flags, 0x9e3779b1);
  h2 ^= h2 >>> 13;
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
}
