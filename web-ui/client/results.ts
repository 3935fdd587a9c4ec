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

/** Bounds on a results file (it may come from anyone): its size, how deep its metrics go, how many runs (3 strategies × 1,000 seeds) and columns it shows. */
export const MAX_RESULTS_FILE_BYTES = 64 << 20;
export const MAX_METRIC_DEPTH = 16;
export const MAX_METRIC_LEAVES = 20_000;
export const MAX_RESULT_RUNS = 3_000;
export const MAX_RESULT_COLUMNS = 256;

/** Numeric leaves of a metric tree as dotted paths (series and arrays left out), at most MAX_METRIC_DEPTH deep and MAX_METRIC_LEAVES of them. */
export function numericLeaves(tree: unknown, prefix = ''): Map<string, number> {
  const out = new Map<string, number>();
  // An explicit stack: a hostile file nests 20,000 deep.
  const stack: [Json, string, number][] = isObj(tree) ? [[tree, prefix, 0]] : [];
  while (stack.length > 0 && out.size < MAX_METRIC_LEAVES) {
    const [node, at, depth] = stack.pop()!;
    for (const [k, v] of Object.entries(node)) {
      if (k === 'series') continue;
      const path = at ? `${at}.${k}` : k;
      if (typeof v === 'number' && Number.isFinite(v)) {
        if (out.size >= MAX_METRIC_LEAVES) break;
        out.set(path, v);
      } else if (isObj(v) && depth + 1 < MAX_METRIC_DEPTH) stack.push([v, path, depth + 1]);
    }
  }
  return out;
}

function seriesOf(metrics: unknown): SeriesPoint[] {
  const s = isObj(metrics) ? metrics.series : undefined;
  return Array.isArray(s) ? (s.filter((p) => isObj(p) && typeof p.tS === 'number') as SeriesPoint[]) : [];
}

/** Parses a results file; throws an Error that names the file and the field, and says what was expected. */
export function parseResults(text: string, fileName: string): LoadedResults {
  if (text.length > MAX_RESULTS_FILE_BYTES) throw new Error(`${fileName}: larger than ${MAX_RESULTS_FILE_BYTES} bytes`);
  /** A name or number from the file as text (an object whose toString is a number must not reach a template). */
  const shown = (v: unknown, field: string): string => {
    if (typeof v === 'string') return v.slice(0, 200);
    if (typeof v === 'number') return String(v);
    if (v === undefined || v === null) return '';
    throw new Error(`${fileName}: ${field} must be a string or a number`);
  };
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new Error(`${fileName}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (isObj(j) && isObj(j.strategies) && Array.isArray(j.seeds)) {
    const strategies = Object.entries(j.strategies).filter((e): e is [string, Json] => isObj(e[1]));
    if (strategies.length > MAX_RESULT_COLUMNS) throw new Error(`${fileName}: strategies: at most ${MAX_RESULT_COLUMNS} columns, got ${strategies.length}`);
    const runs: LoadedRun[] = [];
    for (const [name, r] of strategies) {
      for (const [i, run] of (Array.isArray(r.runs) ? r.runs : []).entries()) {
        if (!isObj(run)) continue;
        if (runs.length >= MAX_RESULT_RUNS) throw new Error(`${fileName}: at most ${MAX_RESULT_RUNS} runs`);
        const seed = shown(run.seed, `strategies.${name}.runs.${i}.seed`);
        runs.push({ label: `${name} seed ${seed}`, strategy: name, seed: Number(seed), traceHash: shown(run.traceHash, `strategies.${name}.runs.${i}.traceHash`), series: seriesOf(run.metrics) });
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
      title: `${fileName}: ${shown(scenario.name, 'scenario.name') || 'compare'} — ${strategies.map((s) => s[0]).join(' / ')}, seeds ${(j.seeds as unknown[])
        .slice(0, 20)
        .map((x, i) => shown(x, `seeds.${i}`))
        .join(', ')} (means over seeds)`,
      runs,
      columns: strategies.map((s) => s[0]),
      rows: paths.map((path) => ({ path, values: means.map((m) => m.get(path) ?? null) })),
    };
  }
  if (isObj(j) && typeof j.traceHash === 'string' && isObj(j.metrics)) {
    const cfg = isObj(j.scenarioConfig) ? j.scenarioConfig : {};
    const proto = isObj(cfg.protocol) ? cfg.protocol : {};
    const strategy = shown(proto.strategy ?? proto.kind, 'scenarioConfig.protocol.strategy') || 'run';
    const leaves = numericLeaves(j.metrics);
    const seed = shown(j.seed, 'seed');
    const traceHash = j.traceHash.slice(0, 200);
    return {
      kind: 'summary',
      title: `${fileName}: ${shown(j.scenario, 'scenario')} (${strategy}), seed ${seed}, trace ${traceHash}`,
      runs: [{ label: `${strategy} seed ${seed}`, strategy, seed: Number(seed), traceHash, series: seriesOf(j.metrics) }],
      columns: [strategy],
      rows: [...leaves].sort((a, b) => a[0].localeCompare(b[0])).map(([path, v]) => ({ path, values: [v] })),
    };
  }
  throw new Error(`${fileName}: neither a summary.json (peermap run) nor a compare.json (peermap compare)`);
}
