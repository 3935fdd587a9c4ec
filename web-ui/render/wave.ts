/**
 * A followed gossip wave over the topology (force view and world map): the
 * via-tree (each reached peer's link to the neighbour it first heard the
 * event from) and a ring round every reached peer, both in the colour of
 * the peer's hop; the origin ringed twice. Painted on top, every animation
 * frame, from the latest worker frame: the wave grows as frames arrive.
 */
import type { FrameStore } from '../client/store.ts';
import type { PaintOptions } from './painter.ts';
import { waveHopColor, WAVE_HOP_COLORS } from './colors.ts';

type Decorate = NonNullable<PaintOptions['decorate']>;

/** What each lane's canvas last drew of a wave (tests read it): tree edges and peers ringed. */
export const waveDrawn = new Map<number, { edges: number; peers: number }>();

const RING_PX = 7;
const ORIGIN_RING_PX = 11;

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
    ctx.lineWidth = 2;
    for (let h = 0; h <= top; h++) {
      ctx.strokeStyle = waveHopColor(h);
      ctx.beginPath();
      for (let i = 0; i < m; i++) {
        if (w.firstUs[i] < 0 || Math.min(w.hop[i], top) !== h) continue;
        const r = i === w.origin ? ORIGIN_RING_PX : RING_PX;
        ctx.moveTo(screen[2 * i] + r, screen[2 * i + 1]);
        ctx.arc(screen[2 * i], screen[2 * i + 1], r, 0, 2 * Math.PI);
        if (i === w.origin) {
          ctx.moveTo(screen[2 * i] + RING_PX - 2, screen[2 * i + 1]);
          ctx.arc(screen[2 * i], screen[2 * i + 1], RING_PX - 2, 0, 2 * Math.PI);
        }
        peers++;
      }
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
