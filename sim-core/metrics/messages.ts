import type { NetCounters } from '../net/counters.ts';
import { MAX_MESSAGE_TYPES } from '../net/counters.ts';
import type { MessageSizer } from '../sans-io/protocol.ts';

export interface TypeFigures {
  count: number;
  bytes: number;
  perPeerPerSecond: number;
  bytesPerPeerPerSecond: number;
}

/** Counters copied at the start of the steady-state window. */
export interface CounterSnapshot {
  tUs: number;
  sentCount: Float64Array;
  sentBytes: Float64Array;
}

export function snapshotCounters(c: NetCounters, tUs: number): CounterSnapshot {
  return { tUs, sentCount: c.sentCount.slice(), sentBytes: c.sentBytes.slice() };
}

export interface MessageMetrics {
  total: number;
  bytes: number;
  delivered: number;
  droppedClosed: number;
  perPeerPerSecond: number;
  bytesPerPeerPerSecond: number;
  byType: Record<string, TypeFigures>;
  /** Start of the steady-state window (s), when there is one. */
  steadyFromS?: number;
  perPeerPerSecondSteady?: number;
  bytesPerPeerPerSecondSteady?: number;
  byTypeSteady?: Record<string, { perPeerPerSecond: number; bytesPerPeerPerSecond: number }>;
  /** Median over the sampling intervals of the steady window: the quiet steady rate, which a periodic burst does not lift. */
  steadyMedianPerPeerPerSecond?: number;
  /** The busiest sampling interval of the steady window (a periodic refresh, say), and when it began (s). */
  steadyPeakPerPeerPerSecond?: number;
  steadyPeakFromS?: number;
}

/**
 * Message counts and rates, overall and by wire type name (types in numeric
 * order); with a snapshot, also the rates over the steady window from the
 * snapshot to the end.
 */
export function messageMetrics(c: NetCounters, sizer: MessageSizer<unknown>, peers: number, seconds: number, steady?: CounterSnapshot): MessageMetrics {
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
  const steadyFigures = steady ? steadyRates(c, sizer, peers, seconds, steady) : {};
  return {
    total,
    bytes,
    delivered,
    droppedClosed: c.droppedClosed,
    perPeerPerSecond: total / denom,
    bytesPerPeerPerSecond: bytes / denom,
    byType,
    ...steadyFigures,
  };
}

function steadyRates(c: NetCounters, sizer: MessageSizer<unknown>, peers: number, seconds: number, s: CounterSnapshot) {
  const span = seconds - s.tUs / 1e6;
  if (!(span > 0)) return {};
  const denom = Math.max(1, peers) * span;
  let count = 0;
  let bytes = 0;
  const byTypeSteady: Record<string, { perPeerPerSecond: number; bytesPerPeerPerSecond: number }> = {};
  for (let t = 0; t < MAX_MESSAGE_TYPES; t++) {
    const dc = c.sentCount[t] - s.sentCount[t];
    const db = c.sentBytes[t] - s.sentBytes[t];
    count += dc;
    bytes += db;
    if (dc > 0) byTypeSteady[sizer.typeName(t)] = { perPeerPerSecond: dc / denom, bytesPerPeerPerSecond: db / denom };
  }
  return { steadyFromS: s.tUs / 1e6, perPeerPerSecondSteady: count / denom, bytesPerPeerPerSecondSteady: bytes / denom, byTypeSteady };
}

/**
 * Message rates per sampling interval of the steady window (intervals that
 * start at or after `fromS`, from the run's cumulative message counts): the
 * median is the steady rate without bursts, the peak shows the burst (e.g.
 * a periodic re-announcement) separately. Empty without an interval.
 */
export function steadyIntervals(
  points: readonly { tS: number; messages: number }[],
  fromS: number,
  peers: number,
): Pick<MessageMetrics, 'steadyMedianPerPeerPerSecond' | 'steadyPeakPerPeerPerSecond' | 'steadyPeakFromS'> {
  const rates: number[] = [];
  let peak = -1;
  let peakFromS = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1];
    if (a.tS < fromS || !(b.tS > a.tS)) continue;
    const r = (b.messages - a.messages) / (Math.max(1, peers) * (b.tS - a.tS));
    rates.push(r);
    if (r > peak) [peak, peakFromS] = [r, a.tS];
  }
  if (rates.length === 0) return {};
  const sorted = rates.slice().sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { steadyMedianPerPeerPerSecond: median, steadyPeakPerPeerPerSecond: peak, steadyPeakFromS: peakFromS };
}
