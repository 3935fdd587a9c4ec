/** A time-series point as the resilience figures read it. */
interface Point {
  tS: number;
  lccFraction?: number;
  deadKnownMean?: number;
}

interface Disruption {
  tS: number;
  event: string;
  name: string;
  hosts: number;
}

/** LCC counted as recovered once within this of its level before the disruption (or ≥ 0.99). */
const LCC_TOLERANCE = 0.01;
/** Maps count as having forgotten the dead when under this share of them is still known. */
const FORGOTTEN = 0.05;

/**
 * Per partition or outage of the timeline (issue 6 §9): the overlay's
 * largest-component fraction just before and at its lowest after the event;
 * the time from the heal (partition) or restart (outage; the event itself if
 * none) until it is back; and, when maps are sampled, the time until maps
 * forget the peers that went down. Times are from the series, so their
 * resolution is `metrics.sampleEveryS`.
 */
import { minOf } from '../engine/extremes.ts';
export function resilienceMetrics(series: readonly Point[], timeline: readonly Disruption[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const e of timeline) {
    if (e.event !== 'partition' && e.event !== 'outage') continue;
    const end = timeline.find((x) => x.tS >= e.tS && x.name === e.name && x.event === (e.event === 'partition' ? 'heal' : 'restore'));
    const before = [...series].reverse().find((p) => p.tS < e.tS && typeof p.lccFraction === 'number');
    const during = series.filter((p) => p.tS >= e.tS && (!end || p.tS <= end.tS) && typeof p.lccFraction === 'number');
    const target = Math.min(before?.lccFraction ?? 1, 1 - LCC_TOLERANCE) - LCC_TOLERANCE;
    const anchor = end?.tS ?? e.tS;
    const back = series.find((p) => p.tS >= anchor && (p.lccFraction ?? 0) >= target);
    // Only before the restart: afterwards the "dead" are back and nothing is left to forget.
    const forgotten = e.event === 'outage' ? series.find((p) => p.tS > e.tS && (!end || p.tS < end.tS) && typeof p.deadKnownMean === 'number' && p.deadKnownMean <= FORGOTTEN) : undefined;
    out.push({
      event: e.event,
      name: e.name,
      atS: e.tS,
      hosts: e.hosts,
      endedAtS: end?.tS ?? null,
      lccBefore: before?.lccFraction ?? null,
      lccAfterMin: during.length ? minOf(during.map((p) => p.lccFraction!)) : null,
      timeToRecoverS: back ? back.tS - anchor : null,
      ...(e.event === 'outage' && series.some((p) => typeof p.deadKnownMean === 'number') ? { timeToForgetDeadS: forgotten ? forgotten.tS - e.tS : null } : {}),
    });
  }
  return out;
}
