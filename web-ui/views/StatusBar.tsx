import type { FrameStore } from '../client/store.ts';
import { strategyColor } from '../render/colors.ts';
import type { LaneFrame } from '../worker/protocol.ts';

function fmtRate(x: number): string {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0);
}

function fmtSpeed(x: number): string {
  return x >= 100 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2);
}

/** Simulated time, events, run state and each lane's trace hash (what `peermap run` prints as `trace:`). */
export function StatusBar({ store, speed }: { store: FrameStore; speed: number }) {
  const f = store.frame;
  const info = store.info;
  const state = !info ? 'idle' : !f ? 'loading' : f.done ? 'done' : f.playing ? 'playing' : 'paused';
  return (
    <div className="status-bar" data-testid="status-bar" data-workers={f?.workers ?? 0}>
      <span data-testid="run-state" className={`state state-${state}`}>
        {state}
      </span>
      <span data-testid="sim-time">
        t = {f ? (f.nowUs / 1e6).toFixed(3) : '0.000'} s / {info?.durationS ?? 0} s
      </span>
      <span>events {f ? f.lanes.reduce((s, l) => s + l.events, 0).toLocaleString('en-US') : 0}</span>
      <span>{f ? fmtRate(f.eventsPerS) : 0} events/s</span>
      <span title="simulated seconds per wall second: achieved (measured while playing) / asked for">
        speed{' '}
        <span data-testid="achieved-speed" data-value={f?.simSecondsPerS !== undefined && Number.isFinite(f.simSecondsPerS) ? f.simSecondsPerS : ''}>
          {f?.playing && f.simSecondsPerS !== undefined && Number.isFinite(f.simSecondsPerS) ? `${fmtSpeed(f.simSecondsPerS)}×` : '–'}
        </span>{' '}
        of {Number.isFinite(speed) ? `${speed}×` : 'max'}
      </span>
      <span>seed {info?.seed ?? '–'}</span>
      {f?.lanes.map((l, i) => (
        <span key={i} className="trace" title={`${l.strategy}: trace hash ${l.done ? '(final)' : 'so far'}`}>
          <span style={{ color: strategyColor(l.strategy, i) }}>{l.strategy}</span>
          {l.busySimSecondsPerS !== undefined && f.lanes.length > 1 && <LaneSpeed lane={l} playing={f.playing} index={i} />} trace{' '}
          <code data-testid={`trace-hash-${i}`} data-final={l.done ? '1' : '0'}>
            {l.traceHash}
          </code>
        </span>
      ))}
      {store.error && <span className="error">{store.error}</span>}
    </div>
  );
}

/** A lane in its own worker: the speed it achieves (it waits for the slowest at the common time) and the pace it runs at when it runs. */
function LaneSpeed({ lane, playing, index }: { lane: LaneFrame; playing: boolean; index: number }) {
  const shown = (x: number | undefined) => (playing && x !== undefined && Number.isFinite(x) ? `${fmtSpeed(x)}×` : '–');
  return (
    <span
      data-testid={`lane-speed-${index}`}
      data-value={lane.simSecondsPerS !== undefined && Number.isFinite(lane.simSecondsPerS) ? lane.simSecondsPerS : ''}
      data-busy={lane.busySimSecondsPerS !== undefined && Number.isFinite(lane.busySimSecondsPerS) ? lane.busySimSecondsPerS : ''}
      title="this lane's own worker: simulated s per wall s achieved (lanes wait for the slowest, so all show about the same) / the pace it runs at while it runs (the slowest lane sets the page's speed)"
    >
      {' '}
      {shown(lane.simSecondsPerS)} ({shown(lane.busySimSecondsPerS)} when running)
    </span>
  );
}
