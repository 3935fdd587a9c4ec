import type { SeriesPoint } from '../worker/protocol.ts';

/** The dashboard's three curves, from a run's series (`metrics.series` or live samples). */
export type Curve = [number, number][];

/** Discovery coverage (`coverageMean`), where the strategy reports it. */
export function coverageCurve(points: readonly SeriesPoint[]): Curve {
  return points.filter((p) => typeof p.coverageMean === 'number').map((p) => [p.tS, p.coverageMean]);
}

/** Messages per simulated second, from the cumulative `messages` count between samples. */
export function messageRateCurve(points: readonly SeriesPoint[]): Curve {
  const out: Curve = [];
  for (let i = 1; i < points.length; i++) {
    const dt = points[i].tS - points[i - 1].tS;
    if (dt > 0) out.push([points[i].tS, (points[i].messages - points[i - 1].messages) / dt]);
  }
  return out;
}

/** Share of live peers in the overlay's largest connected component. */
export function lccCurve(points: readonly SeriesPoint[]): Curve {
  return points.filter((p) => typeof p.lccFraction === 'number').map((p) => [p.tS, p.lccFraction]);
}

/** Share of the dead peers that live peers still hold in their maps (`deadKnownMean`), once some peer has died. */
export function staleCurve(points: readonly SeriesPoint[]): Curve {
  const first = points.findIndex((p) => typeof p.deadKnownMean === 'number' && p.deadKnownMean > 0);
  return first < 0 ? [] : points.slice(first).filter((p) => typeof p.deadKnownMean === 'number').map((p) => [p.tS, p.deadKnownMean]);
}
