import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../../wire/constants.ts';
import { MsgType, type GmEvent, type GmEventRefs, type GmEventsMsg } from '../../wire/messages.ts';
import type { EventTable } from './event-table.ts';
import { F_CONNECT, F_OUT } from './record.ts';

/** A packed reference: serial × 256 + TTL (TTL is a u8 on the wire). */
export const REF_TTL_SPAN = 256;
/** Free messages a pool keeps; past it released ones are left to the garbage collector. */
const POOL_FREE_MAX = 1 << 16;

/**
 * A gm-events message whose events travel by reference into the
 * simulation's event table: one packed number per event (serial and hops
 * left), no event objects. The codec reads `events`, which materialises
 * them; a receiver in the same simulation reads `packed[0 … count)`.
 *
 * Batched gossip sends tens of millions of these; each lives as long as
 * its flight, long enough to outlive the young generation, so fresh ones
 * would fill the old generation with garbage. They come from a RefsPool
 * instead, and the network gives each back (`release`) once it is
 * delivered or dropped. A message sent to several peers at once is made
 * outside any pool: its release does nothing.
 */
export class EventRefsMsg implements GmEventsMsg, GmEventRefs {
  readonly type = MsgType.GmEvents;
  count: number;
  /** In its pool's free list (a second release is ignored). */
  free = false;

  constructor(
    readonly table: EventTable,
    public packed: Float64Array,
    count = packed.length,
    private readonly pool: RefsPool | null = null,
  ) {
    this.count = count;
  }

  get refs(): GmEventRefs {
    return this;
  }

  /** Signed map: every event carries its origin's key and signature (from the table's slab). */
  get signed(): boolean {
    return this.table.sigs !== null;
  }

  /** Delivered or dropped: the pool may hand it out again. */
  release(): void {
    if (this.pool !== null && !this.free) this.pool.give(this);
  }

  /** The events as wire objects; events whose slot was reused since the send are left out. */
  get events(): GmEvent[] {
    const t = this.table;
    const out: GmEvent[] = [];
    for (let i = 0; i < this.count; i++) {
      const v = this.packed[i];
      const serial = Math.floor(v / REF_TTL_SPAN);
      if (!t.isLive(serial)) continue;
      const slot = serial & t.mask;
      const f = t.flags[slot];
      const e: GmEvent = {
        kind: (f & F_CONNECT) !== 0 ? 1 : 2,
        direction: (f & F_OUT) !== 0 ? 2 : 1,
        origin: t.origin[slot],
        peer: t.peer[slot],
        timestampUs: t.ts[slot],
        ttl: v - serial * REF_TTL_SPAN,
      };
      if (t.sigs !== null) {
        e.publicKey = t.keyOf(e.origin) ?? new Uint8Array(PUBLIC_KEY_BYTES);
        e.signature = t.sigs.slice(slot * SIGNATURE_BYTES, (slot + 1) * SIGNATURE_BYTES);
      }
      out.push(e);
    }
    return out;
  }
}

/** Reusable gm-events messages of one simulation (one per event table). */
export class RefsPool {
  private readonly freeList: EventRefsMsg[] = [];
  /** Messages made (not reused): what the pool costs the garbage collector. */
  made = 0;

  constructor(private readonly table: EventTable) {}

  /** An empty message with room for `capacity` refs. */
  take(capacity: number): EventRefsMsg {
    const m = this.freeList.pop();
    if (m !== undefined) {
      m.free = false;
      m.count = 0;
      if (m.packed.length < capacity) m.packed = new Float64Array(capacity);
      return m;
    }
    this.made++;
    return new EventRefsMsg(this.table, new Float64Array(capacity), 0, this);
  }

  give(m: EventRefsMsg): void {
    if (this.freeList.length >= POOL_FREE_MAX) return;
    m.free = true;
    this.freeList.push(m);
  }
}
