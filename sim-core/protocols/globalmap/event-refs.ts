import { HeldMessage } from '../../sans-io/release.ts';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../../wire/constants.ts';
import { MsgType, type GmEvent, type GmEventRefs, type GmEventsMsg } from '../../wire/messages.ts';
import { F_CONNECT, F_OUT } from './record.ts';

/**
 * A packed reference, one u32: the serial's low 24 bits, then the TTL (a u8
 * on the wire). The slot is those bits & mask (the ring never exceeds 2^20
 * slots), and the event is the slot's only if its full serial has the same
 * low bits: a stale reference would need its slot reused a multiple of
 * 2^24 / capacity times (at least 16) while it is in flight. Four bytes an
 * event instead of a Float64's eight: a message's refs span half the lines.
 */
export const REF_SERIAL_MASK = 0xffffff;

/** The ref of `serial` with `ttl` (0 … 255) hops left. */
export function packRef(serial: number, ttl: number): number {
  return (((serial & REF_SERIAL_MASK) << 8) | ttl) >>> 0;
}

/** The live serial `ref` names in the table's ring (slot mask `mask`, full serials `serialOf`), or -1 if its slot was reused. */
export function refSerial(ref: number, mask: number, serialOf: Float64Array): number {
  const low = ref >>> 8;
  const serial = serialOf[low & mask];
  return serial >= 0 && (serial & REF_SERIAL_MASK) === low ? serial : -1;
}

/** Free messages a pool keeps; past it released ones are left to the garbage collector. */
const POOL_FREE_MAX = 1 << 16;
/** Messages per arena chunk of a pool. */
const CHUNK_MESSAGES = 4096;

/**
 * What a message's refs are resolved against: the simulation's event table
 * (EventTable), read-only. Declared here so this file need not import it.
 */
export interface RefTable {
  readonly mask: number;
  readonly serialOf: Float64Array;
  readonly origin: Int32Array;
  readonly peer: Int32Array;
  readonly flags: Uint8Array;
  readonly ts: Float64Array;
  readonly sigs: Uint8Array | null;
  keyOf(origin: number): Uint8Array | undefined;
}

/**
 * A gm-events message whose events travel by reference into the
 * simulation's event table: one packed number per event (serial and hops
 * left), no event objects. The codec reads `events`, which materialises
 * them; a receiver in the same simulation reads `packed[base … base + count)`.
 *
 * Batched gossip sends tens of millions of these; each lives as long as
 * its flight, long enough to outlive the young generation, so fresh ones
 * would fill the old generation with garbage. They come from a RefsPool
 * instead, and the network gives each back (`release`) once it is
 * delivered or dropped. A message sent to several peers at once is made
 * outside any pool: its release does nothing.
 */
export class EventRefsMsg extends HeldMessage implements GmEventsMsg, GmEventRefs {
  readonly type = MsgType.GmEvents;
  count: number;

  constructor(
    readonly table: RefTable,
    /** Holds the refs at [base, base + cap): the message's own array, or a chunk its pool shares among many. */
    public packed: Uint32Array,
    count = packed.length,
    private readonly pool: RefsPool | null = null,
    public base = 0,
    /** Refs the message has room for. */
    public cap = packed.length - base,
  ) {
    super();
    this.count = count;
  }

  get refs(): GmEventRefs {
    return this;
  }

  /** Signed map: every event carries its origin's key and signature (from the table's slab). */
  get signed(): boolean {
    return this.table.sigs !== null;
  }

  /** Its last holder let go: the pool may hand it out again. */
  protected giveBack(): void {
    this.pool?.give(this);
  }

  /** The events as wire objects; events whose slot was reused since the send are left out. */
  get events(): GmEvent[] {
    const t = this.table;
    const out: GmEvent[] = [];
    for (let i = 0; i < this.count; i++) {
      const v = this.packed[this.base + i];
      const serial = refSerial(v, t.mask, t.serialOf);
      if (serial < 0) continue;
      const slot = serial & t.mask;
      const f = t.flags[slot];
      const e: GmEvent = {
        kind: (f & F_CONNECT) !== 0 ? 1 : 2,
        direction: (f & F_OUT) !== 0 ? 2 : 1,
        origin: t.origin[slot],
        peer: t.peer[slot],
        timestampUs: t.ts[slot],
        ttl: v & 255,
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

/**
 * Reusable gm-events messages of one simulation (one per event table). Their
 * refs live in a few large chunks, each message at a fixed place in one: a
 * flush and a receipt index an array whose header is already in cache,
 * where an array per message cost a cache miss on its header at each end.
 */
export class RefsPool {
  private readonly freeList: EventRefsMsg[] = [];
  /** Messages made (not reused): what the pool costs the garbage collector. */
  made = 0;
  /** Refs per message in the chunks: the first capacity asked for (a larger one gets an array of its own). */
  private slotRefs = 0;
  private chunk: Uint32Array | null = null;
  private chunkUsed = CHUNK_MESSAGES;

  constructor(private readonly table: RefTable) {}

  /** An empty message with room for `capacity` refs. */
  take(capacity: number): EventRefsMsg {
    const m = this.freeList.pop();
    if (m !== undefined) {
      m.free = false;
      m.holds = 0;
      m.count = 0;
      if (m.cap < capacity) {
        m.packed = new Uint32Array(capacity);
        m.base = 0;
        m.cap = capacity;
      }
      return m;
    }
    this.made++;
    if (this.slotRefs === 0) this.slotRefs = capacity;
    if (capacity > this.slotRefs) return new EventRefsMsg(this.table, new Uint32Array(capacity), 0, this);
    if (this.chunkUsed === CHUNK_MESSAGES) {
      this.chunk = new Uint32Array(CHUNK_MESSAGES * this.slotRefs);
      this.chunkUsed = 0;
    }
    const base = this.chunkUsed++ * this.slotRefs;
    return new EventRefsMsg(this.table, this.chunk!, 0, this, base, this.slotRefs);
  }

  give(m: EventRefsMsg): void {
    if (this.freeList.length >= POOL_FREE_MAX) return;
    m.free = true;
    this.freeList.push(m);
  }
}
