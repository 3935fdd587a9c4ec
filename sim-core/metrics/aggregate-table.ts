import { comparePaths, type Aggregate, type Stat } from './aggregate.ts';

/**
 * The key-metrics table shared by the terminal and the HTML report: a
 * curated list of rows, each matched against every strategy's aggregate by
 * path patterns, because the metric producers (global map, Kademlia,
 * workloads) name their sections independently.
 */
export interface KeyMetric {
  label: string;
  /**
   * Dotted path patterns, tried in order; the first that matches any path
   * wins. `*` matches within one segment, `**` any number of segments.
   */
  patterns: readonly string[];
}

export const KEY_METRICS: readonly KeyMetric[] = [
  { label: 'discovery: time to 50% (s)', patterns: ['**.timeTo50PctS'] },
  { label: 'discovery: time to 90% (s)', patterns: ['**.timeTo90PctS'] },
  { label: 'discovery: coverage', patterns: ['**.discovery.coverage', '**.discovery.coverageMean', '**.coverageMean', '**.coverage'] },
  { label: 'topology: avg path length', patterns: ['topology.avgPathLength', '**.avgPathLength'] },
  { label: 'topology: diameter', patterns: ['topology.diameter', '**.diameter'] },
  { label: 'topology: clustering', patterns: ['topology.clustering', '**.clustering'] },
  { label: 'topology: mean overlap', patterns: ['topology.meanOverlap', '**.meanOverlap'] },
  { label: 'LCC fraction', patterns: ['topology.lccFraction', 'node.lccFraction', '**.lccFraction'] },
  { label: 'degree (mean)', patterns: ['topology.degree.mean', '**.degree.mean', 'node.meanPeers'] },
  { label: 'messages /peer/s', patterns: ['messages.perPeerPerSecond'] },
  { label: 'messages /peer/s (steady)', patterns: ['messages.perPeerPerSecondSteady'] },
  { label: 'bytes /peer/s', patterns: ['messages.bytesPerPeerPerSecond'] },
  { label: 'bytes /peer/s (steady)', patterns: ['messages.bytesPerPeerPerSecondSteady'] },
  { label: 'map bytes /peer', patterns: ['**.mapBytesPerPeer', '**.map.bytesPerPeer', '**.mapBytes*'] },
  { label: 'blocks: to 50% of peers (ms, mean)', patterns: ['blocks.t50MsMean'] },
  { label: 'blocks: to 90% of peers (ms, mean)', patterns: ['blocks.t90MsMean'] },
  { label: 'blocks: to 100% of peers (ms, mean)', patterns: ['blocks.t100MsMean'] },
  { label: 'blocks: duplicate bodies per block', patterns: ['blocks.duplicateBodiesPerBlock'] },
  { label: 'security: honest map precision', patterns: ['security.honestMapPrecision'] },
  { label: 'security: honest map recall', patterns: ['security.honestMapRecall'] },
  { label: 'security: honest → honest bans', patterns: ['security.honestToHonestBans'] },
  { label: 'security: attackers banned', patterns: ['security.attackersBanned'] },
  { label: 'security: eclipsed honest peers', patterns: ['security.eclipsedPeers'] },
  { label: 'security: victims eclipsed', patterns: ['security.victimsEclipsed'] },
  { label: 'kademlia: lookup success rate', patterns: ['kademlia.lookupSuccessRate'] },
  { label: 'kademlia: lookup hops (mean)', patterns: ['kademlia.meanHops'] },
  { label: 'kademlia: lookup latency (ms, mean)', patterns: ['kademlia.meanLatencyMs'] },
  { label: 'kademlia: messages per lookup', patterns: ['kademlia.messagesPerLookup'] },
];

const patternCache = new Map<string, RegExp>();

/** A dotted-path glob as a regular expression. */
export function patternRegExp(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .split('.')
      .map((seg, i, all) => {
        const last = i === all.length - 1;
        if (seg === '**') return last ? '.*' : '(?:[^.]+\\.)*';
        const s = seg.replace(/[\\^$+?()[\]{}|]/g, '\\$&').replace(/\*/g, '[^.]*');
        return last ? s : `${s}\\.`;
      })
      .join('');
    re = new RegExp(`^${body}$`);
    patternCache.set(pattern, re);
  }
  return re;
}

/** The path a pattern picks among `paths`: the shortest match (fewest segments), ties by path order. */
export function matchPath(paths: readonly string[], pattern: string): string | undefined {
  const re = patternRegExp(pattern);
  const hits = paths.filter((p) => re.test(p));
  hits.sort((a, b) => a.split('.').length - b.split('.').length || comparePaths(a, b));
  return hits[0];
}

export interface TableCell {
  path: string;
  stat: Stat;
  text: string;
}

export interface TableRow {
  label: string;
  /** Strategy → cell; absent when that strategy lacks the metric. */
  cells: Record<string, TableCell | undefined>;
}

/**
 * Rows of the key-metrics table: the curated list (rows no strategy has are
 * left out), then, with `all`, every other aggregated metric by path.
 */
export function keyMetricRows(aggregates: Record<string, Aggregate>, options: { all?: boolean } = {}): TableRow[] {
  const strategies = Object.keys(aggregates);
  const pathsOf = new Map(strategies.map((s) => [s, Object.keys(aggregates[s].metrics)]));
  const used = new Set<string>();
  const rows: TableRow[] = [];
  for (const km of KEY_METRICS) {
    const cells: Record<string, TableCell | undefined> = {};
    let any = false;
    for (const s of strategies) {
      const paths = pathsOf.get(s) ?? [];
      let path: string | undefined;
      for (const p of km.patterns) if ((path = matchPath(paths, p))) break;
      if (path === undefined) continue;
      const stat = aggregates[s].metrics[path];
      cells[s] = { path, stat, text: formatStat(stat) };
      used.add(path);
      any = true;
    }
    if (any) rows.push({ label: km.label, cells });
  }
  if (options.all) {
    const rest = [...new Set(strategies.flatMap((s) => pathsOf.get(s) ?? []))].filter((p) => !used.has(p)).sort(comparePaths);
    for (const path of rest) {
      const cells: Record<string, TableCell | undefined> = {};
      for (const s of strategies) {
        const stat = aggregates[s].metrics[path];
        if (stat) cells[s] = { path, stat, text: formatStat(stat) };
      }
      rows.push({ label: path, cells });
    }
  }
  return rows;
}

/** A number for people: integers as they are, others to 4 significant digits. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  return String(Number(x.toPrecision(4)));
}

/** `mean ± ci95`, or just the mean when there is no interval (one seed). */
export function formatStat(s: Stat): string {
  return s.ci95 === null ? formatNumber(s.mean) : `${formatNumber(s.mean)} ± ${formatNumber(s.ci95)}`;
}

/** A fixed-width text table (first column left-aligned, the others right-aligned). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
