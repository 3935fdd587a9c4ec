/**
 * The table of simulated connections, as a struct of typed arrays indexed by
 * slot. Each end has its own handle: `(gen * 2^21 + slot) * 2 + side` (side 0
 * = dialer, 1 = acceptor), so a host connected to itself still tells its two
 * ends apart, and a handle kept past the end of its connection never aliases
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

export class ConnectionTable {
  dialer: Int32Array;
  acceptor: Int32Array;
  dialerState: Uint8Array;
  acceptorState: Uint8Array;
  /** Latest scheduled arrival per direction, to keep each direction FIFO. */
  lastArrivalToAcceptor: Float64Array;
  lastArrivalToDialer: Float64Array;
  inflight: Int32Array;
  gen: Uint16Array;
  /** OPEN_* per slot. */
  mode: Uint8Array;
  /** Relay host a relayed connection runs through, -1 for a direct one. */
  via: Int32Array;
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
    this.dialer = new Int32Array(cap);
    this.acceptor = new Int32Array(cap);
    this.dialerState = new Uint8Array(cap);
    this.acceptorState = new Uint8Array(cap);
    this.lastArrivalToAcceptor = new Float64Array(cap);
    this.lastArrivalToDialer = new Float64Array(cap);
    this.inflight = new Int32Array(cap);
    this.gen = new Uint16Array(cap);
    this.mode = new Uint8Array(cap);
    this.via = new Int32Array(cap).fill(-1);
  }

  /** Connections currently allocated (any state). */
  get active(): number {
    return this.openCount;
  }

  /** Allocates a slot for a dial; returns -1 when the table is full. */
  alloc(dialer: number, acceptor: number, mode: OpenMode = OPEN_DIAL, via = -1): number {
    let slot: number;
    if (this.freeList.length > 0) slot = this.freeList.pop()!;
    else {
      if (this.used === this.dialer.length && !this.grow()) return -1;
      slot = this.used++;
    }
    this.dialer[slot] = dialer;
    this.acceptor[slot] = acceptor;
    this.dialerState[slot] = SIDE_DIALING;
    this.acceptorState[slot] = SIDE_NONE;
    this.lastArrivalToAcceptor[slot] = 0;
    this.lastArrivalToDialer[slot] = 0;
    this.inflight[slot] = 0;
    this.mode[slot] = mode;
    this.via[slot] = via;
    this.openCount++;
    return slot;
  }

  /** The handle of one end: side 0 = dialer, 1 = acceptor. */
  handle(slot: number, side: number): number {
    return (this.gen[slot] * CONN_SLOT_LIMIT + slot) * 2 + side;
  }

  /** The slot of a live handle, or -1 if the handle is stale or malformed. */
  slotOf(handle: number): number {
    if (!(handle >= 0) || handle % 1 !== 0) return -1;
    const h = Math.floor(handle / 2);
    const slot = h % CONN_SLOT_LIMIT;
    if (slot >= this.used) return -1;
    if ((h - slot) / CONN_SLOT_LIMIT !== this.gen[slot]) return -1;
    if (this.dialerState[slot] === SIDE_CLOSED && this.acceptorState[slot] === SIDE_CLOSED && this.inflight[slot] === 0) return -1;
    return slot;
  }

  /** Frees the slot if both sides are done and nothing is in flight. */
  maybeFree(slot: number): void {
    if (this.inflight[slot] !== 0) return;
    const d = this.dialerState[slot];
    const a = this.acceptorState[slot];
    if (d !== SIDE_CLOSED) return;
    if (a !== SIDE_CLOSED && a !== SIDE_NONE) return;
    this.acceptorState[slot] = SIDE_CLOSED;
    const via = this.via[slot];
    if (via >= 0) {
      this.via[slot] = -1;
      this.onRelayFree?.(via);
    }
    this.gen[slot] = (this.gen[slot] + 1) % GEN_MOD;
    this.freeList.push(slot);
    this.openCount--;
  }

  private grow(): boolean {
    const cap = this.dialer.length;
    if (cap >= this.maxConnections) return false;
    const n = Math.min(cap * 2, this.maxConnections);
    this.dialer = grow(this.dialer, new Int32Array(n));
    this.acceptor = grow(this.acceptor, new Int32Array(n));
    this.dialerState = grow(this.dialerState, new Uint8Array(n));
    this.acceptorState = grow(this.acceptorState, new Uint8Array(n));
    this.lastArrivalToAcceptor = grow(this.lastArrivalToAcceptor, new Float64Array(n));
    this.lastArrivalToDialer = grow(this.lastArrivalToDialer, new Float64Array(n));
    this.inflight = grow(this.inflight, new Int32Array(n));
    this.gen = grow(this.gen, new Uint16Array(n));
    this.mode = grow(this.mode, new Uint8Array(n));
    this.via = grow(this.via, new Int32Array(n).fill(-1));
    return true;
  }
}

function grow<T extends { set(a: ArrayLike<number>): void }>(old: ArrayLike<number>, next: T): T {
  next.set(old);
  return next;
}
