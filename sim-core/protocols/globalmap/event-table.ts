import type { TimeUs } from '../../engine/time.ts';
import { SIGNATURE_BYTES } from '../../wire/constants.ts';
import { REF_SERIAL_MASK, RefsPool } from './event-refs.ts';
import { OutboxPlane } from './outbox-plane.ts';
import type { WaveWatch } from './wave.ts';

/** Signature states of a slot (signed map). */
export const SIG_NONE = 0;
export const SIG_UNVERIFIED = 1;
export const SIG_VALID = 2;
export const SIG_INVALID = 3;

/** Initial slots; the table doubles while more events are live at once. */
const SLOTS_INITIAL = 256;
/** Hard bound on slots: past it the oldest live events are evicted (counted), as the seed's cache forgot early. */
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
 * Per slot: fields in typed columns. Per peer: two bitsets over slots —
 * seen (received or originated) and pending (waiting in that peer's outbox:
 * only then does a duplicate look for it there) — interleaved word by word
 * in `bits` (seen word at an even index, its pending word next), so a
 * duplicate's two tests read one cache line, not one in each of two arrays.
 * Peer-major rows: the events of one message were mostly originated close
 * together, so their bits share a cache line of the receiver's row. The ring
 * enters 32 slots at a time (one word pair of every row), clearing that pair
 * in every row.
 */
export class EventTable {
  origin = new Int32Array(SLOTS_INITIAL);
  peer = new Int32Array(SLOTS_INITIAL);
  flags = new Uint8Array(SLOTS_INITIAL);
  ts = new Float64Array(SLOTS_INITIAL);
  serialOf = new Float64Array(SLOTS_INITIAL).fill(-1);
  expiresUs = new Float64Array(SLOTS_INITIAL);
  /** Words per peer row and bitset: one bit per slot (a row of `bits` is twice as long). */
  rowWords = SLOTS_INITIAL >>> 5;
  /** Peer rows allocated. */
  rows: number;
  /** Per peer row, per word of slots: the seen word, then the pending word. */
  bits: Int32Array;
  mask = SLOTS_INITIAL - 1;
  private nextSerial = 0;
  /** Content digest → serial, for events that arrive as objects (decoded bytes, adversaries). */
  private readonly byKey = new Map<number, number>();
  /** The gm-events messages of this simulation, reused once delivered. */
  readonly refsPool = new RefsPool(this);
  /** Every peer's outbox entries (batched gossip) by entries per row (one batch size per simulation), made on first use. */
  private readonly planes = new Map<number, OutboxPlane>();
  /** Live events evicted because the table was at its bound. */
  evicted = 0;
  /**
   * Signed map only (null otherwise, so the seed's path pays nothing): each
   * slot's signature (64 bytes at slot × 64) and its state (SIG_*), reset
   * when the slot is reused.
   */
  sigs: Uint8Array | null = null;
  sigState: Uint8Array | null = null;
  /** Signed map: an origin's public key (what a materialised event carries). */
  keyOf: (origin: number) => Uint8Array | undefined = () => undefined;
  /** The one followed gossip wave (the dashboard), or null: observes, never changes the run. */
  watch: WaveWatch | null = null;

  constructor(
    peers: number,
    /** How long an event stays recognised after a peer last queued it. */
    readonly windowUs: number,
    private readonly maxSlots = EVENT_SLOTS_MAX,
  ) {
    // A message's refs keep 24 bits of the serial: the slot must be among them.
    if (!(maxSlots <= REF_SERIAL_MASK + 1)) throw new RangeError(`EventTable: at most 2^24 slots, got ${maxSlots}`);
    this.rows = Math.max(1, peers);
    this.bits = new Int32Array(this.rows * this.rowWords * 2);
  }

  /** The outbox rows of this table's peers with `cap` entries each. */
  outboxPlane(cap: number): OutboxPlane {
    let plane = this.planes.get(cap);
    if (plane === undefined) this.planes.set(cap, (plane = new OutboxPlane(cap)));
    return plane;
  }

  /** Gives the table its signature slab (security: signed). */
  enableSignatures(keyOf: (origin: number) => Uint8Array | undefined): void {
    this.keyOf = keyOf;
    if (this.sigs) return;
    this.sigs = new Uint8Array(this.capacity * SIGNATURE_BYTES);
    this.sigState = new Uint8Array(this.capacity);
  }

