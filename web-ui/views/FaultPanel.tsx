import { useState } from 'react';
import type { ActionSpec, FaultRequest } from '../worker/protocol.ts';

export interface FaultPanelProps {
  continents: string[];
  recorded: ActionSpec[];
  canAct: boolean;
  onFault(f: FaultRequest): void;
  onExport(): void;
  /** Downloads the live session so far as replay files. */
  onSaveReplay(): void;
  /** A live session is loaded (finished or not). */
  canSave: boolean;
  message: string | undefined;
}

function describe(a: ActionSpec): string {
  switch (a.do) {
    case 'outage':
      return `${a.atS} s: outage ${a.hosts.continents?.join(', ') ?? ''}${a.restartAfterS !== undefined ? `, back after ${a.restartAfterS} s` : ''}`;
    case 'partition':
      return `${a.atS} s: partition ${a.side.continents?.join(', ')} | ${a.other?.continents?.join(', ') ?? 'rest'}`;
    case 'heal':
      return `${a.atS} s: heal ${a.name}`;
    case 'crash':
      return `${a.atS} s: crash peer ${a.peers.join(', ')}`;
    case 'announce':
      return `${a.atS} s: peer ${a.peers.join(', ')} announces (gossip wave)`;
    default:
      return `${a.atS} s: ${a.do}`;
  }
}

/**
 * Fault buttons. Each press becomes a scenario action (the `actions:` format)
 * at the current simulated time, applied the way the runner applies the
 * file's actions; "export session" downloads the scenario that replays it.
 */
export function FaultPanel({ continents, recorded, canAct, onFault, onExport, onSaveReplay, canSave, message }: FaultPanelProps) {
  const [region, setRegion] = useState('');
  const [restart, setRestart] = useState('');
  const [a, setA] = useState('');
  const [b, setB] = useState('');
  const [cutOff, setCutOff] = useState('');
  const geo = continents.length > 0;
  const r = region || continents[0] || '';
  const pa = a || continents[0] || '';
  const pb = b || continents.find((c) => c !== pa) || '';
  const co = cutOff || continents[0] || '';
  const cuts = new Set<string>();
  for (const x of recorded) {
    if (x.do === 'partition') cuts.add(x.name);
    else if (x.do === 'heal') cuts.delete(x.name);
  }
  return (
    <section className="panel">
      <h2>Faults</h2>
      {!geo && <p className="hint">This scenario places no hosts (no network.placement): region faults need geography.</p>}
      <div className="row">
        <select value={r} onChange={(e) => setRegion(e.target.value)} disabled={!geo} data-testid="kill-region-continent">
          {continents.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <select value={restart} onChange={(e) => setRestart(e.target.value)} disabled={!geo} title="restart the region later">
          <option value="">stays down</option>
          <option value="10">back in 10 s</option>
          <option value="30">back in 30 s</option>
          <option value="120">back in 2 min</option>
        </select>
        <button data-testid="kill-region" disabled={!geo || !canAct} onClick={() => onFault({ kind: 'kill-region', continent: r, restartAfterS: restart ? Number(restart) : undefined })}>
          kill region
        </button>
      </div>
      <div className="row">
        <select value={co} onChange={(e) => setCutOff(e.target.value)} disabled={!geo} data-testid="isolate-continent">
          {continents.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <button data-testid="isolate" disabled={!geo || !canAct} title="partition: this region on one side, every other host on the other" onClick={() => onFault({ kind: 'isolate', continent: co })}>
          cut this region off from the rest
        </button>
      </div>
      <div className="row">
        <select value={pa} onChange={(e) => setA(e.target.value)} disabled={!geo} data-testid="partition-a">
          {continents.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <span>✂</span>
        <select value={pb} onChange={(e) => setB(e.target.value)} disabled={!geo} data-testid="partition-b">
          {continents.map((c) => (
            <option key={c}>{c}</option>
          ))}
        </select>
        <button data-testid="partition" disabled={!geo || !canAct || pa === pb} onClick={() => onFault({ kind: 'partition', a: pa, b: pb })}>
          partition
        </button>
        <button data-testid="heal" disabled={!canAct || cuts.size === 0} title="ends the last partition made here" onClick={() => onFault({ kind: 'heal' })}>
          heal
        </button>
        <button data-testid="heal-all" disabled={!canAct || cuts.size === 0} title="ends every partition made here" onClick={() => onFault({ kind: 'heal-all' })}>
          heal all
        </button>
      </div>
      {message && <p className="hint" data-testid="fault-message">{message}</p>}
      {recorded.length > 0 && (
        <ol className="recorded" data-testid="recorded">
          {recorded.map((x, i) => (
            <li key={i}>{describe(x)}</li>
          ))}
        </ol>
      )}
      <button data-testid="export" onClick={onExport}>
        export session (.yaml)
      </button>
      <button data-testid="save-replay" disabled={!canSave} title="download the run so far as a replay file (open it with “open replay”)" onClick={onSaveReplay}>
        save replay
      </button>
    </section>
  );
}
