import type { Dispatcher, Scheduler } from '../engine/scheduler.ts';
import { CLOSE_REASONS } from '../net/counters.ts';
import { EV_ACTION, EV_DATAGRAM, EV_DELIVER, EV_DIAL_FAIL, EV_FIN, EV_RST, EV_START, EV_SYN, EV_SYNACK, EV_TIMER } from '../net/event-kinds.ts';

/** One event the dashboard stepped through, for its event log. */
export interface SteppedEvent {
  tUs: number;
  /** Short kind: 'deliver', 'timer', 'dial', 'accept', 'dial-failed', 'close', 'reset', 'start', 'action', 'datagram'. */
  kind: string;
  /** Host addresses the event names: the one it runs at first. */
  hosts: number[];
  /** One line a person reads, hosts named by `nameOf`. */
  text: string;
}

/**
 * What one event record means, in words. Reads the record only: the message
 * type is the world's own code (`d >> 24`) named by `typeName`.
 */
export function describeEvent(tUs: number, kind: number, a: number, b: number, c: number, d: number, typeName: (type: number) => string, nameOf: (address: number) => string): SteppedEvent {
  const A = nameOf(a);
  const B = nameOf(b);
  switch (kind) {
    case EV_DELIVER:
      return { tUs, kind: 'deliver', hosts: [b, a], text: `${B} receives ${typeName(d >>> 24)} (${d & 0xffffff} B) from ${A}` };
    case EV_TIMER:
      return { tUs, kind: 'timer', hosts: [a], text: `${A}: protocol timer ${c} fires` };
    case EV_SYN:
      return { tUs, kind: 'dial', hosts: [b, a], text: `${B} gets a connection request from ${A}` };
    case EV_SYNACK:
      return { tUs, kind: 'accept', hosts: [b, a], text: `${B}: ${A} accepted the connection` };
    case EV_DIAL_FAIL:
      return { tUs, kind: 'dial-failed', hosts: [b, a], text: `${B}: dial to ${A} failed (${CLOSE_REASONS[d] ?? `reason ${d}`})` };
    case EV_FIN:
      return { tUs, kind: 'close', hosts: [b, a], text: `${B}: ${A} closed the connection` };
    case EV_RST:
      return { tUs, kind: 'reset', hosts: [b, a], text: `${B}: connection reset by ${A}` };
    case EV_START:
      return { tUs, kind: 'start', hosts: [a], text: `${A} starts` };
    case EV_ACTION:
      return { tUs, kind: 'action', hosts: [], text: 'scenario action (fault, churn or a peer joining)' };
    case EV_DATAGRAM:
      return { tUs, kind: 'datagram', hosts: [b, a], text: `${B} receives a ${typeName(d >>> 24)} datagram from ${A}` };
    default:
      return { tUs, kind: `kind ${kind}`, hosts: [], text: `event of kind ${kind}` };
  }
}

/**
 * Runs `runOne` (which must run at most one event) with a dispatcher that
 * notes the event before handing it on; puts `inner` back after. Nothing is
 * scheduled or drawn, so the run is the one it would have been.
 */
export function stepNoting(
  scheduler: Scheduler,
  inner: Dispatcher,
  runOne: () => void,
  typeName: (type: number) => string,
  nameOf: (address: number) => string,
): SteppedEvent | undefined {
  let seen: SteppedEvent | undefined;
  scheduler.setDispatcher({
    dispatch(kind, a, b, c, d, payload) {
      seen = describeEvent(scheduler.now, kind, a, b, c, d, typeName, nameOf);
      inner.dispatch(kind, a, b, c, d, payload);
    },
  });
  try {
    runOne();
  } finally {
    scheduler.setDispatcher(inner);
  }
  return seen;
}
