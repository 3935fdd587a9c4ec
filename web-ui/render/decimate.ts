/**
 * Fewer points for a line chart without changing its look: a chart `width`
 * px wide cannot show more than a few points per pixel column, but a run of
 * an hour at speed max brings thousands per line, and re-drawing them all a
 * few times a second costs the page its frame rate. Each of `buckets` runs of
 * consecutive points keeps its first, lowest, highest and last point (in
 * order), so peaks and dips survive; a gap (a non-finite y) is kept as one
 * point so the line still breaks there.
 */
export function decimate(points: readonly [number, number][], buckets: number): [number, number][] {
  const n = points.length;
  const b = Math.max(1, Math.floor(buckets));
  if (n <= 4 * b) return points as [number, number][];
  const out: [number, number][] = [];
  for (let k = 0; k < b; k++) {
    const lo = Math.floor((k * n) / b);
    const hi = Math.floor(((k + 1) * n) / b);
    if (hi <= lo) continue;
    let min = -1;
    let max = -1;
    let gap = -1;
    for (let i = lo; i < hi; i++) {
      const y = points[i][1];
      if (!Number.isFinite(y)) {
        if (gap < 0) gap = i;
        continue;
      }
      if (min < 0 || y < points[min][1]) min = i;
      if (max < 0 || y > points[max][1]) max = i;
    }
    // Indices in order, each once.
    const keep = [lo, min, max, gap, hi - 1].filter((i) => i >= 0).sort((a, c) => a - c);
    let last = -1;
    for (const i of keep) if (i !== last) out.push(points[(last = i)]);
  }
  return out;
}
