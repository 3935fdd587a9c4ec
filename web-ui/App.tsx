import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import * as Comlink from 'comlink';
import { frameCallback, startWorker, type SimApi } from './client/sim-client.ts';
import { FrameStore } from './client/store.ts';
import { download, topologyPng } from './client/png.ts';
import type { LoadedResults } from './client/results.ts';
import { pageHooks } from './client/page-hooks.ts';
import { actionsParam, pageQuery, withActions, type LoadedFrom } from './client/url.ts';
import { strategyColor } from './render/colors.ts';
import type { ColorBy, LayoutMode, PaintOptions } from './render/painter.ts';
import { findScenario, SCENARIOS } from './scenarios.ts';
import { ClassroomPanel, Legend } from './views/ClassroomPanel.tsx';
import { Controls } from './views/Controls.tsx';
import { FaultPanel } from './views/FaultPanel.tsx';
import { PeerInspector } from './views/PeerInspector.tsx';
import { PeerSearch } from './views/PeerSearch.tsx';
import { ReplayOpen, Timeline } from './views/ReplayPanel.tsx';
import { ResultsPanel } from './views/ResultsPanel.tsx';
import { ScenarioPanel, type ScenarioChoice } from './views/ScenarioPanel.tsx';
import { SeriesPanel, type NamedSeries } from './views/SeriesPanel.tsx';
import { SideBySide } from './views/SideBySide.tsx';
import { StepLog, STEP_LOG_MAX } from './views/StepLog.tsx';
import { MAX_REPLAY_FILE_BYTES, MAX_REPLAY_LANES, type SteppedEvent } from './worker/protocol.ts';
import { fetchCapped } from './client/fetch-capped.ts';
import { RecordButton } from './views/RecordButton.tsx';
import { StatusBar } from './views/StatusBar.tsx';
import { TopologyView } from './views/TopologyView.tsx';
import type { FaultRequest, KadPathView, MapTruth } from './worker/protocol.ts';
import { mapDecorator } from './views/map-overlay.ts';
import { pathDecorator } from './views/kad-overlay.ts';
import { GossipWave } from './views/GossipWave.tsx';
import { composeDecorators, waveDecorator } from './render/wave.ts';

const SIDE_STRATEGIES = ['globalmap', 'kademlia', 'random'];
/** Longest scenario file ?scenario=URL takes (the CLI's loader has its own, lower, bounds). */
const MAX_SCENARIO_CHARS = 1 << 20;

/** Initial settings from the URL (?scenario=classroom&seed=3&mode=side&view=map&speed=max&autoplay=1&classroom=1). */
function fromUrl() {
  const q = new URLSearchParams(location.search);
  const named = q.get('scenario');
  const bundled = findScenario(named);
  // Not a bundled name but a path or URL: a scenario file to fetch (same origin or CORS-enabled).
  const scenarioUrl = !bundled && named && /[/.]/.test(named) ? named : undefined;
  const s = bundled ?? findScenario('classroom') ?? SCENARIOS[0];
  const classroom = q.has('classroom') ? q.get('classroom') === '1' : !scenarioUrl && s.key === 'classroom';
  const speedParam = q.get('speed');
  return {
    scenarioUrl,
    /** Fault actions recorded in an earlier session (the page URL carries them). */
    actions: actionsParam(q.get('actions')),
    choice: { key: scenarioUrl ? 'custom' : s.key, text: scenarioUrl ? '' : s.text, seed: q.get('seed') ?? '', durationS: q.get('duration') ?? '', mode: q.get('mode') === 'side' ? 'side' : 'single' } as ScenarioChoice,
    view: (q.get('view') === 'map' ? 'map' : 'force') as LayoutMode,
    colorBy: (q.get('color') === 'state' ? 'state' : q.get('color') === 'region' ? 'region' : 'state') as ColorBy,
    speed: speedParam === 'max' ? Infinity : Number(speedParam) > 0 ? Number(speedParam) : classroom ? 0.5 : 5,
    autoplay: q.get('autoplay') === '1',
    /** Replay files to open instead of a scenario, side by side when several (same-origin or CORS-enabled URLs). */
    replayUrls: q.getAll('replay').filter((u) => u !== ''),
    classroom,
    messages: q.has('messages') ? q.get('messages') === '1' : classroom,
  };
}

