/**
 * Allocation sites from V8's sampling heap profile (HeapProfiler with the
 * objects every GC collected kept in): bytes allocated by each function,
 * keyed by the function, its file and the caller it was allocated under.
 * Only the profile's shape is trusted: anything else is a typed error.
 */
import { sourceOf } from '../profile/aggregate.ts';

export class AllocProfileError extends Error {}

export interface HeapNode {
  callFrame: { functionName: string; url: string };
  selfSize: number;
  children: HeapNode[];
}

export interface AllocRow {
  /** `function file ← caller` (no line: tsx's transpiled modules report none that maps to the source). */
  key: string;
  bytes: number;
}

export interface AllocTable {
  totalBytes: number;
  rows: AllocRow[];
}

/** Depth bound of the walk (V8's stacks are far shallower; a hostile file is not). */
const MAX_DEPTH = 10_000;

/** `function file`, the file named as bench:profile names it (sourceOf). */
function frameName(n: HeapNode): string {
  const cf = n.callFrame;
  return `${cf.functionName || '(anonymous)'} ${sourceOf(cf.url)}`;
}

/** Bytes per (function, caller), largest first. */
export function allocTable(head: HeapNode): AllocTable {
  const bytes = new Map<string, number>();
  let totalBytes = 0;
  const stack: { node: HeapNode; caller: string; depth: number }[] = [{ node: head, caller: '', depth: 0 }];
  while (stack.length > 0) {
    const { node, caller, depth } = stack.pop()!;
    if (depth > MAX_DEPTH) throw new AllocProfileError(`call tree deeper than ${MAX_DEPTH}`);
    if (!node || typeof node.selfSize !== 'number' || !Array.isArray(node.children) || typeof node.callFrame?.functionName !== 'string' || typeof node.callFrame.url !== 'string') {
      throw new AllocProfileError('not a sampling heap profile node (callFrame, selfSize, children)');
    }
    const name = frameName(node);
    if (node.selfSize > 0) {
      const key = caller === '' ? name : `${name} ← ${caller}`;
      bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
      totalBytes += node.selfSize;
    }
    for (const c of node.children) stack.push({ node: c, caller: name, depth: depth + 1 });
  }
  const rows = [...bytes].map(([key, b]) => ({ key, bytes: b })).sort((a, b) => b.bytes - a.bytes || (a.key < b.key ? -1 : 1));
  return { totalBytes, rows };
}

export function formatAllocTable(t: AllocTable, top: number): string {
  const lines = [`allocated ${(t.totalBytes / 2 ** 20).toFixed(1)} MiB (sampled), by site`, '  share     MiB  function file ← caller'];
  for (const r of t.rows.slice(0, top)) {
    const share = t.totalBytes > 0 ? (100 * r.bytes) / t.totalBytes : 0;
    lines.push(`${share.toFixed(1).padStart(6)}% ${(r.bytes / 2 ** 20).toFixed(1).padStart(7)}  ${r.key}`);
  }
  if (t.rows.length > top) lines.push(`  … ${t.rows.length - top} more`);
  return lines.join('\n');
}
