import * as d3 from 'd3';
import { memo, useEffect, useMemo, useRef, useState } from 'react';
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
/**
 * While a run plays the series grow with every worker frame; the charts
 * follow at most this often. A chart is read, not watched frame by frame, and
 * re-drawing three SVG charts (style, layout, paint of the page) ten times a
 * second took the page more time than painting the topology.
 */
export const CHART_REDRAW_MS = 250;

/** `value`, changed at most every `ms` (the last change always arrives). */
function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    const wait = last.current + ms - performance.now();
    if (wait <= 0) {
      last.current = performance.now();
      setShown(() => value);
      return;
    }
    const t = setTimeout(() => {
      last.current = performance.now();
      setShown(() => value);
    }, wait);
    return () => clearTimeout(t);
  }, [value, ms]);
  return shown;
}

/** The three curves, one line per strategy (live lanes and loaded results alike). */
export const SeriesPanel = memo(function SeriesPanel({ series, version }: { series: NamedSeries[]; version: number }) {
  const input = useMemo(() => ({ series, version }), [series, version]);
  const shown = useThrottled(input, CHART_REDRAW_MS);
  const charts = useMemo(() => {
    const lines = (f: (p: readonly SeriesPoint[]) => Curve): SeriesLine[] =>
      shown.series.map((s) => ({ label: s.label, color: s.color, dashed: s.dashed, points: f(s.points) })).filter((l) => l.points.length > 0);
    // Beside coverage, the share of dead peers still in maps: after an outage coverage drops and stays
    // down (the dead are gone for good), while this line shows the maps noticing them gone.
    const stale = lines(staleCurve).map((l) => ({ ...l, label: `${l.label}: dead still in maps`, dotted: true }));
    return { coverage: [...lines(coverageCurve), ...stale], rate: lines(messageRateCurve), lcc: lines(lccCurve) };
  }, [shown]);
  return (
    <div className="series-panel" data-testid="charts">
      <TimeSeries
        title="discovery coverage"
        detail="coverageMean: how much of the network peers' maps hold · dotted: dead peers still in maps (deadKnownMean)"
        lines={charts.coverage}
        yDomain={UNIT}
        yFormat={pct}
        testId="chart-coverage"
      />
      <TimeSeries title="messages / s" detail="messages per second, all peers (slope of the cumulative count)" lines={charts.rate} testId="chart-messages" />
      <TimeSeries title="largest connected component" detail="lccFraction: share of peers up in the largest connected component" lines={charts.lcc} yDomain={UNIT} yFormat={pct} testId="chart-lcc" />
    </div>
  );
});
