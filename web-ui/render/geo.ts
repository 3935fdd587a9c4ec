/**
 * The world map: an equirectangular projection of latitude / longitude
 * (no tiles, no network). The backdrop is the land of Natural Earth's 1:110m
 * coastlines (world-atlas, bundled into the page), a graticule, and the
 * measured cities of the latency dataset as faint dots, drawn once per size
 * into an offscreen canvas. The map fills the whole canvas: latitudes beyond
 * the cities' range are shown when the canvas is taller than that range
 * (there used to be an empty band above and below the map there).
 */
import { geoEquirectangular, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { GeometryObject, Topology } from 'topojson-specification';
import land110m from 'world-atlas/land-110m.json';
import { COASTLINE, LAND, OCEAN } from './colors.ts';

/** Latitudes always shown (the dataset's cities lie between about -46° and 64°). */
const LAT_TOP = 75;
const LAT_BOTTOM = -58;

export interface MapFrame {
  x0: number;
  y0: number;
  w: number;
  h: number;
  /** Latitude at y0 and at y0 + h (degrees). */
  latTop: number;
  latBottom: number;
}

/**
 * The map rectangle for a canvas of (width, height): all longitudes and at
 * least LAT_TOP..LAT_BOTTOM fit with a margin; the rest of the height shows
 * more latitudes (up to the poles), so the map fills the canvas.
 */
export function mapFrame(width: number, height: number, margin = 12): MapFrame {
  const pxPerDeg = Math.max(1e-6, Math.min((width - 2 * margin) / 360, (height - 2 * margin) / (LAT_TOP - LAT_BOTTOM)));
  const w = 360 * pxPerDeg;
  const spanDeg = Math.min(180, height / pxPerDeg);
  const mid = (LAT_TOP + LAT_BOTTOM) / 2;
  let latTop = mid + spanDeg / 2;
  if (latTop > 90) latTop = 90;
  let latBottom = latTop - spanDeg;
  if (latBottom < -90) {
    latBottom = -90;
    latTop = latBottom + spanDeg;
  }
  const h = spanDeg * pxPerDeg;
  return { x0: (width - w) / 2, y0: (height - h) / 2, w, h, latTop, latBottom };
}

export function project(f: MapFrame, lat: number, lon: number): [number, number] {
  return [f.x0 + ((lon + 180) / 360) * f.w, f.y0 + ((f.latTop - lat) / (f.latTop - f.latBottom)) * f.h];
}

let landShape: GeoJSON.FeatureCollection | GeoJSON.Feature | undefined;
/** The land polygons (decoded from TopoJSON once). */
function land(): GeoJSON.FeatureCollection | GeoJSON.Feature {
  const topo = land110m as unknown as Topology<{ land: GeometryObject }>;
  return (landShape ??= feature(topo, topo.objects.land));
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

/** Ocean, land, graticule and city dots into a canvas of the given backing size. */
export function drawBackdrop(canvas: HTMLCanvasElement | OffscreenCanvas, f: MapFrame, cities: readonly { lat: number; lon: number }[], dpr: number): void {
  const ctx = canvas.getContext('2d') as CanvasRenderingContext2D | null;
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.fillStyle = OCEAN;
  ctx.fillRect(0, 0, canvas.width / dpr, canvas.height / dpr);
  // d3's equirectangular projection with project()'s scale and origin (the same px per degree both ways).
  const pxPerDeg = f.w / 360;
  const projection = geoEquirectangular()
    .scale((pxPerDeg * 180) / Math.PI)
    .translate([f.x0 + f.w / 2, f.y0 + f.latTop * pxPerDeg])
    .clipExtent([
      [f.x0, f.y0],
      [f.x0 + f.w, f.y0 + f.h],
    ]);
  const path = geoPath(projection, ctx);
  ctx.beginPath();
  path(land());
  ctx.fillStyle = LAND;
  ctx.fill();
  ctx.strokeStyle = COASTLINE;
  ctx.lineWidth = 0.7;
  ctx.stroke();
  ctx.strokeStyle = 'rgba(100, 116, 139, 0.18)';
  ctx.lineWidth = 0.5;
  ctx.beginPath();
  for (let lon = -180; lon <= 180; lon += 30) {
    const [x] = project(f, 0, lon);
    ctx.moveTo(x, f.y0);
    ctx.lineTo(x, f.y0 + f.h);
  }
  for (let lat = -90; lat <= 90; lat += 15) {
    if (lat < f.latBottom || lat > f.latTop) continue;
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
