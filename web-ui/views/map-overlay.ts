import type { PaintOptions } from '../render/painter.ts';
import type { MapTruth } from '../worker/protocol.ts';

/** A peer's map over the topology: links it holds that exist, links it holds that do not (stale), links it misses. */
export const MAP_HELD = 'rgba(241, 245, 249, 0.9)';
export const MAP_STALE = '#d946ef';
export const MAP_MISSING = 'rgba(148, 163, 184, 0.35)';

function strokePairs(ctx: CanvasRenderingContext2D, pairs: Int32Array, screen: Float32Array, n: number): void {
  ctx.beginPath();
  for (let k = 0; k < pairs.length; k += 2) {
    const i = pairs[k];
    const j = pairs[k + 1];
    if (i >= n || j >= n) continue;
    ctx.moveTo(screen[2 * i], screen[2 * i + 1]);
    ctx.lineTo(screen[2 * j], screen[2 * j + 1]);
  }
  ctx.stroke();
}

/** Draws `m` on lane `lane`'s canvas (the painter's decorate hook), on top of the topology every animation frame. */
export function mapDecorator(lane: number, m: MapTruth): NonNullable<PaintOptions['decorate']> {
  return (ctx, at, screen, n) => {
    if (at !== lane) return;
    ctx.save();
    ctx.lineWidth = 1;
    ctx.setLineDash([2, 3]);
    ctx.strokeStyle = MAP_MISSING;
    strokePairs(ctx, m.missing, screen, n);
    ctx.setLineDash([]);
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = MAP_HELD;
    strokePairs(ctx, m.held, screen, n);
    ctx.setLineDash([6, 3]);
    ctx.lineWidth = 2;
    ctx.strokeStyle = MAP_STALE;
    strokePairs(ctx, m.stale, screen, n);
    // Dead peers it still believes in: ringed.
    ctx.setLineDash([]);
    ctx.beginPath();
    for (const i of m.deadKnown) {
      if (i >= n) continue;
      ctx.moveTo(screen[2 * i] + 7, screen[2 * i + 1]);
      ctx.arc(screen[2 * i], screen[2 * i + 1], 7, 0, 2 * Math.PI);
    }
    ctx.stroke();
    ctx.restore();
  };
}
