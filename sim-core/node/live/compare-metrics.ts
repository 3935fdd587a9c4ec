/**
 * Side-by-side figures of a simulated and a live run of one scenario, each
 * with its tolerance. A live run is not deterministic (the kernel's timing
 * decides which dial wins, which peer a random choice meets), so nothing is
 * compared by hash: each figure is a mean over peers or a rate over a time
 * window, and the tolerance says how far two runs of the same protocol may
 * fairly drift apart.
 */

export interface Tolerance {
  /** Allowed |live − sim| / |sim|. */
  rel?: number;
  /** Allowed |live − sim| (passes if either bound holds). */
  abs?: number;
  why: string;
}

export interface CompareRow {
  metric: string;
  sim: number | null;
  live: number | null;
  diff: number | null;
  tolerance: string;
  ok: boolean | null;
}

/** Relative drift of overlay shape: neighbour choice is seeded but races differ, so a few links go elsewhere. */
export const SHAPE_TOLERANCE: Tolerance = { rel: 0.1, why: 'same selection rules; races change a few picks' };
/** Both overlays should be whole: at most 1% of peers outside the largest component. */
export const LCC_TOLERANCE: Tolerance = { abs: 0.01, why: 'one component in both' };
/** Coverage at a time: joins and gossip rounds shift by the timer resolution and by CPU on a shared machine. */
export const COVERAGE_TOLERANCE: Tolerance = { abs: 0.1, why: 'gossip rounds shift by scheduling delay' };
/** Time to a coverage level: within two sample periods or 25%. */
export const TIME_TOLERANCE_REL = 0.25;
/** Steady-state message rates per type: same timers and batching, different neighbour counts and RTTs. */
export const RATE_TOLERANCE: Tolerance = { rel: 0.25, abs: 0.02, why: 'rates follow degree and timers' };

type Metrics = Record<string, unknown>;
type Series = { tS: number; coverageMean?: number }[];

function num(x: unknown): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

function get(m: Metrics, path: string): number | null {
  let v: unknown = m;
  for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return num(v);
}

export function row(metric: string, sim: number | null, live: number | null, t: Tolerance): CompareRow {
  const diff = sim !== null && live !== null ? live - sim : null;
  const ok = diff === null ? null : (t.abs !== undefined && Math.abs(diff) <= t.abs + 1e-12) || (t.rel !== undefined && Math.abs(diff) <= t.rel * Math.abs(sim!) + 1e-12);
  const bounds = [t.rel !== undefined ? `±${Math.round(t.rel * 100)}%` : '', t.abs !== undefined ? `±${t.abs}` : ''].filter(Boolean).join(' or ');
  return { metric, sim, live, diff, tolerance: bounds, ok };
}

/** Mean coverage at time `tS`: the last sample at or before it (half a second of slack for live sampling). */
export function coverageAt(series: Series, tS: number): number | null {
  let v: number | null = null;
  for (const p of series) if (p.tS <= tS + 0.5 && typeof p.coverageMean === 'number') v = p.coverageMean;
  return v;
}

/** Standard deviation of a degree histogram (histogram[d] = peers with degree d). */
export function histogramStd(h: readonly number[] | undefined): number | null {
  if (!h || h.length === 0) return null;
  let n = 0;
  let s = 0;
  let s2 = 0;
  h.forEach((c, d) => {
    n += c;
    s += c * d;
    s2 += c * d * d;
  });
  if (n === 0) return null;
  const mean = s / n;
  return Math.sqrt(Math.max(0, s2 / n - mean * mean));
}

/** Every compared figure, in display order. */
export function compareRuns(sim: Metrics, live: Metrics, durationS: number, sampleEveryS: number): CompareRow[] {
  const rows: CompareRow[] = [];
  const both = (metric: string, path: string, t: Tolerance) => rows.push(row(metric, get(sim, path), get(live, path), t));
  both('degree mean', 'topology.degree.mean', SHAPE_TOLERANCE);
  rows.push(row('degree std', histogramStd(histOf(sim)), histogramStd(histOf(live)), { abs: 1, rel: 0.25, why: 'spread of a few links' }));
  both('degree min', 'topology.degree.min', { abs: 2, why: 'one peer' });
  both('degree max', 'topology.degree.max', { abs: 3, why: 'one peer' });
  both('LCC fraction', 'topology.lccFraction', LCC_TOLERANCE);
  both('components', 'topology.components', { abs: 0, why: 'one' });
  both('avg path length', 'topology.avgPathLength', SHAPE_TOLERANCE);
  both('coverage (end)', 'discovery.coverageMean', { abs: 0.02, why: 'converged' });
  const simSeries = (sim.series ?? []) as Series;
  const liveSeries = (live.series ?? []) as Series;
  const times = [10, 30, 60, 120, 240].filter((t) => t < durationS);
  for (const t of times) rows.push(row(`coverage at ${t} s`, coverageAt(simSeries, t), coverageAt(liveSeries, t), COVERAGE_TOLERANCE));
  for (const k of ['timeTo50PctS', 'timeTo90PctS']) {
    const s = get(sim, `discovery.${k}`);
    rows.push(row(`discovery ${k}`, s, get(live, `discovery.${k}`), { abs: 2 * sampleEveryS, rel: TIME_TOLERANCE_REL, why: 'sampled' }));
  }
  both('messages/peer/s (all, steady)', 'messages.perPeerPerSecondSteady', RATE_TOLERANCE);
  both('bytes/peer/s (all, steady)', 'messages.bytesPerPeerPerSecondSteady', { rel: 0.25, why: RATE_TOLERANCE.why });
  const types = new Set([...Object.keys(steadyTypes(sim)), ...Object.keys(steadyTypes(live))]);
  for (const t of [...types].sort()) rows.push(row(`  ${t}/peer/s`, steadyTypes(sim)[t] ?? 0, steadyTypes(live)[t] ?? 0, RATE_TOLERANCE));
  both('handshakes established', 'node.handshakes.established', { rel: 0.25, why: 'redials follow races' });
  return rows;
}

function histOf(m: Metrics): number[] | undefined {
  const t = m.topology as { degree?: { histogram?: number[] } } | undefined;
  return t?.degree?.histogram;
}

function steadyTypes(m: Metrics): Record<string, number> {
  const by = (m.messages as { byTypeSteady?: Record<string, { perPeerPerSecond: number }> } | undefined)?.byTypeSteady ?? {};
  return Object.fromEntries(Object.entries(by).map(([k, v]) => [k, v.perPeerPerSecond]));
}

/** The table as text: metric, sim, live, difference, tolerance, verdict. */
export function formatCompare(rows: readonly CompareRow[]): string {
  const f = (x: number | null) => (x === null ? '-' : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3));
  const lines = [['metric', 'sim', 'live', 'diff', 'tolerance', ''], ...rows.map((r) => [r.metric, f(r.sim), f(r.live), r.diff === null ? '-' : (r.diff >= 0 ? '+' : '') + f(r.diff), r.tolerance, r.ok === null ? 'n/a' : r.ok ? 'ok' : 'OUTSIDE'])];
  const w = lines[0].map((_, c) => Math.max(...lines.map((l) => l[c].length)));
  return lines.map((l) => l.map((s, c) => (c === 0 ? s.padEnd(w[c]) : s.padStart(w[c]))).join('  ')).join('\n');
}
