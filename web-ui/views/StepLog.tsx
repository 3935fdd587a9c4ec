import type { SteppedEvent } from '../worker/protocol.ts';

/** Newest first; the log keeps this many. */
export const STEP_LOG_MAX = 8;

/** What each "step event" ran, newest first, so stepping teaches what the simulator does. */
export function StepLog({ entries }: { entries: readonly SteppedEvent[] }) {
  if (entries.length === 0) return null;
  return (
    <ol className="step-log" data-testid="step-log" data-count={entries.length} aria-label="events stepped, newest first">
      {entries.map((e, i) => (
        <li key={`${e.tUs}-${i}-${entries.length}`} data-kind={e.kind}>
          <span className="hint">{(e.tUs / 1e6).toFixed(6)} s</span> <b>{e.kind}</b> {e.text}
        </li>
      ))}
    </ol>
  );
}
