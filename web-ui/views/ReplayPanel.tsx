import { useState } from 'react';
import type { ReplayInfo } from '../worker/protocol.ts';

export interface ReplayOpenProps {
  error: string | undefined;
  /** One file, or several (a compare run's replays) side by side. */
  onOpen(files: File[]): void;
}

/** Opens replay files (`peermap run|compare --record`): a file picker; the whole page also takes dropped files. */
export function ReplayOpen({ error, onOpen }: ReplayOpenProps) {
  return (
    <section className="panel">
      <h2>Replay a recorded run</h2>
      <input
        type="file"
        accept=".gz,.ndjson,application/gzip"
        multiple
        data-testid="replay-file"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          if (files.length > 0) onOpen(files);
          e.target.value = '';
        }}
      />
      <p className="hint">replay.ndjson.gz from peermap run --record, or several replay-*.ndjson.gz of peermap compare --record side by side (or drop them anywhere on the page, or ?replay=URL&replay=URL2…)</p>
      {error && (
        <p className="error" data-testid="replay-error">
          {error}
        </p>
      )}
    </section>
  );
}

export interface TimelineProps {
  replay: ReplayInfo;
  nowS: number;
  onSeek(s: number): void;
}

const fmtS = (s: number) => `${Math.floor(s / 60)}:${(s % 60).toFixed(1).padStart(4, '0')}`;

/** The replay's timeline: a slider over the recorded time, action and fault markers, and a "go to" box. */
export function Timeline({ replay, nowS, onSeek }: TimelineProps) {
  const [goTo, setGoTo] = useState('');
  const span = Math.max(1e-9, replay.endS - replay.startS);
  const pct = (t: number) => `${(100 * (t - replay.startS)) / span}%`;
  return (
    <div className="timeline panel" data-testid="timeline">
      <div className="row">
        <strong>replay</strong> <span className="hint">{replay.source}</span>
        <span data-testid="replay-time">
          {fmtS(nowS)} / {fmtS(replay.endS)}
        </span>
        <label>
          go to{' '}
          <input
            data-testid="seek-input"
            size={7}
            value={goTo}
            placeholder="s"
            onChange={(e) => setGoTo(e.target.value)}
            onKeyDown={(e) => {
              const s = Number(goTo);
              if (e.key === 'Enter' && goTo.trim() !== '' && Number.isFinite(s)) onSeek(s);
            }}
          />
        </label>
      </div>
      <div className="timeline-track">
        <input
          type="range"
          data-testid="timeline-slider"
          min={replay.startS}
          max={replay.endS}
          step={0.1}
          value={Math.min(replay.endS, Math.max(replay.startS, nowS))}
          onChange={(e) => onSeek(Number(e.target.value))}
        />
        <div className="markers">
          {replay.markers.map((m, i) => (
            <button
              key={i}
              type="button"
              className={`marker marker-${m.kind}`}
              data-testid="marker"
              data-t={m.tS}
              data-kind={m.kind}
              title={`${fmtS(m.tS)} ${m.kind}: ${m.label} (click to go there)`}
              style={{ left: pct(m.tS) }}
              onClick={() => onSeek(m.tS)}
            />
          ))}
        </div>
      </div>
      {replay.markersDropped > 0 && <div className="hint" data-testid="markers-dropped">{replay.markersDropped} more faults and actions are not marked on the timeline</div>}
    </div>
  );
}
