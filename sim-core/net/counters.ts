import type { CloseReason } from '../sans-io/protocol.ts';

export const MAX_MESSAGE_TYPES = 256;

/** Reason codes carried in events (d field); index into CLOSE_REASONS. */
export const CLOSE_REASONS: readonly CloseReason[] = ['local', 'remote', 'refused', 'unreachable', 'reset'];
export const REASON_CODE: Record<CloseReason, number> = { local: 0, remote: 1, refused: 2, unreachable: 3, reset: 4 };

/** Network-level counters, indexed by message type where it applies. */
export class NetCounters {
  readonly sentCount = new Float64Array(MAX_MESSAGE_TYPES);
  readonly sentBytes = new Float64Array(MAX_MESSAGE_TYPES);
  readonly deliveredCount = new Float64Array(MAX_MESSAGE_TYPES);
  /** Messages sent on a connection the sender had no open side of, or arriving at a closed side. */
  droppedClosed = 0;
  /** Packets the underlay dropped (loss, partitions, queue overflow). */
  droppedInTransit = 0;
  dials = 0;
  dialFailures = 0;
  connectionsOpened = 0;
  connectionsClosed = 0;
  /** Dials refused because the connection table was full. */
  connectionTableFull = 0;

  totalSent(): number {
    let s = 0;
    for (let i = 0; i < MAX_MESSAGE_TYPES; i++) s += this.sentCount[i];
    return s;
  }

  totalBytes(): number {
    let s = 0;
    for (let i = 0; i < MAX_MESSAGE_TYPES; i++) s += this.sentBytes[i];
    return s;
  }
}
