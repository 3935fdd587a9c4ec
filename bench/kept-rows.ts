/** A bench result with one row per strategy (results/bench-convergence*.json). */
export interface RowsResult<R extends { strategy: string; commit?: string }> {
  commit?: string;
  scenario: unknown;
  results: R[];
}

/**
 * The rows a run of some strategies keeps for the others: from the file it
 * replaces — which may hold rows of an earlier, not yet committed run of
 * other strategies — else from the committed result; only from a result of
 * the same scenario size, each row naming the commit it was measured at.
 */
export function keptRows<R extends { strategy: string; commit?: string }>(
  rerun: readonly string[],
  scenario: unknown,
  onDisk: RowsResult<R> | undefined,
  committed: RowsResult<R> | undefined,
): R[] {
  const same = (r: RowsResult<R> | undefined) => r !== undefined && JSON.stringify(r.scenario) === JSON.stringify(scenario);
  const from = same(onDisk) ? onDisk : same(committed) ? committed : undefined;
  if (from === undefined) return [];
  return from.results.filter((r) => !rerun.includes(r.strategy)).map((r) => ({ ...r, commit: r.commit ?? from.commit }));
}
