/**
 * Paints one lane on a 2D canvas: the overlay's links in one path, peers
 * batched by colour (one path per colour), messages in flight as dots
 * moving along their link, labels in classroom mode. Positions come from
 * the worker's force layout (interpolated between frames) or from the
 * world map. Keeps the screen positions it drew, for hit-testing clicks.
 */
import type { FrameStore } from '../client/store.ts';
import { PEER_DOWN, PEER_UP, PEER_WAITING, type LaneFrame, type LoadInfo } from '../worker/protocol.ts';
import { BACKGROUND, continentColor, DOWN, EDGE, EDGE_SELECTED, UNPLACED, UP, WAITING } from './colors.ts';
import { cityJitter, drawBackdrop, mapFrame, project } from './geo.ts';
import { drawLabels } from './labels.ts';
import { drawMessages } from './messages.ts';
import { renderLoop } from './loop.ts';
import { PARTITION_LOG_MAX, crossesCut, drawCutLinks, partitionKey, shadeSides } from './partition.ts';
import { applyZoom, type Zoom } from './zoom.ts';

export type LayoutMode = 'force' | 'map';

/** Force layouts up to this many peers are interpolated between worker frames on every animation frame. */
const INTERPOLATE_MAX = 1000;
/** Most redraws per second of the cached layer of a big overlay or map. */
const LAYER_HZ = 10;
export type ColorBy = 'state' | 'region';

export interface PaintOptions {
  mode: LayoutMode;
  colorBy: ColorBy;
  /** Large peer labels (classroom). */
  labels: boolean;
  messages: boolean;
  /** Selected peer, -1 for none. */
  selected: number;
  /** Drawn on top every animation frame (e.g. a peer's map): lane index and where each peer is (CSS px, x y interleaved). */
  decorate?: (ctx: CanvasRenderingContext2D, lane: number, screen: Float32Array, n: number) => void;
}

interface View {
  s: number;
  tx: number;
  ty: number;
}

/** The painter of each lane's canvas on the page (tests ask it where a peer is drawn). */
export const paintersByLane = new Map<number, { painter: LanePainter; canvas: HTMLCanvasElement }>();

export class LanePainter {
  /** Screen position (CSS px) of each peer as last drawn. */
  screen: Float32Array = new Float32Array(0);
  radius: Float32Array = new Float32Array(0);
  count = 0;
  /**
   * What the last animation frame showed (tests wait on it instead of on
   * wall time): the worker frame, the view, and whether the picture is final
   * for that frame (interpolation and view fit done, cached layer current).
   */
  painted: { seq: number; mode: LayoutMode; settled: boolean } = { seq: -1, mode: 'force', settled: false };
  /** The partitions last drawn, and the worker frame and render frame that first drew them (a cut shows within a frame of its start). */
  partitionDrawn = { key: '', seq: -1, renderFrame: -1 };
  /** The last PARTITION_LOG_MAX changes drawn (a test reads one after the playhead has moved on). */
  partitionDrawnLog: { key: string; seq: number; renderFrame: number }[] = [];
  /** Zoom and pan (d3-zoom's transform, CSS px): screen = fitted position × k + (x, y); dots keep their size. */
  zoom: Zoom = { k: 1, x: 0, y: 0 };
  /** Peer labels in the last picture (classroom: only those that fit). */
  labelsDrawn = 0;
  private fitSettled = false;
  private seq = -1;
  private from: Float32Array = new Float32Array(0);
  private to: Float32Array = new Float32Array(0);
  private shown: Float32Array = new Float32Array(0);
  private fromUs = 0;
  private toUs = 0;
  private shownUs = 0;
  private view: View | undefined;
  private backdrop: { canvas: HTMLCanvasElement; key: string } | undefined;
  private layer: HTMLCanvasElement | undefined;
  private layerKey = '';
  private layerAt = -Infinity;
  private jitter: { info: LoadInfo; px: number; offsets: Float32Array } | undefined;

  constructor(
    private readonly store: FrameStore,
    private readonly laneIndex: number,
  ) {}

