/**
 * A followed gossip wave over the topology (force view and world map): a
 * veil dims the picture, then the via-tree (each reached peer's link to the
 * neighbour it first heard the event from) and every reached peer, filled
 * in the colour of its hop; the origin ringed. Painted on top, every
 * animation frame, from the latest worker frame: the wave grows as frames arrive.
 */
import type { FrameStore } from '../client/store.ts';
import type { PaintOptions } from './painter.ts';
import { BACKGROUND, waveHopColor, WAVE_HOP_COLORS, WAVE_VEIL } from './colors.ts';

type Decorate = NonNullable<PaintOptions['decorate']>;

/** What each lane's canvas last drew of a wave (tests read it): tree edges and peers ringed. */
export const waveDrawn = new Map<number, { edges: number; peers: number }>();

const DOT_PX = 5;
const ORIGIN_RING_PX = 10;

export function waveDecorator(store: FrameStore): Decorate {
  return (ctx, lane, screen, n) => {
    const w = store.frame?.lanes[lane]?.wave;
    if (!w || !w.started) {
      waveDrawn.delete(lane);
      return;
    }
    const m = Math.min(n, w.firstUs.length);
    const top = WAVE_HOP_COLORS.length - 1;
    let edges = 0;
    let peers = 0;
    ctx.save();
    ctx.fillStyle = WAVE_VEIL;
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.lineWidth = 2.5;
    // One path per hop colour: the tree's edges, then the rings.
    for (let h = 0; h <= top; h++) {
      ctx.strokeStyle = waveHopColor(h);
      ctx.beginPath();
      for (let i = 0; i < m; i++) {
        const hop = Math.min(w.hop[i], top);
        const v = w.via[i];
        if (w.firstUs[i] < 0 || hop !== h || v < 0 || v >= m) continue;
        ctx.moveTo(screen[2 * v], screen[2 * v + 1]);
        ctx.lineTo(screen[2 * i], screen[2 * i + 1]);
        edges++;
      }
      ctx.stroke();
    }
    // Peers by hop: a disc in the hop's colour, outlined dark so it reads over any link.
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = BACKGROUND;
    for (let h = 0; h <= top; h++) {
      ctx.fillStyle = waveHopColor(h);
      ctx.beginPath();
      for (let i = 0; i < m; i++) {
        if (w.firstUs[i] < 0 || Math.min(w.hop[i], top) !== h) continue;
        ctx.moveTo(screen[2 * i] + DOT_PX, screen[2 * i + 1]);
        ctx.arc(screen[2 * i], screen[2 * i + 1], DOT_PX, 0, 2 * Math.PI);
        peers++;
      }
      ctx.fill();
      ctx.stroke();
    }
    if (w.origin < m) {
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = waveHopColor(0);
      ctx.beginPath();
      ctx.arc(screen[2 * w.origin], screen[2 * w.origin + 1], ORIGIN_RING_PX, 0, 2 * Math.PI);
      ctx.stroke();
    }
    ctx.restore();
    waveDrawn.set(lane, { edges, peers });
  };
}

/** Several decorations on one canvas, in order (undefined ones skipped). */
export function composeDecorators(...ds: (Decorate | undefined)[]): Decorate {
  const list = ds.filter((d): d is Decorate => d !== undefined);
  return (ctx, lane, screen, n) => {
    for (const d of list) d(ctx, lane, screen, n);
  };
}
