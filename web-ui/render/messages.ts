/**
 * Messages in flight as dots moving along their link, one path per message
 * family. At 2,500 peers tens of thousands can be in flight during a join
 * storm: they are drawn as squares (circles cost several times more to
 * rasterize and look the same at 3 px), and at most MAX_MESSAGE_DOTS per
 * frame, an even sample of those in flight (a denser cloud shows nothing more).
 */
import type { LaneFrame } from '../worker/protocol.ts';
import { MESSAGE_FAMILIES, messageFamily } from './colors.ts';

/** Most message dots drawn on one canvas per animation frame. */
export const MAX_MESSAGE_DOTS = 3000;
/** Above this many peers the dots are small squares. */
const SQUARES_ABOVE_PEERS = 300;

const familyIndex = new Map<(typeof MESSAGE_FAMILIES)[number], number>(MESSAGE_FAMILIES.map((f, k) => [f, k]));

/** Family index of each message type (0–255) for these type names. */
function familiesOf(typeNames: Record<number, string>): Uint8Array {
  const out = new Uint8Array(256);
  for (let t = 0; t < 256; t++) out[t] = familyIndex.get(messageFamily(typeNames[t]))!;
  return out;
}
let cached: { names: Record<number, string>; families: Uint8Array } | undefined;

/** Draws the messages travelling at simulated time `tUs`; `screen`: peer positions as drawn (CSS px). */
export function drawMessages(ctx: CanvasRenderingContext2D, lane: LaneFrame, typeNames: Record<number, string>, screen: Float32Array, tUs: number): void {
  const f = lane.inFlight!;
  if (cached?.names !== typeNames) cached = { names: typeNames, families: familiesOf(typeNames) };
  const families = cached.families;
  let travelling = 0;
  for (let m = 0; m < f.count; m++) if (tUs >= f.sentUs[m] && tUs <= f.arriveUs[m] && f.arriveUs[m] > f.sentUs[m]) travelling++;
  if (travelling === 0) return;
  const stride = Math.max(1, Math.ceil(travelling / MAX_MESSAGE_DOTS));
  const squares = lane.n > SQUARES_ABOVE_PEERS;
  const r = squares ? 1.6 : 3.2;
  const p = screen;
  for (let fam = 0; fam < MESSAGE_FAMILIES.length; fam++) {
    ctx.fillStyle = MESSAGE_FAMILIES[fam].color;
    ctx.beginPath();
    let k = 0;
    let any = false;
    for (let m = 0; m < f.count; m++) {
      const s = f.sentUs[m];
      const a = f.arriveUs[m];
      if (tUs < s || tUs > a || a <= s) continue;
      // The sample is taken over all travelling messages (every stride-th), whatever their family.
      if (k++ % stride !== 0 || families[f.type[m]] !== fam) continue;
      const u = (tUs - s) / (a - s);
      const i = f.from[m];
      const j = f.to[m];
      const x = p[2 * i] + (p[2 * j] - p[2 * i]) * u;
      const y = p[2 * i + 1] + (p[2 * j + 1] - p[2 * i + 1]) * u;
      if (squares) ctx.rect(x - r, y - r, 2 * r, 2 * r);
      else {
        ctx.moveTo(x + r, y);
        ctx.arc(x, y, r, 0, Math.PI * 2);
      }
      any = true;
    }
    if (any) ctx.fill();
  }
}
