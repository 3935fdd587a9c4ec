/** A bench result with one row per strategy (results/bench-convergence*.json). */
export interface RowsResult<R extends KeptRow> {
  commit?: string;
  machine?: { cpuModel?: string };
  scenario: unknown;
  results: R[];
}

/** A row names the commit and the CPU it was measured on (older rows: their file's). */
export interface KeptRow {
  strategy: string;
  commit?: string;
  cpuModel?: string;
}

/** The CPU a row ran on: its own record, else its file's machine (rows written before rows recorded it). */
export function cpuOf(row: KeptRow, file: { machine?: { cpuModel?: string } } | undefined): string | undefined {
  return row.cpuModel ?? file?.machine?.cpuModel;
}

/**
 * The rows a run of some strategies keeps for the others: from the file it
 * replaces — which may hold rows of an earlier, not yet committed run of
 * other strategies — else from the committed result; only from a result of
 * the same scenario size, each row naming the commit and the CPU it was
 * measured on.
 */
export function keptRows<R extends KeptRow>(
  rerun: readonly string[],
  scenario: unknown,
  onDisk: RowsResult<R> | undefined,
  committed: RowsResult<R> | undefined,
): R[] {
  const same = (r: RowsResult<R> | undefined) => r !== undefined && JSON.stringify(r.scenario) === JSON.stringify(scenario);
  const from = same(onDisk) ? onDisk : same(committed) ? committed : undefined;
  if (from === undefined) return [];
  return from.results
    .filter((r) => !rerun.includes(r.strategy))
    .map((r) => {
      const cpuModel = cpuOf(r, from);
      return { ...r, commit: r.commit ?? from.commit, ...(cpuModel === undefined ? {} : { cpuModel }) };
    });
}
