import { lookupRoundColor } from '../render/colors.ts';
import type { PaintOptions } from '../render/painter.ts';
import type { KadPathView } from '../worker/protocol.ts';

type Decorate = NonNullable<PaintOptions['decorate']>;

/** White ring: the inspected peer; the lookup's answer and the true closest peer get rings of their own. */
const RING_SELF = 'rgba(241, 245, 249, 0.95)';

function ring(ctx: CanvasRenderingContext2D, screen: Float32Array, i: number, r: number, dash: number[]): void {
  ctx.setLineDash(dash);
  ctx.beginPath();
  ctx.arc(screen[2 * i], screen[2 * i + 1], r, 0, 2 * Math.PI);
  ctx.stroke();
}

/**
 * Draws a lookup on lane `lane`'s canvas (the painter's decorate hook): one
 * arrow-less edge per query, from the peer that named the queried peer (the
 * inspected peer for its starting shortlist), coloured by round; the first
 * answer ringed solid, the true closest peer dashed (one ring when they agree).
 */
export function pathDecorator(lane: number, p: KadPathView): Decorate {
  return (ctx, at, screen, n) => {
    if (at !== lane) return;
    ctx.save();
    ctx.lineWidth = 2.5;
    const e = p.edges;
    for (let k = 0; k < e.length; k += 3) {
      const a = e[k];
      const b = e[k + 1];
      if (a >= n || b >= n) continue;
      ctx.strokeStyle = lookupRoundColor(e[k + 2]);
      ctx.beginPath();
      ctx.moveTo(screen[2 * a], screen[2 * a + 1]);
      ctx.lineTo(screen[2 * b], screen[2 * b + 1]);
      ctx.stroke();
    }
    ctx.lineWidth = 2;
    ctx.strokeStyle = RING_SELF;
    if (p.initiator >= 0 && p.initiator < n) ring(ctx, screen, p.initiator, 9, []);
    const found = p.result[0] ?? -1;
    ctx.strokeStyle = lookupRoundColor(p.rounds.length);
    if (found >= 0 && found < n) ring(ctx, screen, found, 8, []);
    if (p.trueClosest >= 0 && p.trueClosest < n && p.trueClosest !== found) ring(ctx, screen, p.trueClosest, 11, [3, 3]);
    ctx.restore();
  };
}
