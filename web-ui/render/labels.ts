/**
 * Peer numbers beside the peers (classroom mode), only where they fit: at
 * 2,500 peers labelling everyone painted an unreadable carpet and cost a
 * third of each frame. Labels are placed greedily, best-connected peers
 * first, each only if its box overlaps no label already placed (an
 * occupancy grid over the canvas), and at most MAX_LABELS per frame.
 */
import { PEER_WAITING, type LaneFrame } from '../worker/protocol.ts';
import { BACKGROUND } from './colors.ts';

/** Most labels drawn on one canvas (bounds the work of a frame). */
export const MAX_LABELS = 400;
/** Side of an occupancy cell, px: a box takes every cell it touches, so placed boxes never overlap. */
const CELL_PX = 4;
const FONT_PX = 15;
/** Free space kept around a label, px (so neighbouring numbers do not touch). */
const PAD_PX = 2;

export interface LabelBox {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Placement {
  /** Peers labelled, in placement order. */
  peers: number[];
  /** Their label boxes (x, y: top left, CSS px). */
  boxes: LabelBox[];
}

/**
 * Chooses the peers to label. Candidates are visited by `priority`
 * (descending, then peer number ascending: deterministic), a label sits to
 * the right of its peer (`screen` x, y, `radius`), else to its left,
 * `charW` px per digit. Peers whose box fits on neither side (outside the
 * canvas or over a placed box) go unlabelled.
 */
export function placeLabels(
  candidates: readonly number[],
  priority: ArrayLike<number>,
  screen: ArrayLike<number>,
  radius: ArrayLike<number>,
  charW: number,
  width: number,
  height: number,
  maxLabels = MAX_LABELS,
): Placement {
  const order = [...candidates].sort((a, b) => priority[b] - priority[a] || a - b);
  const cols = Math.max(1, Math.ceil(width / CELL_PX));
  const rows = Math.max(1, Math.ceil(height / CELL_PX));
  const used = new Uint8Array(cols * rows);
  const out: Placement = { peers: [], boxes: [] };
  const h = FONT_PX + 2;
  const fits = (x: number, y: number, w: number): [number, number, number, number] | undefined => {
    if (!(x >= 0 && y >= 0 && x + w <= width && y + h <= height)) return undefined;
    const c0 = Math.max(0, Math.floor((x - PAD_PX) / CELL_PX));
    const c1 = Math.min(cols - 1, Math.floor((x + w + PAD_PX) / CELL_PX));
    const r0 = Math.max(0, Math.floor((y - PAD_PX) / CELL_PX));
    const r1 = Math.min(rows - 1, Math.floor((y + h + PAD_PX) / CELL_PX));
    for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) if (used[r * cols + c]) return undefined;
    return [c0, c1, r0, r1];
  };
  for (const i of order) {
    if (out.peers.length >= maxLabels) break;
    const w = String(i).length * charW;
    const y = screen[2 * i + 1] - h / 2;
    // Right of the peer, else left of it (at the canvas's right edge, or beside a neighbour's label).
    let x = screen[2 * i] + radius[i] + 3;
    let cells = fits(x, y, w);
    if (!cells) {
      x = screen[2 * i] - radius[i] - 3 - w;
      cells = fits(x, y, w);
    }
    if (!cells) continue;
    const [c0, c1, r0, r1] = cells;
    for (let r = r0; r <= r1; r++) used.fill(1, r * cols + c0, r * cols + c1 + 1);
    out.peers.push(i);
    out.boxes.push({ x, y, w, h });
  }
  return out;
}

/** Space around a label's text in its bitmap, px: room for the 3 px outline. */
const SPRITE_PAD_PX = 2;
/** Bitmaps kept (one per peer number and pixel ratio); past this the cache starts again. */
const MAX_SPRITES = 4096;
type Sprite = { canvas: OffscreenCanvas | HTMLCanvasElement; w: number; h: number };
const sprites = new Map<string, Sprite>();

/**
 * A label's outlined number, drawn once into a bitmap at the canvas's pixel
 * ratio: copying it each frame costs far less than stroking and filling the
 * text again (measured: labels were a quarter of the classroom's painting).
 */
function sprite(text: string, dpr: number): Sprite {
  const key = `${text}@${dpr}`;
  let s = sprites.get(key);
  if (s) return s;
  if (sprites.size >= MAX_SPRITES) sprites.clear();
  const font = `bold ${FONT_PX}px system-ui, sans-serif`;
  const probe = typeof OffscreenCanvas === 'function' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
  const pctx = probe.getContext('2d') as CanvasRenderingContext2D;
  pctx.font = font;
  const w = Math.ceil(pctx.measureText(text).width) + 2 * SPRITE_PAD_PX;
  const h = FONT_PX + 2 + 2 * SPRITE_PAD_PX;
  probe.width = Math.ceil(w * dpr);
  probe.height = Math.ceil(h * dpr);
  const ctx = probe.getContext('2d') as CanvasRenderingContext2D;
  ctx.scale(dpr, dpr);
  ctx.font = font;
  ctx.textBaseline = 'middle';
  ctx.lineWidth = 3;
  ctx.lineJoin = 'round';
  ctx.strokeStyle = BACKGROUND;
  ctx.fillStyle = '#f8fafc';
  ctx.strokeText(text, SPRITE_PAD_PX, h / 2);
  ctx.fillText(text, SPRITE_PAD_PX, h / 2);
  s = { canvas: probe, w, h };
  sprites.set(key, s);
  return s;
}

/** Draws the labels that fit; `screen` and `radius` as the painter drew them (CSS px). Returns how many were drawn. */
export function drawLabels(ctx: CanvasRenderingContext2D, lane: LaneFrame, n: number, screen: Float32Array, radius: Float32Array, width: number, height: number): number {
  ctx.font = `bold ${FONT_PX}px system-ui, sans-serif`;
  const charW = ctx.measureText('0').width;
  const candidates: number[] = [];
  const degree = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    if (lane.state[i] === PEER_WAITING || radius[i] === 0) continue;
    candidates.push(i);
    degree[i] = lane.offsets[i + 1] - lane.offsets[i];
  }
  const { peers, boxes } = placeLabels(candidates, degree, screen, radius, charW, width, height);
  // The context is scaled to CSS px; its scale is the pixel ratio the bitmaps are drawn at.
  const dpr = Math.max(1, ctx.getTransform().a);
  for (let k = 0; k < peers.length; k++) {
    const b = boxes[k];
    const sp = sprite(String(peers[k]), dpr);
    ctx.drawImage(sp.canvas, b.x - SPRITE_PAD_PX, b.y + b.h / 2 - sp.h / 2, sp.w, sp.h);
  }
  return peers.length;
}
