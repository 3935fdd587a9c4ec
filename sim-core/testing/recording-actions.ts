import type { ConnId, PeerActions } from '../sans-io/protocol.ts';

/** What a protocol under test asked of the network, in order. */
export interface ActionLog<M> {
  dials: number[];
  sent: { conn: ConnId; item: M }[];
  closed: ConnId[];
  timers: { delay: number; tag: number }[];
}

/**
 * PeerActions that only record (a protocol driven by hand, no World):
 * dials get connection ids 100, 101, … so a test can answer them.
 */
export function recordingActions<M>(): { io: PeerActions<M>; log: ActionLog<M> } {
  const log: ActionLog<M> = { dials: [], sent: [], closed: [], timers: [] };
  let next = 100;
  const io: PeerActions<M> = {
    send: (conn, item) => void log.sent.push({ conn, item }),
    dial: (to) => (log.dials.push(to), next++),
    close: (conn) => void log.closed.push(conn),
    setTimer: (delay, tag) => (log.timers.push({ delay, tag }), 0),
    cancelTimer: () => {},
    chargeCpu: () => {},
  };
  return { io, log };
}
