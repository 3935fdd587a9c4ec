import { BACKGROUND } from '../render/colors.ts';

/**
 * The topology view as one PNG: every lane's canvas where it sits on the
 * page (side by side as shown), at the canvases' own resolution, with each
 * lane's title and a caption (scenario and simulated time) on top.
 */
export async function topologyPng(caption: string): Promise<Blob> {
  const out = document.createElement('canvas');
  drawTopology(out, caption);
  return new Promise((resolve, reject) => out.toBlob((b) => (b ? resolve(b) : reject(new Error('the browser made no PNG'))), 'image/png'));
}

/** Draws the topology view into `out` (resized to fit; the WebM recorder calls this every animation frame). */
export function drawTopology(out: HTMLCanvasElement, caption: string): void {
  const canvases = [...document.querySelectorAll<HTMLCanvasElement>('canvas[data-testid^="topology-"]')];
  if (canvases.length === 0) throw new Error('no topology view to export');
  const rects = canvases.map((c) => c.getBoundingClientRect());
  const left = Math.min(...rects.map((r) => r.left));
  const top = Math.min(...rects.map((r) => r.top));
  const right = Math.max(...rects.map((r) => r.right));
  const bottom = Math.max(...rects.map((r) => r.bottom));
  const dpr = canvases[0].width / Math.max(1, rects[0].width);
  const captionPx = 24;
  const w = Math.max(1, Math.round((right - left) * dpr));
  const h = Math.max(1, Math.round((bottom - top + captionPx) * dpr));
  // Resizing clears the canvas and resets its state: only when the size changed (a video keeps its size).
  if (out.width !== w || out.height !== h) {
    out.width = w;
    out.height = h;
  }
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas');
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.scale(dpr, dpr);
  ctx.font = '13px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = '#e2e8f0';
  ctx.fillText(caption, 8, captionPx / 2);
  canvases.forEach((c, i) => {
    const r = rects[i];
    const x = r.left - left;
    const y = r.top - top + captionPx;
    ctx.drawImage(c, x, y, r.width, r.height);
    const title = c.parentElement?.querySelector('.topology-title')?.textContent;
    if (title) {
      ctx.fillStyle = 'rgba(13, 17, 23, 0.75)';
      ctx.fillRect(x, y, Math.min(r.width, ctx.measureText(title).width + 12), 20);
      ctx.fillStyle = '#e2e8f0';
      ctx.fillText(title, x + 6, y + 10);
    }
  });
}

/** Starts a download of `blob` as `name`. */
export function download(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
