import { PEER_WAITING, type LaneFrame } from '../worker/protocol.ts';
import { BACKGROUND } from './colors.ts';

/** Peer numbers beside the peers (classroom mode); `screen` and `radius` as the painter drew them. */
export function drawLabels(ctx: CanvasRenderingContext2D, lane: LaneFrame, n: number, screen: Float32Array, radius: Float32Array): void {
  ctx.font = 'bold 15px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.lineWidth = 3;
  ctx.strokeStyle = BACKGROUND;
  ctx.fillStyle = '#f8fafc';
  for (let i = 0; i < n; i++) {
    if (lane.state[i] === PEER_WAITING) continue;
    const x = screen[2 * i] + radius[i] + 3;
    const y = screen[2 * i + 1];
    ctx.strokeText(String(i), x, y);
    ctx.fillText(String(i), x, y);
  }
}
