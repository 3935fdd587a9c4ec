/**
 * The world map: an equirectangular projection of latitude / longitude
 * (no tiles, no network). The backdrop is a graticule plus the measured
 * cities of the latency dataset as faint dots, drawn once per size into an
 * offscreen canvas.
 */
import { BACKGROUND } from './colors.ts';

/** Latitudes shown (the dataset's cities lie between about -46° and 64°). */
const LAT_TOP = 75;
const LAT_BOTTOM = -58;

export interface MapFrame {
  x0: number;
  y0: number;
  w: number;
  h: number;
}

/** The largest map rectangle with the projection's aspect that fits in (width, height) with a margin. */
export function mapFrame(width: number, height: number, margin = 12): MapFrame {
  const aspect = 360 / (LAT_TOP - LAT_BOTTOM);
  let w = width - 2 * margin;
  let h = w / aspect;
  if (h > height - 2 * margin) {
    h = height - 2 * margin;
    w = h * aspect;
  }
  return { x0: (width - w) / 2, y0: (height - h) / 2, w, h };
}

export function project(f: MapFrame, lat: number, lon: number): [number, number] {
  return [f.x0 + ((lon + 180) / 360) * f.w, f.y0 + ((LAT_TOP - lat) / (LAT_TOP - LAT_BOTTOM)) * f.h];
}

/**
 * Screen offsets (px) spreading the hosts of one city on a small spiral, so
 * peers sharing a city stay clickable. By address, in address order.
 */
export function cityJitter(city: ArrayLike<number> | undefined, lat: Float32Array, lon: Float32Array, px: number): Float32Array {
  const n = lat.length;
  const out = new Float32Array(2 * n);
  const seen = new Map<string, number>();
  for (let h = 0; h < n; h++) {
    const key = city ? String(city[h]) : `${lat[h]},${lon[h]}`;
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    if (k === 0) continue;
    const r = px * Math.sqrt(k);
    const a = k * 2.399963;
    out[2 * h] = r * Math.cos(a);
    out[2 * h + 1] = r * Math.sin(a);
  }
  return out;
}

/** Graticule and city dots into a canvas of the given backing size. */
export function drawBackdrop(canvas: HTMLCanvasElement | OffscreenCanvas, f: MapFrame, cities: readonly { lat: number; lon: number }[], dpr: number): void {
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | null;
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = BACKGROUND;
  ctx.fillRect(0, 0, canvas.width / dpr, canvas.height / dpr);
  ctx.fillStyle = '#111a26';
  ctx.fillRect(f.x0, f.y0, f.w, f.h);
  ctx.strokeStyle = 'rgba(100, 116, 139, 0.25)';
  ctx.lineWidth = 0.5;
  ctx.beginPath();
  for (let lon = -180; lon <= 180; lon += 30) {
    const [x] = project(f, 0, lon);
    ctx.moveTo(x, f.y0);
    ctx.lineTo(x, f.y0 + f.h);
  }
  for (let lat = -60; lat <= 75; lat += 15) {
    if (lat < LAT_BOTTOM || lat > LAT_TOP) continue;
    const [, y] = project(f, lat, 0);
    ctx.moveTo(f.x0, y);
    ctx.lineTo(f.x0 + f.w, y);
  }
  ctx.stroke();
  ctx.fillStyle = 'rgba(148, 163, 184, 0.35)';
  ctx.beginPath();
  for (const c of cities) {
    const [x, y] = project(f, c.lat, c.lon);
    ctx.moveTo(x + 1.2, y);
    ctx.arc(x, y, 1.2, 0, Math.PI * 2);
  }
  ctx.fill();
}