  paint(ctx: CanvasRenderingContext2D, width: number, height: number, dpr: number, o: PaintOptions, wallNow: number): void {
    const frame = this.store.frame;
    const lane = frame?.lanes[this.laneIndex];
    const info = this.store.info;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const mapMode = o.mode === 'map' && info?.places !== undefined;
    if (!frame || !lane || !info) {
      ctx.fillStyle = BACKGROUND;
      ctx.fillRect(0, 0, width, height);
      ctx.fillStyle = '#64748b';
      ctx.font = '14px system-ui, sans-serif';
      ctx.fillText(info ? 'waiting for the first frame…' : 'load a scenario', 16, 24);
      this.count = 0;
      this.painted = { seq: -1, mode: o.mode, settled: false };
      return;
    }
    if (frame.seq !== this.seq) this.accept(frame.seq, lane, frame.nowUs);
    const alpha = Math.min(1, Math.max(0, (wallNow - this.store.frameAt) / this.store.frameGapMs));
    this.shownUs = this.fromUs + (this.toUs - this.fromUs) * alpha;
    const n = lane.n;
    if (this.screen.length < 2 * n) {
      this.screen = new Float32Array(2 * n);
      this.radius = new Float32Array(n);
    }
    this.count = n;
    if (mapMode || n > INTERPOLATE_MAX) {
      // On the map, and for big overlays, peers and links change only when a worker frame
      // arrives: they are drawn once per worker frame into a layer that every animation frame
      // copies, with the messages in flight on top. (Small force layouts glide between frames.)
      // A cut that starts or heals is drawn at once, whatever LAYER_HZ says.
      const z = this.zoom;
      const key = `${frame.seq}|${o.mode}|${width}x${height}@${dpr}|${o.colorBy}|${o.labels}|${o.selected}|${partitionKey(lane)}|${z.k},${z.x},${z.y}`;
      const layer = this.layerFor(width, height, dpr);
      // Redrawn when something changed, at most LAYER_HZ times a second for big overlays (the cost is rasterizing every link).
      const due = n <= INTERPOLATE_MAX || wallNow - this.layerAt >= 1000 / LAYER_HZ || key.slice(key.indexOf('|')) !== this.layerKey.slice(this.layerKey.indexOf('|'));
      if (key !== this.layerKey && due) {
        this.layerKey = key;
        this.layerAt = wallNow;
        const lctx = layer.getContext('2d')!;
        lctx.setTransform(1, 0, 0, 1, 0, 0);
        lctx.fillStyle = BACKGROUND;
        lctx.fillRect(0, 0, layer.width, layer.height);
        if (mapMode) {
          lctx.setTransform(z.k, 0, 0, z.k, z.x * dpr, z.y * dpr);
          lctx.drawImage(this.backdropFor(width, height, dpr, info.places!.cities), 0, 0);
        }
        lctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        if (mapMode) this.placeOnMap(lane, info, width, height);
        else this.placeByLayout(lane, 1, width, height, 0.5);
        applyZoom(this.screen, n, this.zoom);
        this.drawGraph(lctx, lane, info, o, n, mapMode);
        this.labelsDrawn = o.labels ? drawLabels(lctx, lane, n, this.screen, this.radius, width, height) : 0;
        this.notePartition(lane, frame.seq);
      }
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.drawImage(layer, 0, 0);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      if (o.messages && lane.inFlight) drawMessages(ctx, lane, info.typeNames, this.screen, this.shownUs);
      o.decorate?.(ctx, this.laneIndex, this.screen, n);
      this.painted = { seq: frame.seq, mode: mapMode ? 'map' : 'force', settled: this.layerKey === key };
      return;
    }
    ctx.fillStyle = BACKGROUND;
    ctx.fillRect(0, 0, width, height);
    this.placeByLayout(lane, alpha, width, height, 0.15);
    applyZoom(this.screen, n, this.zoom);
    this.drawGraph(ctx, lane, info, o, n, false);
    if (o.messages && lane.inFlight) drawMessages(ctx, lane, info.typeNames, this.screen, this.shownUs);
    this.labelsDrawn = o.labels ? drawLabels(ctx, lane, n, this.screen, this.radius, width, height) : 0;
    o.decorate?.(ctx, this.laneIndex, this.screen, n);
    this.notePartition(lane, frame.seq);
    this.painted = { seq: frame.seq, mode: 'force', settled: alpha >= 1 && this.fitSettled };
  }

  private notePartition(lane: LaneFrame, seq: number): void {
    const key = partitionKey(lane);
    if (key === this.partitionDrawn.key) return;
    this.partitionDrawn = { key, seq, renderFrame: renderLoop.frames };
    this.partitionDrawnLog.push(this.partitionDrawn);
    if (this.partitionDrawnLog.length > PARTITION_LOG_MAX) this.partitionDrawnLog.shift();
  }

