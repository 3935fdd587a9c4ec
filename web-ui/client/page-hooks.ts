import type { FrameStore } from './store.ts';
import type { SimApi } from './sim-client.ts';
import { renderLoop } from '../render/loop.ts';
import { mapFrame, project } from '../render/geo.ts';
import { paintersByLane } from '../render/painter.ts';
import { webmState } from './webm.ts';
import { waveDrawn } from '../render/wave.ts';

/**
 * The page's test and console hooks (`window.__peermap`): the state tests
 * wait on (never on wall time), the replay seek, where a peer is drawn.
 */
export function pageHooks(store: FrameStore, api: SimApi | undefined) {
  return {
    store,
    measureFps: (ms: number) => renderLoop.measure(ms),
    exportSession: () => api?.exportSession(),
    /** Replays: move the playhead (seconds). */
    seek: (s: number) => api?.seek(s * 1e6),
    /** Where peer `peer` of lane `lane` is drawn, in page CSS px (for clicking it); null if not drawn. */
    screenOf: (lane: number, peer: number) => {
      const p = paintersByLane.get(lane);
      if (!p || peer >= p.painter.count || p.painter.radius[peer] === 0) return null;
      const r = p.canvas.getBoundingClientRect();
      return { x: r.left + p.painter.screen[2 * peer], y: r.top + p.painter.screen[2 * peer + 1] };
    },
    /** Where latitude / longitude lies on lane `lane`'s world map, in page CSS px (at the current zoom). */
    mapPointOf: (lane: number, lat: number, lon: number) => {
      const p = paintersByLane.get(lane);
      if (!p) return null;
      const r = p.canvas.getBoundingClientRect();
      const [x, y] = project(mapFrame(Math.max(1, Math.round(r.width)), Math.max(1, Math.round(r.height))), lat, lon);
      const z = p.painter.zoom;
      return { x: r.left + x * z.k + z.x, y: r.top + y * z.k + z.y };
    },
    state: () => ({
      loaded: !!store.info,
      framesReceived: store.framesReceived,
      nowS: (store.frame?.nowUs ?? 0) / 1e6,
      done: !!store.frame?.done,
      playing: !!store.frame?.playing,
      peers: store.frame?.lanes.map((l) => l.n) ?? [],
      /** Peers up per lane in the latest frame. */
      up: store.frame?.lanes.map((l) => l.state.reduce((n, x) => n + (x === 1 ? 1 : 0), 0)) ?? [],
      /** Links per lane in the latest frame (undirected). */
      links: store.frame?.lanes.map((l) => l.targets.length / 2) ?? [],
      traceHashes: store.frame?.lanes.map((l) => l.traceHash) ?? [],
      eventsPerS: store.frame?.eventsPerS ?? 0,
      recorded: store.recorded.length,
      /** The WebM recording: running, and chunks / bytes so far. */
      webmRecording: webmState.recording,
      webmChunks: webmState.chunks,
      webmBytes: webmState.bytes,
      /** A loaded replay: its span and timeline markers (what the timeline shows). */
      replay: store.info?.replay ? { source: store.info.replay.source, sources: store.info.replay.sources, startS: store.info.replay.startS, endS: store.info.replay.endS, markers: store.info.replay.markers } : null,
      /** Lane names (strategies; a replay lane's label). */
      lanes: store.info?.strategies ?? [],
      /** Per lane, the names of the partitions the latest frame has in force. */
      partitions: store.frame?.lanes.map((l) => l.partition?.names ?? []) ?? [],
      replayError: document.querySelector('[data-testid=replay-error]')?.textContent ?? null,
      faultMessage: document.querySelector('[data-testid=fault-message]')?.textContent ?? null,
      /** Series points the charts hold per lane, and the last one's time (they follow the playhead). */
      seriesPoints: store.series.map((s) => s.length),
      seriesLastS: store.series.map((s) => (s.length > 0 ? s[s.length - 1].tS : null)),
      /** The latest worker frame, and what each lane's canvas last painted (tests wait on these, not on wall time). */
      seq: store.frame?.seq ?? -1,
      painted: store.frame?.lanes.map((_, i) => paintersByLane.get(i)?.painter.painted ?? null) ?? [],
      renderFrames: renderLoop.frames,
      /** Per lane, the peer labels its canvas last drew (classroom mode). */
      labels: store.frame?.lanes.map((_, i) => paintersByLane.get(i)?.painter.labelsDrawn ?? 0) ?? [],
      /** Per lane: the frame that brought the partitions in force (render frame it arrived in), and what the canvas drew of them. */
      partitionSeen: store.partitionSeen.map((p) => ({ ...p })),
      partitionDrawn: store.frame?.lanes.map((_, i) => { const p = paintersByLane.get(i)?.painter.partitionDrawn; return p ? { ...p } : null; }) ?? [],
      /** The same, as the last few changes per lane. */
      partitionSeenLog: store.partitionSeenLog.map((l) => l.map((p) => ({ ...p }))),
      partitionDrawnLog: store.frame?.lanes.map((_, i) => (paintersByLane.get(i)?.painter.partitionDrawnLog ?? []).map((p) => ({ ...p }))) ?? [],
      /** Per lane, the zoom factor of its canvas (1: the whole view). */
      zoom: store.frame?.lanes.map((_, i) => paintersByLane.get(i)?.painter.zoom.k ?? 1) ?? [],
      /** Per lane, the followed gossip wave (latest frame) and what its canvas drew of it (tree edges, peers ringed); null without one. */
      wave: store.frame?.lanes.map((l, i) => (l.wave ? { origin: l.wave.origin, started: l.wave.started, reached: l.wave.reached, live: l.wave.live, settled: l.wave.settled, drawn: waveDrawn.get(i) ?? null } : null)) ?? [],
      /** Achieved simulated seconds per wall second (NaN while not measured). */
      simSecondsPerS: store.frame?.simSecondsPerS ?? null,
      /** Web Workers running the lanes (one per lane side by side). */
      workers: store.frame?.workers ?? 0,
      /** Per lane (own worker): achieved simulated s per wall s, and its pace while running (null: not measured). */
      laneSpeeds: store.frame?.lanes.map((l) => ({ achieved: l.simSecondsPerS ?? null, busy: l.busySimSecondsPerS ?? null })) ?? [],
    }),
  };
}
