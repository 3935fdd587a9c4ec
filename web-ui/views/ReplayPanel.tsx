import { useState } from 'react';
import type { ReplayInfo } from '../worker/protocol.ts';

export interface ReplayOpenProps {
  error: string | undefined;
  onOpen(file: File): void;
}

/** Opens a replay file (`peermap run --record`): a file picker; the whole page also takes a dropped file. */
export function ReplayOpen({ error, onOpen }: ReplayOpenProps) {
  return (
    <section className="panel">
      <h2>Replay a recorded run</h2>
      <input
        type="file"
        accept=".gz,.ndjson,application/gzip"
        data-testid="replay-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) onOpen(file);
          e.target.value = '';
        }}
      />
      <p className="hint">replay.ndjson.gz from peermap run --record (or drop it anywhere on the page, or ?replay=URL)</p>
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
    </div>
  );
}
