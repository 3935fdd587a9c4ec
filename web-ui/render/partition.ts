/**
 * Partitions on the topology canvas: while a cut is in force, the peers of
 * each side are shaded (one translucent blob per side: overlapping discs in
 * one path fill once) and the links that cross it are drawn dashed — the
 * overlay keeps them until their peers time them out, and the picture shows
 * the cut from its first instant. Used by LanePainter in both views.
 */
import { PEER_WAITING, type LaneFrame } from '../worker/protocol.ts';
import { CUT_LINK, SIDE_A_SHADE, SIDE_B_SHADE } from './colors.ts';

/** What identifies the partitions of a frame (changes when a cut starts or heals). */
export const partitionKey = (lane: LaneFrame | undefined): string => lane?.partition?.names.join('\n') ?? '';

/** Whether the link i–j crosses a cut (its ends on different sides). */
export function crossesCut(sides: Uint8Array | undefined, i: number, j: number): boolean {
  return !!sides && sides[i] !== 0 && sides[j] !== 0 && sides[i] !== sides[j];
}

/** Shades each side's peers (under the links and peers); `screen`: x, y per peer in CSS px. Peers not started are left out. */
export function shadeSides(ctx: CanvasRenderingContext2D, lane: LaneFrame, screen: Float32Array): void {
  const sides = lane.partition?.sides;
  if (!sides) return;
  const r = lane.n > 1000 ? 9 : lane.n > 300 ? 14 : 22;
  for (const [side, color] of [
    [1, SIDE_A_SHADE],
    [2, SIDE_B_SHADE],
  ] as const) {
    ctx.fillStyle = color;
    ctx.beginPath();
    for (let i = 0; i < lane.n; i++) {
      if (sides[i] !== side || lane.state[i] === PEER_WAITING) continue;
      ctx.moveTo(screen[2 * i] + r, screen[2 * i + 1]);
      ctx.arc(screen[2 * i], screen[2 * i + 1], r, 0, Math.PI * 2);
    }
    ctx.fill();
  }
}

/** The links crossing a cut, dashed (LanePainter leaves them out of its solid links). */
export function drawCutLinks(ctx: CanvasRenderingContext2D, lane: LaneFrame, screen: Float32Array): void {
  const sides = lane.partition?.sides;
  if (!sides) return;
  const { offsets, targets } = lane;
  ctx.save();
  ctx.strokeStyle = CUT_LINK;
  ctx.lineWidth = lane.n > 1000 ? 0.8 : 1.5;
  ctx.setLineDash([5, 4]);
  ctx.beginPath();
  for (let i = 0; i < lane.n; i++) {
    for (let k = offsets[i]; k < offsets[i + 1]; k++) {
      const j = targets[k];
      if (j <= i || !crossesCut(sides, i, j)) continue;
      ctx.moveTo(screen[2 * i], screen[2 * i + 1]);
      ctx.lineTo(screen[2 * j], screen[2 * j + 1]);
    }
  }
  ctx.stroke();
  ctx.restore();
}

/** Partition changes kept per lane for tests that read one after the playhead moved on. */
export const PARTITION_LOG_MAX = 8;
