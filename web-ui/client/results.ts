import type { SeriesPoint } from '../worker/protocol.ts';

/** One run of a loaded file. */
export interface LoadedRun {
  label: string;
  strategy: string;
  seed: number;
  traceHash: string;
  series: SeriesPoint[];
}

/** A `summary.json` (peermap run) or `compare.json` (peermap compare), reduced to what the dashboard shows. */
export interface LoadedResults {
  kind: 'summary' | 'compare';
  title: string;
  runs: LoadedRun[];
  /** Dotted metric path → value per column (strategy, or the run). */
  columns: string[];
  rows: { path: string; values: (number | null)[] }[];
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Numeric leaves of a metric tree as dotted paths (series and arrays left out). */
export function numericLeaves(tree: unknown, prefix = '', out = new Map<string, number>()): Map<string, number> {
  if (!isObj(tree)) return out;
  for (const [k, v] of Object.entries(tree)) {
    if (k === 'series') continue;
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'number' && Number.isFinite(v)) out.set(path, v);
    else if (isObj(v)) numericLeaves(v, path, out);
  }
  return out;
}

function seriesOf(metrics: unknown): SeriesPoint[] {
  const s = isObj(metrics) ? metrics.series : undefined;
  return Array.isArray(s) ? (s.filter((p) => isObj(p) && typeof p.tS === 'number') as SeriesPoint[]) : [];
}

/** Parses a results file; throws an Error that says what was expected. */
export function parseResults(text: string, fileName: string): LoadedResults {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(`${fileName}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (isObj(j) && isObj(j.strategies) && Array.isArray(j.seeds)) {
    const strategies = Object.entries(j.strategies).filter((e): e is [string, Json] => isObj(e[1]));
    const runs: LoadedRun[] = [];
    for (const [name, r] of strategies) {
      for (const run of Array.isArray(r.runs) ? r.runs : []) {
        if (!isObj(run)) continue;
        runs.push({ label: `${name} seed ${run.seed}`, strategy: name, seed: Number(run.seed), traceHash: String(run.traceHash ?? ''), series: seriesOf(run.metrics) });
      }
    }
    const means = strategies.map(([, r]) => {
      const m = isObj(r.aggregate) && isObj(r.aggregate.metrics) ? r.aggregate.metrics : {};
      return new Map(Object.entries(m).flatMap(([k, v]) => (isObj(v) && typeof v.mean === 'number' ? [[k, v.mean] as [string, number]] : [])));
    });
    const paths = [...new Set(means.flatMap((m) => [...m.keys()]))].sort();
    const scenario = isObj(j.scenario) ? j.scenario : {};
    return {
      kind: 'compare',
      title: `${fileName}: ${String(scenario.name ?? 'compare')} — ${strategies.map((s) => s[0]).join(' / ')}, seeds ${(j.seeds as unknown[]).join(', ')} (means over seeds)`,
      runs,
      columns: strategies.map((s) => s[0]),
      rows: paths.map((path) => ({ path, values: means.map((m) => m.get(path) ?? null) })),
    };
  }
  if (isObj(j) && typeof j.traceHash === 'string' && isObj(j.metrics)) {
    const cfg = isObj(j.scenarioConfig) ? j.scenarioConfig : {};
    const proto = isObj(cfg.protocol) ? cfg.protocol : {};
    const strategy = String(proto.strategy ?? proto.kind ?? 'run');
    const leaves = numericLeaves(j.metrics);
    return {
      kind: 'summary',
      title: `${fileName}: ${String(j.scenario ?? '')} (${strategy}), seed ${String(j.seed)}, trace ${j.traceHash}`,
      runs: [{ label: `${strategy} seed ${j.seed}`, strategy, seed: Number(j.seed), traceHash: j.traceHash, series: seriesOf(j.metrics) }],
      columns: [strategy],
      rows: [...leaves].sort((a, b) => a[0].localeCompare(b[0])).map(([path, v]) => ({ path, values: [v] })),
    };
  }
  throw new Error(`${fileName}: neither a summary.json (peermap run) nor a compare.json (peermap compare)`);
}
