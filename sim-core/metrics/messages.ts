import type { NetCounters } from '../net/counters.ts';
import { MAX_MESSAGE_TYPES } from '../net/counters.ts';
import type { MessageSizer } from '../protocols/protocol.ts';

export interface TypeFigures {
  count: number;
  bytes: number;
  perPeerPerSecond: number;
  bytesPerPeerPerSecond: number;
}

export interface MessageMetrics {
  total: number;
  bytes: number;
  delivered: number;
  droppedClosed: number;
  perPeerPerSecond: number;
  bytesPerPeerPerSecond: number;
  byType: Record<string, TypeFigures>;
}

/** Message counts and rates, overall and by wire type name (types in numeric order). */
export function messageMetrics(c: NetCounters, sizer: MessageSizer<unknown>, peers: number, seconds: number): MessageMetrics {
  const denom = Math.max(1, peers) * Math.max(1e-9, seconds);
  const byType: Record<string, TypeFigures> = {};
  let delivered = 0;
  for (let t = 0; t < MAX_MESSAGE_TYPES; t++) {
    delivered += c.deliveredCount[t];
    if (c.sentCount[t] === 0) continue;
    byType[sizer.typeName(t)] = {
      count: c.sentCount[t],
      bytes: c.sentBytes[t],
      perPeerPerSecond: c.sentCount[t] / denom,
      bytesPerPeerPerSecond: c.sentBytes[t] / denom,
    };
  }
  const total = c.totalSent();
  const bytes = c.totalBytes();
  return {
    total,
    bytes,
    delivered,
    droppedClosed: c.droppedClosed,
    perPeerPerSecond: total / denom,
    bytesPerPeerPerSecond: bytes / denom,
    byType,
  };
}
