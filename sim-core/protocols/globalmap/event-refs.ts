import { MsgType, type GmEvent, type GmEventRefs, type GmEventsMsg } from '../../wire/messages.ts';
import type { EventTable } from './event-table.ts';
import { F_CONNECT, F_OUT } from './record.ts';

/** A packed reference: serial × 256 + TTL (TTL is a u8 on the wire). */
export const REF_TTL_SPAN = 256;

/**
 * A gm-events message whose events travel by reference into the
 * simulation's event table: one packed number per event (serial and hops
 * left), no event objects. The codec reads `events`, which materialises
 * them; a receiver in the same simulation reads `packed` directly.
 */
export class EventRefsMsg implements GmEventsMsg, GmEventRefs {
  readonly type = MsgType.GmEvents;

  constructor(
    readonly table: EventTable,
    readonly packed: number[],
  ) {}

  get refs(): GmEventRefs {
    return this;
  }

  get count(): number {
    return this.packed.length;
  }

  /** The events as wire objects; events whose slot was reused since the send are left out. */
  get events(): GmEvent[] {
    const t = this.table;
    const out: GmEvent[] = [];
    for (const v of this.packed) {
      const serial = Math.floor(v / REF_TTL_SPAN);
      if (!t.isLive(serial)) continue;
      const slot = serial & t.mask;
      const f = t.flags[slot];
      out.push({
        kind: (f & F_CONNECT) !== 0 ? 1 : 2,
        direction: (f & F_OUT) !== 0 ? 2 : 1,
        origin: t.origin[slot],
        peer: t.peer[slot],
        timestampUs: t.ts[slot],
        ttl: v - serial * REF_TTL_SPAN,
      });
    }
    return out;
  }
}
