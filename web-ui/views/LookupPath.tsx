import { lookupRoundColor } from '../render/colors.ts';
import type { KadPathView } from '../worker/protocol.ts';

export interface LookupPathProps {
  peer: number;
  path: KadPathView | undefined;
  drawing: boolean;
  onDraw(on: boolean): void;
  onSelect(peer: number): void;
}

const OUTCOME: Record<string, string> = { answered: '', failed: 'no answer', unasked: 'could not be asked', pending: 'waiting' };

const who = (p: number) => (p >= 0 ? String(p) : '?');

/**
 * The inspected peer's last workload lookup, round by round: the peers
 * queried (each named by whom, how long it took, how many peers it answered
 * with and how many of those were new), the closest peer heard from so far,
 * and the outcome against the true closest live peer. Round r's queries were
 * sent on hearing from a round r−1 query; α of them at most in flight.
 */
export function LookupPath({ peer, path, drawing, onDraw, onSelect }: LookupPathProps) {
  if (!path) {
    return (
      <div className="lookup-path" data-testid="lookup-path" data-rounds={0}>
        <h3>last lookup</h3>
        <p className="hint">Waiting for peer {peer}'s next lookup of a random key (the workload starts one now and then; it is recorded from now on).</p>
      </div>
    );
  }
  const ended = path.endedS !== null;
  const verdict =
    !ended ? 'running…' : path.success ? `found the true closest peer ${who(path.trueClosest)}` : `${path.reason}: answer ${who(path.result[0] ?? -1)}, true closest ${who(path.trueClosest)}`;
  return (
    <div
      className="lookup-path"
      data-testid="lookup-path"
      data-rounds={path.rounds.length}
      data-ended={ended ? 'true' : 'false'}
      data-reason={path.reason ?? ''}
      data-success={path.success === null ? '' : String(path.success)}
      data-queries={path.rounds.reduce((s, r) => s + r.queries.length, 0)}
    >
      <h3>
        last lookup <span className="hint">(key <span className="mono">{path.target}…</span>, t = {path.startedS.toFixed(1)} s{ended && `, ${((path.endedS! - path.startedS) * 1000).toFixed(0)} ms`})</span>
      </h3>
      <p className={ended ? (path.success ? 'up' : 'down') : 'hint'}>{verdict}</p>
      <ol className="lookup-rounds">
        {path.rounds.map((r) => (
          <li key={r.round} data-testid="lookup-round" data-round={r.round} data-queries={r.queries.length}>
            <span className="swatch" style={{ background: lookupRoundColor(r.round) }} /> round {r.round}:{' '}
            {r.queries.map((q, i) => (
              <span key={q.num} title={`named by ${who(q.via)}; ${q.outcome === 'answered' ? `answered with ${q.returned.map(who).join(', ')}` : OUTCOME[q.outcome]}`}>
                {i > 0 && ', '}
                {q.peer >= 0 ? <button className="chip" onClick={() => onSelect(q.peer)}>{q.peer}</button> : `#${q.num}`}
                <span className="hint">
                  {q.outcome === 'answered' ? ` ${q.rttMs?.toFixed(0)} ms, ${q.returned.length} (${q.fresh} new)` : ` ${OUTCOME[q.outcome]}`}
                </span>
              </span>
            ))}
            {r.best >= 0 && <span className="hint"> · closest so far {r.best} (distance 2<sup>{r.bestDistanceBit}</sup>)</span>}
          </li>
        ))}
      </ol>
      <button data-testid="draw-lookup" aria-pressed={drawing} onClick={() => onDraw(!drawing)}>
        {drawing ? 'hide the lookup' : 'draw the lookup'}
      </button>
    </div>
  );
}
