import { parents, type CpuProfile, type ProfileNode } from './cpu-profile.ts';
import { causeOf } from './causes.ts';

/** One row of a profile table: time in the key's own code, and with everything it called. */
export interface ProfileRow {
  key: string;
  selfUs: number;
  /** Inclusive: a sample counts once per key even when the key recurs on its stack. */
  totalUs: number;
}

export interface ProfileTable {
  totalUs: number;
  rows: ProfileRow[];
}

export type Grouping = 'cause' | 'file' | 'fn';

/** Where a frame's code lives, relative to the repository: `sim-core/…`, `node_modules/<package>`, `(Node)` or `(V8)`. */
export function sourceOf(rawUrl: string): string {
  if (rawUrl === '') return '(V8)';
  const url = rawUrl.replace(/[?#].*$/, ''); // tsx tags each module with a query
  if (url.startsWith('node:')) return '(Node)';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/');
    return `node_modules/${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  for (const top of ['sim-core/', 'bench/', 'web-ui/', 'bin/']) {
    const at = url.lastIndexOf(`/${top}`);
    if (at >= 0) return url.slice(at + 1);
  }
  return url.replace(/^file:\/\//, '');
}

/** V8's synthetic top of every stack. */
function isRoot(node: ProfileNode): boolean {
  return node.callFrame.url === '' && node.callFrame.functionName === '(root)';
}

/** A node's key under a grouping. */
export function keyOf(node: ProfileNode, by: Grouping): string {
  const file = sourceOf(node.callFrame.url);
  const fn = node.callFrame.functionName || (file === '(V8)' ? '(program)' : '(anonymous)');
  if (by === 'file') return file === '(V8)' ? fn : file;
  if (by === 'fn') return file === '(V8)' ? fn : `${fn} ${file}`;
  return causeOf(file, fn);
}

/**
 * Self and inclusive time per key, largest self first. Time is attributed per
 * sample (its delta to the node sampled), summed per node first, so the walk
 * up the stacks is once per sampled node, not once per sample.
 */
export function aggregate(p: CpuProfile, by: Grouping): ProfileTable {
  const selfByNode = new Map<number, number>();
  let totalUs = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const d = Math.max(0, p.timeDeltas[i]); // a negative delta (samples out of order): the sample counts for nothing
    selfByNode.set(p.samples[i], (selfByNode.get(p.samples[i]) ?? 0) + d);
    totalUs += d;
  }
  const keys = new Map(p.nodes.map((n) => [n.id, keyOf(n, by)]));
  // V8's synthetic root is above everything: inclusive, it would be a useless 100% row.
  const roots = new Set(p.nodes.filter(isRoot).map((n) => n.id));
  const parent = parents(p.nodes);
  const rows = new Map<string, ProfileRow>();
  const row = (key: string): ProfileRow => {
    let r = rows.get(key);
    if (!r) rows.set(key, (r = { key, selfUs: 0, totalUs: 0 }));
    return r;
  };
  const seen = new Set<string>();
  for (const [id, us] of selfByNode) {
    row(keys.get(id)!).selfUs += us;
    seen.clear();
    // parseCpuProfile checked that every chain ends at a root.
    for (let v: number | undefined = id; v !== undefined; v = parent.get(v)) {
      const key = keys.get(v)!;
      if (roots.has(v) || seen.has(key)) continue;
      seen.add(key);
      row(key).totalUs += us;
    }
  }
  return { totalUs, rows: [...rows.values()].sort((a, b) => b.selfUs - a.selfUs || b.totalUs - a.totalUs || (a.key < b.key ? -1 : 1)) };
}

/** The table as text: share of self time, self and inclusive seconds, key; the `top` largest rows. */
export function formatTable(t: ProfileTable, by: Grouping, top: number): string {
  const s = (us: number) => (us / 1e6).toFixed(2).padStart(8);
  const pct = (us: number) => `${t.totalUs > 0 ? ((100 * us) / t.totalUs).toFixed(1) : '0.0'}%`.padStart(6);
  const name = { cause: 'cause', file: 'file', fn: 'function and file' }[by];
  const lines = [`by ${name}, ${(t.totalUs / 1e6).toFixed(1)} s sampled`, `  self    self s   total s  ${name}`];
  for (const r of t.rows.slice(0, top)) lines.push(`${pct(r.selfUs)}  ${s(r.selfUs)}  ${s(r.totalUs)}  ${r.key}`);
  if (t.rows.length > top) lines.push(`  … ${t.rows.length - top} more`);
  return lines.join('\n');
}
