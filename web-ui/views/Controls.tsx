export const SPEEDS: { label: string; value: number }[] = [
  { label: '0.1×', value: 0.1 },
  { label: '0.25×', value: 0.25 },
  { label: '0.5×', value: 0.5 },
  { label: '1×', value: 1 },
  { label: '2×', value: 2 },
  { label: '5×', value: 5 },
  { label: '10×', value: 10 },
  { label: '30×', value: 30 },
  { label: '100×', value: 100 },
  { label: 'max', value: Infinity },
];

export interface ControlsProps {
  playing: boolean;
  done: boolean;
  loaded: boolean;
  speed: number;
  roundS: number;
  big?: boolean;
  /** False for replays: nothing to step through event by event. */
  canStep?: boolean;
  onPlay(): void;
  onPause(): void;
  onStepEvent(): void;
  onStepRound(): void;
  onSpeed(v: number): void;
}

/** Play / pause / step and the speed in simulated seconds per wall second. */
export function Controls(p: ControlsProps) {
  return (
    <div className={`controls ${p.big ? 'big' : ''}`}>
      {p.playing ? (
        <button data-testid="pause" onClick={p.onPause}>
          ❚❚ pause
        </button>
      ) : (
        <button data-testid="play" onClick={p.onPlay} disabled={!p.loaded || p.done}>
          ▶ play
        </button>
      )}
      <button data-testid="step-event" onClick={p.onStepEvent} disabled={!p.loaded || p.done || p.canStep === false} title="advance one simulation event">
        step event
      </button>
      <button data-testid="step-round" onClick={p.onStepRound} disabled={!p.loaded || p.done || p.canStep === false} title={`advance one gossip round (${p.roundS} s simulated)`}>
        step round ({p.roundS} s)
      </button>
      <label>
        speed{' '}
        <select data-testid="speed" value={String(p.speed)} onChange={(e) => p.onSpeed(Number(e.target.value))}>
          {SPEEDS.map((s) => (
            <option key={s.label} value={String(s.value)}>
              {s.label}
            </option>
          ))}
        </select>{' '}
        <span className="hint">sim s / wall s</span>
      </label>
    </div>
  );
}