  /** The peer under (x, y) in CSS px, or -1. */
  hit(x: number, y: number): number {
    let best = -1;
    let bestD = Infinity;
    for (let i = 0; i < this.count; i++) {
      if (this.radius[i] === 0) continue;
      const dx = this.screen[2 * i] - x;
      const dy = this.screen[2 * i + 1] - y;
      const d = dx * dx + dy * dy;
      const r = Math.max(8, this.radius[i] + 4);
      if (d <= r * r && d < bestD) {
        best = i;
        bestD = d;
      }
    }
    return best;
  }

  private accept(seq: number, lane: LaneFrame, nowUs: number): void {
    const first = this.seq < 0 || seq < this.seq;
    this.seq = seq;
    this.fromUs = first ? nowUs : this.shownUs;
    this.toUs = nowUs;
    const p = lane.positions;
    if (!p) return;
    const from = new Float32Array(p.length);
    // Start from what is on screen now; newcomers start where they land.
    const keep = Math.min(this.shown.length, p.length);
    from.set(p);
    from.set(this.shown.subarray(0, keep));
    this.from = from;
    this.to = p;
  }

  /** Screen positions from the layout, interpolated by `alpha`, fitted to the canvas (the fit eases by `ease` per call). */
  private placeByLayout(lane: LaneFrame, alpha: number, width: number, height: number, ease: number): void {
    const n = lane.n;
    const to = this.to;
    if (to.length < 2 * n) {
      // No layout yet (view switched): a circle.
      this.fitSettled = false;
      for (let i = 0; i < n; i++) {
        const a = (i / Math.max(1, n)) * Math.PI * 2;
        this.screen[2 * i] = width / 2 + Math.cos(a) * Math.min(width, height) * 0.4;
        this.screen[2 * i + 1] = height / 2 + Math.sin(a) * Math.min(width, height) * 0.4;
      }
      return;
    }
    if (this.shown.length !== to.length) this.shown = new Float32Array(to.length);
    const from = this.from;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let k = 0; k < 2 * n; k += 2) {
      const x = from[k] + (to[k] - from[k]) * alpha;
      const y = from[k + 1] + (to[k + 1] - from[k + 1]) * alpha;
      this.shown[k] = x;
      this.shown[k + 1] = y;
      if (lane.state[k >> 1] === PEER_WAITING) continue;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    if (!Number.isFinite(minX)) {
      minX = minY = -100;
      maxX = maxY = 100;
    }
    const margin = 24;
    const s = Math.min((width - 2 * margin) / Math.max(40, maxX - minX), (height - 2 * margin) / Math.max(40, maxY - minY), 6);
    const target: View = { s, tx: width / 2 - ((minX + maxX) / 2) * s, ty: height / 2 - ((minY + maxY) / 2) * s };
    const v = (this.view ??= target);
    const k = ease;
    v.s += (target.s - v.s) * k;
    v.tx += (target.tx - v.tx) * k;
    v.ty += (target.ty - v.ty) * k;
    this.fitSettled = Math.abs(target.s - v.s) <= 0.01 * target.s && Math.abs(target.tx - v.tx) <= 1 && Math.abs(target.ty - v.ty) <= 1;
    for (let i = 0; i < 2 * n; i += 2) {
      this.screen[i] = this.shown[i] * v.s + v.tx;
      this.screen[i + 1] = this.shown[i + 1] * v.s + v.ty;
    }
  }

  private placeOnMap(lane: LaneFrame, info: LoadInfo, width: number, height: number): void {
    const places = info.places!;
    const f = mapFrame(width, height);
    const px = lane.n > 600 ? 1.5 : 3.5;
    if (!this.jitter || this.jitter.info !== info || this.jitter.px !== px) {
      this.jitter = { info, px, offsets: cityJitter(undefined, places.lat, places.lon, px) };
    }
    const j = this.jitter.offsets;
    for (let i = 0; i < lane.n; i++) {
      const a = lane.addresses[i];
      const [x, y] = project(f, places.lat[a], places.lon[a]);
      this.screen[2 * i] = x + j[2 * a];
      this.screen[2 * i + 1] = y + j[2 * a + 1];
    }
  }

  private layerFor(width: number, height: number, dpr: number): HTMLCanvasElement {
    const w = Math.round(width * dpr);
    const h = Math.round(height * dpr);
    if (!this.layer || this.layer.width !== w || this.layer.height !== h) {
      this.layer = document.createElement('canvas');
      this.layer.width = w;
      this.layer.height = h;
      this.layerKey = '';
    }
    return this.layer;
  }

