import { useState } from 'react';
import { MAX_RESULTS_FILE_BYTES, parseResults, type LoadedResults } from '../client/results.ts';

export interface ResultsPanelProps {
  loaded: LoadedResults | undefined;
  onLoaded(r: LoadedResults | undefined): void;
}

const DEFAULT_FILTER = 'discovery|lcc|perPeerPerSecond|topology.degree.mean|components';

function fmt(v: number | null): string {
  if (v === null) return '–';
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
}

/** Loads a summary.json / compare.json written by the CLI: its series join the charts (dashed), its metrics fill a table. */
export function ResultsPanel({ loaded, onLoaded }: ResultsPanelProps) {
  const [error, setError] = useState<string | undefined>();
  const [filter, setFilter] = useState(DEFAULT_FILTER);
  let re: RegExp | undefined;
  try {
    re = new RegExp(filter, 'i');
  } catch {
    re = undefined;
  }
  const rows = loaded && re ? loaded.rows.filter((r) => re.test(r.path)).slice(0, 60) : [];
  return (
    <section className="panel">
      <h2>CLI results</h2>
      <input
        type="file"
        accept=".json,application/json"
        data-testid="results-file"
        onChange={async (e) => {
          const file = e.target.files?.[0];
          if (!file) return;
          try {
            if (file.size > MAX_RESULTS_FILE_BYTES) throw new Error(`${file.name}: larger than ${MAX_RESULTS_FILE_BYTES} bytes`);
            onLoaded(parseResults(await file.text(), file.name));
            setError(undefined);
          } catch (err) {
            setError(err instanceof Error ? err.message : String(err));
          }
        }}
      />
      {error && <p className="error">{error}</p>}
      {loaded && (
        <>
          <p data-testid="results-title">{loaded.title}</p>
          <ul className="runs">
            {loaded.runs.map((r) => (
              <li key={r.label}>
                {r.label}: trace <code>{r.traceHash}</code>
              </li>
            ))}
          </ul>
          <label>
            metrics matching <input value={filter} onChange={(e) => setFilter(e.target.value)} />
          </label>
          <table className="small" data-testid="results-table">
            <thead>
              <tr>
                <th>metric</th>
                {loaded.columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.path}>
                  <td>{r.path}</td>
                  {r.values.map((v, i) => (
                    <td key={i}>{fmt(v)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <button onClick={() => onLoaded(undefined)}>clear</button>
        </>
      )}
    </section>
  );
}