declare global {
  interface Window {
    /** Test and console hooks. */
    __peermap?: unknown;
  }
}

export function App() {
  const initial = useMemo(fromUrl, []);
  const store = useMemo(() => new FrameStore(), []);
  const version = useSyncExternalStore(store.subscribe, store.getVersion);
  const [api, setApi] = useState<SimApi>();
  const [choice, setChoice] = useState(initial.choice);
  const [loadError, setLoadError] = useState<string>();
  const [view, setView] = useState(initial.view);
  const [colorBy, setColorBy] = useState(initial.colorBy);
  const [messages, setMessages] = useState(initial.messages);
  const [classroom, setClassroom] = useState(initial.classroom);
  const [speed, setSpeed] = useState(initial.speed);
  const [selected, setSelected] = useState({ lane: 0, peer: -1 });
  const [results, setResults] = useState<LoadedResults>();
  const [faultMessage, setFaultMessage] = useState<string>();
  const [stepLog, setStepLog] = useState<SteppedEvent[]>([]);
  const [replayError, setReplayError] = useState<string>();
  /** The inspected peer's map, drawn over the topology. */
  const [drawnMap, setDrawnMap] = useState<MapTruth>();
  /** The inspected Kademlia peer's last lookup, drawn over the topology. */
  const [drawnPath, setDrawnPath] = useState<KadPathView>();
  /** What the loaded run was made from, for the page URL (which reproduces it). */
  const loadedFrom = useRef<LoadedFrom | undefined>(undefined);
  /** A scenario fetched by ?scenario=URL, and its text (still that file if the text is unchanged). */
  const fetched = useRef<{ url: string; text: string } | undefined>(undefined);

  useEffect(() => {
    const w = startWorker();
    setApi(() => w.api);
    return () => w.terminate();
  }, []);

  const load = useCallback(
    async (c: ScenarioChoice, autoplay = false, urlActions: unknown[] = []) => {
      if (!api) return;
      const scenario = c.key !== 'custom' ? c.key : fetched.current?.text === c.text ? fetched.current.url : undefined;
      loadedFrom.current = undefined;
      setLoadError(undefined);
      setSelected({ lane: 0, peer: -1 });
      setFaultMessage(undefined);
      setStepLog([]);
      store.reset(undefined);
      try {
        const source = c.key === 'custom' ? (scenario?.split('/').pop() ?? 'edited.yaml') : `${c.key}.yaml`;
        const info = await api.load(
          {
            text: withActions(c.text, urlActions, source),
            source,
            seed: c.seed === '' ? undefined : Number(c.seed),
            durationS: c.durationS === '' ? undefined : Number(c.durationS),
            strategies: c.mode === 'side' ? SIDE_STRATEGIES : undefined,
            messageLog: true,
          },
          frameCallback((f) => store.push(f)),
        );
        store.reset(info);
        loadedFrom.current = { scenario, seed: info.seed, durationS: c.durationS, side: c.mode === 'side', actions: urlActions };
        if (autoplay) api.play();
      } catch (e) {
        setLoadError(e instanceof Error ? e.message : String(e));
      }
    },
    [api, store],
  );

  /** Opens replay files' bytes in the worker (transferred, not copied): one lane each, on one timeline. */
  const loadReplay = useCallback(
    // Bytes are read on demand: the count is checked before any file is fetched or read.
    async (files: { bytes: () => Promise<ArrayBuffer>; source: string }[], autoplay = false) => {
      if (!api) return;
      setReplayError(undefined);
      setSelected({ lane: 0, peer: -1 });
      setFaultMessage(undefined);
      setStepLog([]);
      store.reset(undefined);
      if (files.length > MAX_REPLAY_LANES) {
        setReplayError(`at most ${MAX_REPLAY_LANES} replays side by side, got ${files.length}`);
        return;
      }
      try {
        const list = await Promise.all(files.map(async (f) => ({ bytes: await f.bytes(), source: f.source })));
        const info = await api.loadReplay(
          Comlink.transfer(
            list,
            list.map((f) => f.bytes),
          ),
          frameCallback((f) => store.push(f)),
        );
        store.reset(info);
        if (autoplay) api.play();
      } catch (e) {
        setReplayError(e instanceof Error ? e.message : String(e));
      }
    },
    [api, store],
  );

  // First load, from the URL.
  useEffect(() => {
    if (!api) return;
    const urls = initial.replayUrls;
    if (urls.length > 0) {
      // Each body read up to a cap.
      const files = urls.map((url) => ({
        bytes: () => fetchCapped(url, MAX_REPLAY_FILE_BYTES).then((b) => b.buffer),
        source: url.split('/').pop() ?? url,
      }));
      void loadReplay(files, initial.autoplay);
    } else if (initial.scenarioUrl) {
      const url = initial.scenarioUrl;
      fetchCapped(url, 4 * MAX_SCENARIO_CHARS)
        .then(async (bytes) => {
          const text = new TextDecoder().decode(bytes);
          if (text.length > MAX_SCENARIO_CHARS) throw new Error(`${url}: larger than ${MAX_SCENARIO_CHARS} characters`);
          fetched.current = { url, text };
          const c = { ...initial.choice, text };
          setChoice(c);
          await load(c, initial.autoplay, initial.actions);
        })
        .catch((e) => setLoadError(e instanceof Error ? e.message : String(e)));
    } else void load(initial.choice, initial.autoplay, initial.actions);
  }, [api, load, loadReplay, initial]);

  // The page URL reproduces what runs: scenario (bundled name or URL), seed, duration, side by side, faults.
  const recordedCount = store.recorded.length;
  useEffect(() => {
    const from = loadedFrom.current;
    if (!store.info || store.info.replay || !from) return;
    const q = pageQuery(location.search, from, store.recorded);
    history.replaceState(history.state, '', `${location.pathname}?${q}`);
  }, [store, store.info, recordedCount]);

  // A replay file dropped anywhere on the page.
  useEffect(() => {
    const over = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      const files = [...(e.dataTransfer?.files ?? [])];
      if (files.length === 0) return;
      e.preventDefault();
      void loadReplay(files.map((f) => ({ bytes: () => f.arrayBuffer(), source: f.name })));
    };
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, [loadReplay]);

  useEffect(() => {
    api?.setView({ layout: view === 'force', messages });
  }, [api, view, messages]);
  useEffect(() => {
    api?.setSpeed(speed);
  }, [api, speed]);

  const info = store.info;
  const frame = store.frame;
  const playing = !!frame?.playing;
  const done = !!frame?.done;
  const replay = info?.replay;

  const fault = useCallback(
    async (f: FaultRequest) => {
      if (!api) return;
      // The time shown when pressed: the pool applies the fault at the first quiet instant from there (no lane is more than its lockstep window past it).
      const shownUs = store.frame?.nowUs ?? 0;
      const r = await api.fault(f, shownUs);
      setFaultMessage(r.ok ? `recorded: ${r.actions.map((x) => x.do).join(', ')} at ${r.action.atS} s (pressed at ${(shownUs / 1e6).toFixed(3)} s)` : r.error);
    },
    [api, store],
  );

  const exportSession = useCallback(async () => {
    if (!api) return;
    try {
      const text = await api.exportSession();
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([text], { type: 'text/yaml' }));
      a.download = `${info?.name ?? 'scenario'}-session.yaml`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    } catch (e) {
      setFaultMessage(e instanceof Error ? e.message : String(e));
    }
  }, [api, info]);

  const saveReplay = useCallback(async () => {
    if (!api) return;
    try {
      for (const f of await api.saveReplay()) download(new Blob([f.bytes as Uint8Array<ArrayBuffer>], { type: 'application/gzip' }), f.name);
      setFaultMessage(`saved the run up to ${((store.frame?.nowUs ?? 0) / 1e6).toFixed(1)} s`);
    } catch (e) {
      setFaultMessage(e instanceof Error ? e.message : String(e));
    }
  }, [api, store]);

  useEffect(() => {
    window.__peermap = pageHooks(store, api);
  }, [store, api]);

  // Space: play / pause, wherever the focus is except where Space types (text fields, selects). Listened
  // to on the document in the capture phase, so a button that keeps the focus after a click (a fault
  // button) is not pressed again: its activation is cancelled and the focus leaves it.
  useEffect(() => {
    const typesSpace = (t: EventTarget | null) => t instanceof HTMLElement && !!t.closest('input:not([type=range]):not([type=checkbox]):not([type=file]), textarea, select, [contenteditable]');
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key !== ' ' || e.repeat || typesSpace(e.target)) return;
      e.preventDefault();
      if (e.target instanceof HTMLElement && e.target !== document.body) e.target.blur();
      // The latest frame, not this render's `playing`: re-renders are throttled and may lag behind it.
      if (store.frame?.playing) api?.pause();
      else api?.play();
    };
    // A button activates on Space's keyup: cancel that too.
    const onKeyUp = (e: KeyboardEvent) => {
      if (e.key === ' ' && !typesSpace(e.target)) e.preventDefault();
    };
    document.addEventListener('keydown', onKeyDown, true);
    document.addEventListener('keyup', onKeyUp, true);
    return () => {
      document.removeEventListener('keydown', onKeyDown, true);
      document.removeEventListener('keyup', onKeyUp, true);
    };
  }, [api, store]);

  const decorate = useMemo(
    () => composeDecorators(waveDecorator(store), drawnMap && mapDecorator(selected.lane, drawnMap), drawnPath && pathDecorator(selected.lane, drawnPath)),
    [drawnMap, drawnPath, selected.lane, store],
  );
  const options: PaintOptions = { mode: view, colorBy, labels: classroom, messages, selected: selected.peer, decorate };
  const strategies = info?.strategies ?? [];
  const series: NamedSeries[] = useMemo(() => {
    const live = strategies.map((s, i) => ({ label: s, color: strategyColor(s, i), points: store.series[i] ?? [] }));
    const loaded = (results?.runs ?? []).map((r, i) => ({ label: `file: ${r.label}`, color: strategyColor(r.strategy, i), points: r.series, dashed: true }));
    return [...live, ...loaded];
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [strategies.join(), store.seriesVersion, results]);
  const typesSeen = useMemo(() => {
    const f = frame?.lanes[0]?.inFlight;
    return f ? [...new Set(Array.from(f.type))].sort((a, b) => a - b) : [];
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [Math.floor(version / 10)]);
  const cut = !!frame?.lanes.some((l) => l.partition);

  const controls = (
    <>
    <Controls
      playing={playing}
      done={done}
      loaded={!!info}
      speed={speed}
      roundS={info?.roundS ?? 1}
      big={classroom}
      onPlay={() => api?.play()}
      onPause={() => api?.pause()}
      onStepEvent={() => void api?.stepEvent().then((e) => e && setStepLog((log) => [e, ...log].slice(0, STEP_LOG_MAX)))}
      onStepRound={() => api?.stepRound()}
      canStep={!replay}
      onSpeed={setSpeed}
    />
    <StepLog entries={stepLog} />
    </>
  );

  return (
    <div className={`app ${classroom ? 'classroom-mode' : ''}`}>
      <header>
        <h1>
          peermap <span className="hint">{info ? `${info.name} · ${info.peers} peers · ${info.description}` : 'dashboard'}</span>
        </h1>
        <div className="toggles">
          <button
            data-testid="export-png"
            disabled={!frame}
            title="download the topology view as a PNG"
            onClick={() =>
              void topologyPng(`${info?.name ?? 'peermap'} · ${strategies.join(' · ')} · t = ${((frame?.nowUs ?? 0) / 1e6).toFixed(1)} s`)
                .then((b) => download(b, `peermap-${info?.name ?? 'view'}-t${Math.round((frame?.nowUs ?? 0) / 1e6)}s.png`))
                .catch((e) => setFaultMessage(e instanceof Error ? e.message : String(e)))
            }
          >
            PNG
          </button>
          <RecordButton store={store} disabled={!frame} onError={setFaultMessage} />
          <label>
            <select data-testid="view" value={view} onChange={(e) => setView(e.target.value as LayoutMode)}>
              <option value="force">force layout</option>
              <option value="map" disabled={!info?.places}>
                world map
              </option>
            </select>
          </label>
          <label>
            colour{' '}
            <select value={colorBy} onChange={(e) => setColorBy(e.target.value as ColorBy)}>
              <option value="state">by state</option>
              <option value="region" disabled={!info?.places}>
                by region
              </option>
            </select>
          </label>
          <label>
            <input type="checkbox" checked={messages} onChange={(e) => setMessages(e.target.checked)} /> messages
          </label>
          <label>
            <input data-testid="classroom" type="checkbox" checked={classroom} onChange={(e) => setClassroom(e.target.checked)} /> classroom
          </label>
        </div>
      </header>
      <StatusBar store={store} speed={speed} />
      <div className="layout">
        <aside className="left">
          <ScenarioPanel choice={choice} onChange={setChoice} onLoad={() => load(choice)} error={loadError} />
          <PeerSearch addresses={frame?.lanes[selected.lane]?.addresses} places={info?.places} onSelect={(peer) => setSelected({ lane: selected.lane, peer })} />
          <ReplayOpen error={replayError} onOpen={(files) => void loadReplay(files.map((f) => ({ bytes: () => f.arrayBuffer(), source: f.name })))} />
          <FaultPanel
            continents={info?.continents ?? []}
            recorded={store.recorded}
            canAct={!!info && !done && !replay}
            onFault={fault}
            onExport={exportSession}
            onSaveReplay={saveReplay}
            canSave={!!info && !replay}
            message={faultMessage}
          />
          <ResultsPanel loaded={results} onLoaded={setResults} />
        </aside>
        {/* The run's controls, its topology and its charts in one column sized to the window: all in view on a 1280×720 projector. */}
        <main>
          <div className="run-bar" data-testid="controls">
            {controls}
          </div>
          {replay && <Timeline replay={replay} nowS={(frame?.nowUs ?? 0) / 1e6} onSeek={(t) => api?.seek(t * 1e6)} />}
          <div className="view" data-testid="view-area">
            {strategies.length > 1 ? (
              <SideBySide store={store} strategies={strategies} options={options} selectedLane={selected.lane} onSelect={(lane, peer) => setSelected({ lane, peer })} />
            ) : (
              <TopologyView store={store} lane={0} options={options} onSelect={(peer) => setSelected({ lane: 0, peer })} />
            )}
          </div>
          <SeriesPanel series={series} version={store.seriesVersion} />
        </main>
        <aside className="right">
          <Legend info={info} colorBy={colorBy} messages={messages} typesSeen={typesSeen} cut={cut} />
          <PeerInspector
            api={api}
            lane={selected.lane}
            laneName={strategies[selected.lane] ?? ''}
            peer={selected.peer}
            frameSeq={frame?.seq ?? 0}
            onSelect={(peer) => setSelected({ lane: selected.lane, peer })}
            onCrash={(peer) => fault({ kind: 'crash-peer', peer })}
            onDrawMap={setDrawnMap}
            onDrawPath={setDrawnPath}
          >
            <GossipWave api={api} lane={selected.lane} peer={selected.peer} wave={frame?.lanes[selected.lane]?.wave} canFollow={!!info && !replay && !done && strategies[selected.lane] === 'globalmap'} />
          </PeerInspector>
          {classroom && <ClassroomPanel info={info} />}
        </aside>
      </div>
    </div>
  );
}