  /** The map backdrop for this size (graticule and cities), drawn once. */
  private backdropFor(width: number, height: number, dpr: number, cities: readonly { lat: number; lon: number }[]): HTMLCanvasElement {
    const key = `${width}x${height}@${dpr}/${cities.length}`;
    if (!this.backdrop || this.backdrop.key !== key) {
      const canvas = document.createElement('canvas');
      canvas.width = Math.round(width * dpr);
      canvas.height = Math.round(height * dpr);
      drawBackdrop(canvas, mapFrame(width, height), cities, dpr);
      this.backdrop = { canvas, key };
    }
    return this.backdrop.canvas;
  }

  /** Links, then peers; in the force layout, peers that have not started yet are not drawn (they are not in the overlay). */
  private drawGraph(ctx: CanvasRenderingContext2D, lane: LaneFrame, info: LoadInfo, o: PaintOptions, n: number, mapMode: boolean): void {
    const { offsets, targets, state } = lane;
    const p = this.screen;
    const sides = lane.partition?.sides;
    shadeSides(ctx, lane, p);
    ctx.strokeStyle = EDGE;
    ctx.lineWidth = n > 1000 ? 0.5 : 1;
    ctx.beginPath();
    for (let i = 0; i < n; i++) {
      for (let k = offsets[i]; k < offsets[i + 1]; k++) {
        const j = targets[k];
        if (j <= i || crossesCut(sides, i, j)) continue;
        ctx.moveTo(p[2 * i], p[2 * i + 1]);
        ctx.lineTo(p[2 * j], p[2 * j + 1]);
      }
    }
    ctx.stroke();
    drawCutLinks(ctx, lane, p);
    if (o.selected >= 0 && o.selected < n) {
      const i = o.selected;
      ctx.strokeStyle = EDGE_SELECTED;
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (let k = offsets[i]; k < offsets[i + 1]; k++) {
        const j = targets[k];
        ctx.moveTo(p[2 * i], p[2 * i + 1]);
        ctx.lineTo(p[2 * j], p[2 * j + 1]);
      }
      ctx.stroke();
    }
    // Peers: sized by degree, one path per colour.
    const base = n > 1000 ? 1.6 : n > 300 ? 2.6 : mapMode ? 4 : o.labels ? 7 : 5;
    const palette: string[] = [];
    const colorIndex = new Uint8Array(n);
    const indexOf = new Map<string, number>();
    const places = info.places;
    for (let i = 0; i < n; i++) {
      const s = state[i];
      let c: string;
      if (s === PEER_WAITING) c = WAITING;
      else if (s === PEER_DOWN) c = DOWN;
      else if (o.colorBy === 'region' && places) c = continentColor(places.continents[places.continent[lane.addresses[i]]]);
      else c = UP;
      let ci = indexOf.get(c);
      if (ci === undefined) {
        ci = palette.push(c) - 1;
        indexOf.set(c, ci);
      }
      colorIndex[i] = ci;
      const deg = offsets[i + 1] - offsets[i];
      this.radius[i] = s === PEER_UP ? base * (0.7 + 0.22 * Math.sqrt(deg)) : s === PEER_WAITING && !mapMode ? 0 : base * 0.7;
    }
    // Tiny dots in big overlays: squares rasterize faster than circles and look the same at 3 px.
    const squares = n > INTERPOLATE_MAX;
    palette.forEach((color, ci) => {
      ctx.fillStyle = color;
      ctx.beginPath();
      for (let i = 0; i < n; i++) {
        if (colorIndex[i] !== ci) continue;
        const x = p[2 * i];
        const y = p[2 * i + 1];
        const r = this.radius[i];
        if (r === 0) continue;
        if (squares) ctx.rect(x - r, y - r, 2 * r, 2 * r);
        else {
          ctx.moveTo(x + r, y);
          ctx.arc(x, y, r, 0, Math.PI * 2);
        }
      }
      ctx.fill();
    });
    if (o.selected >= 0 && o.selected < n) {
      const i = o.selected;
      ctx.strokeStyle = EDGE_SELECTED;
      ctx.lineWidth = 2.5;
      ctx.beginPath();
      ctx.arc(p[2 * i], p[2 * i + 1], this.radius[i] + 4, 0, Math.PI * 2);
      ctx.stroke();
    }
  }
}