  /** The slot's signature (a copy of `sig`), not yet verified. */
  setSignature(slot: number, sig: Uint8Array): void {
    this.sigs!.set(sig, slot * SIGNATURE_BYTES);
    this.sigState![slot] = SIG_UNVERIFIED;
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /** Bytes held by the table's arrays, its peers' outbox planes included. */
  get bytes(): number {
    let planes = 0;
    for (const plane of this.planes.values()) planes += plane.bytes;
    return this.capacity * (4 + 4 + 1 + 8 + 8 + 8 + (this.sigs !== null ? SIGNATURE_BYTES + 1 : 0)) + this.rows * this.rowWords * 8 + planes;
  }

  /** Index in `bits` of peer p's seen word holding slot's bit (bit: 1 << (slot & 31)); its pending word is the next. */
  wordOf(p: number, slot: number): number {
    return (p * this.rowWords + (slot >>> 5)) * 2;
  }

  hasSeen(p: number, slot: number): boolean {
    return p < this.rows && (this.bits[this.wordOf(p, slot)] & (1 << (slot & 31))) !== 0;
  }

  /** Waiting in peer p's outbox. */
  isPending(p: number, slot: number): boolean {
    return p < this.rows && (this.bits[this.wordOf(p, slot) + 1] & (1 << (slot & 31))) !== 0;
  }

  /** A new event, seen by its origin; returns its serial. */
  intern(origin: number, peer: number, flags: number, ts: number, now: TimeUs): number {
    if (origin >= this.rows) this.ensurePeer(origin);
    const serial = this.nextSerial;
    let slot = serial & this.mask;
    if ((slot & 31) === 0) {
      // Entering a word: its 32 slots must be free, else the ring grows (or, at its bound, forgets them).
      if (this.liveInWord(slot, now) > 0) {
        if (this.grow(now)) slot = serial & this.mask;
        else this.evicted += this.liveInWord(slot, now);
      }
      if ((slot & 31) === 0) this.enterWord(slot);
    }
    this.nextSerial++;
    const old = this.serialOf[slot];
    if (old >= 0) this.forgetKey(slot, old);
    this.origin[slot] = origin;
    this.peer[slot] = peer;
    this.flags[slot] = flags;
    this.ts[slot] = ts;
    this.serialOf[slot] = serial;
    if (this.sigState !== null) this.sigState[slot] = SIG_NONE;
    this.expiresUs[slot] = now + this.windowUs;
    this.bits[this.wordOf(origin, slot)] |= 1 << (slot & 31);
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

  /** Peer `p` lost its state (a restart): it has seen and queued nothing. */
  forgetPeer(p: number): void {
    if (p >= this.rows) return this.ensurePeer(p);
    const w = 2 * this.rowWords;
    this.bits.fill(0, p * w, p * w + w);
  }

  /** Makes room for peer number `p` (peers that arrive past the planned population). */
  ensurePeer(p: number): void {
    if (p < this.rows) return;
    const rows = Math.max(this.rows * 2, p + 1);
    const bits = new Int32Array(rows * this.rowWords * 2);
    bits.set(this.bits);
    this.bits = bits;
    this.rows = rows;
  }

  private liveInWord(slot: number, now: TimeUs): number {
    let live = 0;
    for (let s = slot; s < slot + 32; s++) if (this.serialOf[s] >= 0 && this.expiresUs[s] > now) live++;
    return live;
  }

  /** The ring enters the word of `slot`: its 32 slots are retired (a later message naming one finds it lost) and their bits cleared in every row. */
  private enterWord(slot: number): void {
    for (let s = slot; s < slot + 32; s++) {
      const old = this.serialOf[s];
      if (old >= 0) this.forgetKey(s, old);
      this.serialOf[s] = -1;
    }
    const bits = this.bits;
    const stride = 2 * this.rowWords;
    for (let i = 2 * (slot >>> 5); i < bits.length; i += stride) {
      bits[i] = 0;
      bits[i + 1] = 0;
    }
  }

  private forgetKey(slot: number, serial: number): void {
    const key = eventKey(this.origin[slot], this.peer[slot], this.flags[slot], this.ts[slot]);
    if (this.byKey.get(key) === serial) this.byKey.delete(key);
  }

  /** Doubles the ring, keeping every live event at serial mod the new capacity; false at the bound. */
  private grow(now: TimeUs): boolean {
    const cap = this.capacity;
    const next = cap * 2;
    if (next > this.maxSlots || this.rows * (next >>> 5) * 8 > BITSET_BYTES_MAX) return false;
    const w = this.rowWords;
    const nw = next >>> 5;
    const t = { origin: new Int32Array(next), peer: new Int32Array(next), flags: new Uint8Array(next), ts: new Float64Array(next) };
    const serialOf = new Float64Array(next).fill(-1);
    const expiresUs = new Float64Array(next);
    const bits = new Int32Array(this.rows * nw * 2);
    const sigs = this.sigs !== null ? new Uint8Array(next * SIGNATURE_BYTES) : null;
    const sigState = this.sigState !== null ? new Uint8Array(next) : null;
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
      if (sigs !== null) {
        sigs.set(this.sigs!.subarray(s * SIGNATURE_BYTES, (s + 1) * SIGNATURE_BYTES), d * SIGNATURE_BYTES);
        sigState![d] = this.sigState![s];
      }
      const from = s >>> 5;
      const to = d >>> 5;
      const bit = 1 << (s & 31);
      const dbit = 1 << (d & 31);
      for (let r = 0; r < this.rows; r++) {
        const a = 2 * (r * w + from);
        const b = 2 * (r * nw + to);
        if ((this.bits[a] & bit) !== 0) bits[b] |= dbit;
        if ((this.bits[a + 1] & bit) !== 0) bits[b + 1] |= dbit;
      }
    }
    this.origin = t.origin;
    this.peer = t.peer;
    this.flags = t.flags;
    this.ts = t.ts;
    this.serialOf = serialOf;
    this.expiresUs = expiresUs;
    this.bits = bits;
    this.sigs = sigs;
    this.sigState = sigState;
    this.rowWords = nw;
    this.mask = next - 1;
    // Expired events were dropped: forget their digests too (keeps byKey bounded by the capacity).
    for (const [key, serial] of this.byKey) if (!this.isLive(serial)) this.byKey.delete(key);
    return true;
  }
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
