import type { TimeUs } from '../../engine/time.ts';
import type { PeerNum } from '../../wire/ids.ts';
import type { TimerId } from '../../sans-io/protocol.ts';

/** What a request asks. */
export const RpcKind = { FindNode: 1, Ping: 2 } as const;
export type RpcKind = (typeof RpcKind)[keyof typeof RpcKind];

/** Where a request stands. */
export const RpcState = {
  Free: 0,
  /** Waiting for a connection to its peer (dialling, or queued for an outbound slot). */
  Waiting: 1,
  /** Sent; the answer or the deadline ends it. */
  Sent: 2,
  /** Sent, then the connection dropped (maybe replaced by a duplicate): re-sent if the peer is back at once, else failed. */
  Orphan: 3,
} as const;
export type RpcState = (typeof RpcState)[keyof typeof RpcState];

/** One outstanding request. Records are preallocated and reused (no allocation per request). */
export class Rpc<R> {
  state: RpcState = RpcState.Free;
  kind: RpcKind = RpcKind.FindNode;
  requestId = 0;
  peer: PeerNum = -1;
  /** The lookup a FIND_NODE belongs to. */
  run: R | undefined = undefined;
  /** Deadline timer, -1 once fired or before it is armed. */
  timer: TimerId = -1;
  orphanAtUs: TimeUs = -1;

  constructor(readonly slot: number) {}
}

/**
 * The fixed-size table of a peer's outstanding requests. A request id is
 * `generation × capacity + slot` (mod 2^32), so an answer finds its record in
 * O(1) without a map, and a late answer to a reused slot does not match. The
 * slot is also the deadline timer's tag offset, which is why the capacity is
 * bounded (timer tags of a hosted app are small integers).
 */
export class RpcTable<R> {
  /**
   * The records made so far: slot i exists once i requests were in flight
   * at once (free slots are reused lowest-first from a stack), so a peer that
   * never has more than a dozen holds a dozen records, not `capacity`.
   */
  readonly slots: Rpc<R>[] = [];
  private readonly free: number[] = [];
  private readonly gens: Uint32Array;
  private readonly genMod: number;
  private nWaiting = 0;
  private nOrphans = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 16) throw new RangeError(`rpc table capacity: got ${capacity}`);
    this.gens = new Uint32Array(capacity);
    this.genMod = Math.floor(2 ** 32 / capacity);
    this.reset();
  }

  /** Requests not yet sent, waiting for a connection. */
  get waiting(): number {
    return this.nWaiting;
  }

  get orphans(): number {
    return this.nOrphans;
  }

  get inUse(): number {
    return this.capacity - this.free.length;
  }

  /** Frees every slot (a restart: the old timers died with the process). */
  reset(): void {
    this.free.length = 0;
    for (const r of this.slots) {
      r.state = RpcState.Free;
      r.run = undefined;
      r.timer = -1;
    }
    for (let i = this.capacity - 1; i >= 0; i--) this.free.push(i);
    this.nWaiting = 0;
    this.nOrphans = 0;
  }

  /** A fresh record (state Waiting until told otherwise), or undefined if the table is full. */
  alloc(kind: RpcKind, peer: PeerNum, run: R | undefined): Rpc<R> | undefined {
    const slot = this.free.pop();
    if (slot === undefined) return undefined;
    while (this.slots.length <= slot) this.slots.push(new Rpc<R>(this.slots.length));
    const r = this.slots[slot];
    const gen = (this.gens[slot] + 1) % this.genMod;
    this.gens[slot] = gen;
    r.requestId = (gen * this.capacity + slot) >>> 0;
    r.kind = kind;
    r.peer = peer;
    r.run = run;
    r.timer = -1;
    r.orphanAtUs = -1;
    r.state = RpcState.Waiting;
    this.nWaiting++;
    return r;
  }

  setState(r: Rpc<R>, state: RpcState): void {
    this.count(r.state, -1);
    r.state = state;
    this.count(state, 1);
  }

  release(r: Rpc<R>): void {
    if (r.state === RpcState.Free) return;
    this.count(r.state, -1);
    r.state = RpcState.Free;
    r.run = undefined;
    r.timer = -1;
    this.free.push(r.slot);
  }

  /** Whether some request to `peer` waits for a connection. */
  hasWaiting(peer: PeerNum): boolean {
    if (this.nWaiting === 0) return false;
    for (const r of this.slots) if (r.state === RpcState.Waiting && r.peer === peer) return true;
    return false;
  }

  /** The live record `requestId` names, if it went to `from` and is of `kind`. */
  match(requestId: number, from: PeerNum, kind: RpcKind): Rpc<R> | undefined {
    if (!Number.isInteger(requestId) || requestId < 0) return undefined;
    const r = this.slots[requestId % this.capacity];
    if (r === undefined || r.state === RpcState.Free || r.requestId !== requestId || r.peer !== from || r.kind !== kind) return undefined;
    return r;
  }

  private count(state: RpcState, d: number): void {
    if (state === RpcState.Waiting) this.nWaiting += d;
    else if (state === RpcState.Orphan) this.nOrphans += d;
  }
}
