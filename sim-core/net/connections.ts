import { growF64, growI32 } from '../engine/typed-grow.ts';

/**
 * The table of simulated connections: one packed int32 record per slot (see
 * CONN_REC) plus its two arrival times. Each end has its own handle:
 * `(gen * 2^21 + slot) * 2 + side` (side 0 = dialer, 1 = acceptor), so a host
 * connected to itself still tells its two ends apart, and a handle kept past the end of its connection never aliases
 * a later one that reuses the slot (until 2^10 reuses). A slot is freed only
 * when both ends are closed and no event in flight still refers to it.
 */
export const SIDE_NONE = 0; // acceptor side before the SYN arrives
export const SIDE_DIALING = 1; // dialer side before the SYN-ACK arrives
export const SIDE_OPEN = 2;
export const SIDE_CLOSED = 3;

/** How a connection was opened: a plain dial, a coordinated hole punch, or a circuit through a relay. */
export const OPEN_DIAL = 0;
export const OPEN_PUNCH = 1;
export const OPEN_RELAY = 2;
export type OpenMode = typeof OPEN_DIAL | typeof OPEN_PUNCH | typeof OPEN_RELAY;

const SLOT_BITS = 21;
export const CONN_SLOT_LIMIT = 1 << SLOT_BITS; // 2 M concurrent connections at most
const GEN_MOD = 1 << 10;

/**
 * Slot record: 8 int32 (32 bytes), everything a packet's send or delivery
 * reads, so a message touches one line of `rec` (plus one of `arrive`)
 * instead of one line in each of eight arrays. Per-side fields sit at
 * `field + side` (side 0 = dialer, 1 = acceptor).
 */
export const CONN_REC = 8;
/** Host of the side: dialer at +0, acceptor at +1. */
export const C_HOST = 0;
/** SIDE_* of the side: dialer at +2, acceptor at +3. */
export const C_STATE = 2;
export const C_INFLIGHT = 4;
export const C_GEN = 5;
/** OPEN_*. */
export const C_MODE = 6;
/** Relay host a relayed connection runs through, -1 for a direct one. */
export const C_VIA = 7;

export class ConnectionTable {
  /** CONN_REC int32 per slot (see C_*). */
  rec: Int32Array;
  /** Latest scheduled arrival towards each side (2 per slot, side 0 = towards the dialer), to keep each direction FIFO. */
  arrive: Float64Array;
  /** Called with the relay when a relayed connection's slot is freed (the relay's circuit slot is released). */
  onRelayFree: ((relay: number) => void) | undefined;
  private freeList: number[] = [];
  private used = 0;
  private openCount = 0;

  constructor(
    initialCapacity = 1024,
    readonly maxConnections = CONN_SLOT_LIMIT,
  ) {
    const cap = Math.max(16, Math.min(initialCapacity, maxConnections));
    this.rec = new Int32Array(cap * CONN_REC);
    this.arrive = new Float64Array(cap * 2);
  }

  /** Connections currently allocated (any state). */
  get active(): number {
    return this.openCount;
  }

  dialerOf(slot: number): number {
    return this.rec[slot * CONN_REC + C_HOST];
  }

  acceptorOf(slot: number): number {
    return this.rec[slot * CONN_REC + C_HOST + 1];
  }

  /** Host of one side (0 dialer, 1 acceptor). */
  hostOf(slot: number, side: number): number {
    return this.rec[slot * CONN_REC + C_HOST + side];
  }

  stateOf(slot: number, side: number): number {
    return this.rec[slot * CONN_REC + C_STATE + side];
  }

  setState(slot: number, side: number, state: number): void {
    this.rec[slot * CONN_REC + C_STATE + side] = state;
  }

  modeOf(slot: number): OpenMode {
    return this.rec[slot * CONN_REC + C_MODE] as OpenMode;
  }

  viaOf(slot: number): number {
    return this.rec[slot * CONN_REC + C_VIA];
  }

  setVia(slot: number, via: number): void {
    this.rec[slot * CONN_REC + C_VIA] = via;
  }

  /** Allocates a slot for a dial; returns -1 when the table is full. */
  alloc(dialer: number, acceptor: number, mode: OpenMode = OPEN_DIAL, via = -1): number {
    let slot: number;
    if (this.freeList.length > 0) slot = this.freeList.pop()!;
    else {
      if (this.used * CONN_REC === this.rec.length && !this.grow()) return -1;
      slot = this.used++;
    }
    const r = this.rec;
    const o = slot * CONN_REC;
    r[o + C_HOST] = dialer;
    r[o + C_HOST + 1] = acceptor;
    r[o + C_STATE] = SIDE_DIALING;
    r[o + C_STATE + 1] = SIDE_NONE;
    r[o + C_INFLIGHT] = 0;
    r[o + C_MODE] = mode;
    r[o + C_VIA] = via;
    this.arrive[2 * slot] = 0;
    this.arrive[2 * slot + 1] = 0;
    this.openCount++;
    return slot;
  }

  /** The handle of one end: side 0 = dialer, 1 = acceptor. */
  handle(slot: number, side: number): number {
    return (this.rec[slot * CONN_REC + C_GEN] * CONN_SLOT_LIMIT + slot) * 2 + side;
  }

  /** The slot of a live handle, or -1 if the handle is stale or malformed. */
  slotOf(handle: number): number {
    if (!(handle >= 0) || handle % 1 !== 0) return -1;
    const h = Math.floor(handle / 2);
    const slot = h % CONN_SLOT_LIMIT;
    if (slot >= this.used) return -1;
    const r = this.rec;
    const o = slot * CONN_REC;
    if ((h - slot) / CONN_SLOT_LIMIT !== r[o + C_GEN]) return -1;
    if (r[o + C_STATE] === SIDE_CLOSED && r[o + C_STATE + 1] === SIDE_CLOSED && r[o + C_INFLIGHT] === 0) return -1;
    return slot;
  }

  /** Frees the slot if both sides are done and nothing is in flight. */
  maybeFree(slot: number): void {
    const r = this.rec;
    const o = slot * CONN_REC;
    if (r[o + C_INFLIGHT] !== 0) return;
    const d = r[o + C_STATE];
    const a = r[o + C_STATE + 1];
    if (d !== SIDE_CLOSED) return;
    if (a !== SIDE_CLOSED && a !== SIDE_NONE) return;
    r[o + C_STATE + 1] = SIDE_CLOSED;
    const via = r[o + C_VIA];
    if (via >= 0) {
      r[o + C_VIA] = -1;
      this.onRelayFree?.(via);
    }
    r[o + C_GEN] = (r[o + C_GEN] + 1) % GEN_MOD;
    this.freeList.push(slot);
    this.openCount--;
  }

  private grow(): boolean {
    const cap = this.rec.length / CONN_REC;
    if (cap >= this.maxConnections) return false;
    const n = Math.min(cap * 2, this.maxConnections);
    this.rec = growI32(this.rec, n * CONN_REC);
    this.arrive = growF64(this.arrive, n * 2);
    return true;
  }
}
