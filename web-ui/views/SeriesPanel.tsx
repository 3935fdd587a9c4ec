import * as d3 from 'd3';
import { useMemo } from 'react';
import { coverageCurve, lccCurve, messageRateCurve, staleCurve, type Curve } from '../client/series.ts';
import type { SeriesPoint } from '../worker/protocol.ts';
import { TimeSeries, type SeriesLine } from './TimeSeries.tsx';

export interface NamedSeries {
  label: string;
  color: string;
  points: readonly SeriesPoint[];
  dashed?: boolean;
}

const pct = d3.format('.0%');
const UNIT: [number, number] = [0, 1];

/** The three curves, one line per strategy (live lanes and loaded results alike). */
export function SeriesPanel({ series, version }: { series: NamedSeries[]; version: number }) {
  const charts = useMemo(() => {
    const lines = (f: (p: readonly SeriesPoint[]) => Curve): SeriesLine[] =>
      series.map((s) => ({ label: s.label, color: s.color, dashed: s.dashed, points: f(s.points) })).filter((l) => l.points.length > 0);
    // Beside coverage, the share of dead peers still in maps: after an outage coverage drops and stays
    // down (the dead are gone for good), while this line shows the maps noticing them gone.
    const stale = lines(staleCurve).map((l) => ({ ...l, label: `${l.label}: dead still in maps`, dotted: true }));
    return { coverage: [...lines(coverageCurve), ...stale], rate: lines(messageRateCurve), lcc: lines(lccCurve) };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [series, version]);
  return (
    <div className="series-panel">
      <TimeSeries title="discovery coverage (coverageMean) · dotted: dead peers still in maps (deadKnownMean)" lines={charts.coverage} yDomain={UNIT} yFormat={pct} testId="chart-coverage" />
      <TimeSeries title="messages / s (all peers)" lines={charts.rate} testId="chart-messages" />
      <TimeSeries title="largest connected component (lccFraction)" lines={charts.lcc} yDomain={UNIT} yFormat={pct} testId="chart-lcc" />
    </div>
  );
}
