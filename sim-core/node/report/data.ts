import { aggregateSeries, type SeriesStat } from '../../metrics/aggregate.ts';
import { keyMetricRows, formatNumber } from '../../metrics/aggregate-table.ts';
import type { CompareResult } from '../compare/compare.ts';

/** One plot as the browser script draws it; every strategy has an entry, null (or []) when it lacks the data. */
export interface LinePlot {
  kind: 'line';
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Strategy → mean over seeds per sample time, with the min–max band. */
  series: Record<string, SeriesStat[]>;
}

export interface BarPlot {
  kind: 'bars';
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Strategy → fraction per bin (bin = array index), or null when the strategy lacks the histogram. */
  bins: Record<string, number[] | null>;
  /** Bins below this are not drawn (e.g. path length 0). */
  minBin: number;
}

export interface ReportTable {
  header: string[];
  rows: { label: string; cells: ({ text: string; title: string } | null)[] }[];
}

/** Everything report.html needs, inlined as JSON. */
export interface ReportData {
  title: string;
  subtitle: string;
  strategies: string[];
  plots: (LinePlot | BarPlot)[];
  summary: ReportTable;
  runs: ReportTable;
}

/** Time series plotted: key in `metrics.series`, and whether it is a cumulative counter to turn into a rate. */
const LINE_PLOTS = [
  { id: 'coverage', key: 'coverageMean', mode: 'value', title: 'Discovery coverage over time', yLabel: 'mean fraction of peers known' },
  { id: 'messages', key: 'messages', mode: 'rate', title: 'Messages per second over time', yLabel: 'messages / s (whole network)' },
  { id: 'lcc', key: 'lccFraction', mode: 'value', title: 'Largest connected component over time', yLabel: 'LCC fraction of live peers' },
] as const;

const BAR_PLOTS = [
  { id: 'degree', path: 'topology.degree.histogram', title: 'Degree distribution', xLabel: 'degree', yLabel: 'fraction of peers', minBin: 0 },
  { id: 'paths', path: 'topology.pathLengthHistogram', title: 'Path-length distribution', xLabel: 'hops', yLabel: 'fraction of peer pairs', minBin: 1 },
] as const;

type Sample = { tS: number } & Record<string, unknown>;

function seriesOf(metrics: Record<string, unknown>): Sample[] {
  const s = metrics.series;
  return Array.isArray(s) ? (s as Sample[]) : [];
}

/** A histogram as fractions of its total; null when empty or all zero. */
function normalised(h: number[] | Record<string, number> | undefined): number[] | null {
  if (!h) return null;
  const arr: number[] = [];
  for (const [k, v] of Object.entries(h)) if (/^\d+$/.test(k)) arr[Number(k)] = v;
  for (let i = 0; i < arr.length; i++) arr[i] ??= 0;
  const sum = arr.reduce((a, b) => a + b, 0);
  return sum > 0 ? arr.map((v) => v / sum) : null;
}

export function reportData(c: CompareResult): ReportData {
  const strategies = Object.keys(c.strategies);
  const plots: (LinePlot | BarPlot)[] = [];
  for (const p of LINE_PLOTS) {
    const series: Record<string, SeriesStat[]> = {};
    for (const s of strategies) series[s] = aggregateSeries(c.strategies[s].runs.map((r) => seriesOf(r.metrics)), p.key, p.mode);
    plots.push({ kind: 'line', id: p.id, title: p.title, xLabel: 'simulated time (s)', yLabel: p.yLabel, series });
  }
  for (const p of BAR_PLOTS) {
    const bins: Record<string, number[] | null> = {};
    for (const s of strategies) bins[s] = normalised(c.strategies[s].aggregate.histograms[p.path]?.mean);
    plots.push({ kind: 'bars', id: p.id, title: p.title, xLabel: p.xLabel, yLabel: p.yLabel, bins, minBin: p.minBin });
  }
  const aggregates = Object.fromEntries(strategies.map((s) => [s, c.strategies[s].aggregate]));
  const summary: ReportTable = {
    header: ['metric', ...strategies],
    rows: keyMetricRows(aggregates).map((r) => ({
      label: r.label,
      cells: strategies.map((s) => {
        const cell = r.cells[s];
        if (!cell) return null;
        const st = cell.stat;
        return { text: cell.text, title: `${cell.path}: n = ${st.n}, min ${formatNumber(st.min)}, max ${formatNumber(st.max)}` };
      }),
    })),
  };
  const runs: ReportTable = {
    header: ['strategy', 'seed', 'trace hash', 'events', 'wall (s)', 'end'],
    rows: strategies.flatMap((s) =>
      c.strategies[s].runs.map((r) => ({
        label: s,
        cells: [String(r.seed), r.traceHash, String(r.eventsProcessed), r.wallSeconds.toFixed(2), r.endReason].map((text) => ({ text, title: '' })),
      })),
    ),
  };
  const sc = c.scenario;
  return {
    title: `peermap compare: ${sc.name}`,
    subtitle: `${sc.peers} peers, ${sc.durationS} simulated s; seeds ${c.seeds.join(', ')}; ${c.generatedBy}, commit ${c.commit}`,
    strategies,
    plots,
    summary,
    runs,
  };
}
