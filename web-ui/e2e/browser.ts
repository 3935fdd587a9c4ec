import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { build } from 'vite';
import { launchChromium, PAGE_TIMEOUT_MS, watchPage } from './chromium.ts';
import { serveStatic } from './serve.ts';

/**
 * The dashboard in Debian's headless Chromium, shared by the browser tests
 * and `npm run bench:ui`: build it with vite, serve the build (module
 * workers do not load from file://), open pages with no network, and read
 * the page's state hooks (window.__peermap).
 */
export { CHROMIUM, HAVE_CHROMIUM, PAGE_TIMEOUT_MS } from './chromium.ts';
export const REPO = resolve(import.meta.dirname, '../..');

export interface Painted {
  seq: number;
  mode: 'force' | 'map';
  settled: boolean;
}

export interface PageState {
  loaded: boolean;
  framesReceived: number;
  nowS: number;
  done: boolean;
  playing: boolean;
  peers: number[];
  traceHashes: string[];
  eventsPerS: number;
  recorded: number;
  /** The WebM recording: running, and its chunks / bytes so far. */
  webmRecording: boolean;
  webmChunks: number;
  webmBytes: number;
  seq: number;
  painted: (Painted | null)[];
  renderFrames: number;
  /** Per lane, the peer labels its canvas last drew (classroom mode: only those that fit). */
  labels: number[];
  /** Peers up and links per lane in the latest frame. */
  up: number[];
  links: number[];
  /** A loaded replay's span and timeline markers; the replay panel's error. */
  replay: { source: string; sources: string[]; startS: number; endS: number; markers: { tS: number; kind: string; label: string }[] } | null;
  /** Lane names, and the partitions in force per lane in the latest frame. */
  lanes: string[];
  partitions: string[][];
  /** Per lane: the worker frame that brought the partitions now in force and the render frame it arrived in; what the canvas drew. */
  partitionSeen: { key: string; seq: number; renderFrame: number; nowUs: number; prevNowUs: number }[];
  partitionDrawn: ({ key: string; seq: number; renderFrame: number } | null)[];
  partitionSeenLog: { key: string; seq: number; renderFrame: number; nowUs: number; prevNowUs: number }[][];
  partitionDrawnLog: { key: string; seq: number; renderFrame: number }[][];
  simSecondsPerS: number | null;
  /** Per lane, the followed gossip wave and what the canvas drew of it. */
  wave: ({ origin: number; started: boolean; reached: number; live: number; settled: boolean; drawn: { edges: number; peers: number } | null } | null)[];
  /** Web Workers running the lanes (one per lane side by side); per lane, its achieved speed and its pace while running. */
  workers: number;
  laneSpeeds: { achieved: number | null; busy: number | null }[];
  /** What the fault panel last said (a fault recorded, or why not). */
  faultMessage: string | null;
  /** Per lane, its canvas's zoom factor (1: the whole view). */
  zoom: number[];
  replayError: string | null;
  /** Series points the charts hold per lane, and the last one's time. */
  seriesPoints: number[];
  seriesLastS: (number | null)[];
}

export interface Dashboard {
  url: string;
  context: BrowserContext;
  close(): Promise<void>;
}

/** Builds the dashboard into `dir`/dist, serves it and starts Chromium with its profile in `dir`. */
export async function startDashboard(dir: string): Promise<Dashboard> {
  const dist = join(dir, 'dist');
  await build({ configFile: join(REPO, 'vite.config.ts'), logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
  const server = await serveStatic(dist);
  const context = await launchChromium(join(dir, 'profile'), { viewport: { width: 1500, height: 1000 }, acceptDownloads: true });
  return {
    url: server.url,
    context,
    close: async () => {
      await context.close();
      await server.close();
    },
  };
}

export interface Opened {
  page: Page;
  errors: string[];
  external: string[];
}

/** Opens the dashboard with `query`; records console/page errors and refuses (and records) any request off the server. */
export async function openDashboard(d: Dashboard, query: string): Promise<Opened> {
  const page = await d.context.newPage();
  const { errors, external } = await watchPage(page, (url) => url.startsWith(d.url) || url.startsWith('blob:') || url.startsWith('data:'));
  await page.goto(`${d.url}${query}`);
  await waitForState(page, 's.loaded');
  return { page, errors, external };
}

export const pageState = (page: Page): Promise<PageState> => page.evaluate(() => (window as unknown as { __peermap: { state(): PageState } }).__peermap.state());

/** Waits until `condition` (a JS expression over `s`, the page state) holds. */
export async function waitForState(page: Page, condition: string, timeout = PAGE_TIMEOUT_MS): Promise<void> {
  await page.waitForFunction(`(() => { const s = window.__peermap?.state(); return !!s && (${condition}); })()`, null, { timeout, polling: 50 });
}

/** Waits until lane `lane`'s canvas shows the latest worker frame in `mode`, final (layout fitted, layer current). */
export const waitForPainted = (page: Page, mode: 'force' | 'map', lane = 0) =>
  waitForState(page, `s.painted[${lane}] !== null && s.painted[${lane}] !== undefined && s.painted[${lane}].seq === s.seq && s.painted[${lane}].mode === '${mode}' && s.painted[${lane}].settled`);

/** Waits until the element with this data-testid exists and is enabled. */
export const waitForEnabled = (page: Page, testId: string) =>
  page.waitForFunction((id) => {
    const el = document.querySelector(`[data-testid="${id}"]`) as HTMLButtonElement | HTMLSelectElement | null;
    return !!el && !el.disabled;
  }, testId, { timeout: PAGE_TIMEOUT_MS, polling: 50 });

/** Pixels of a lane's canvas that differ from the background, and those in a given colour. */
export const canvasPixels = (page: Page, lane: number, rgb: [number, number, number]) =>
  page.evaluate(
    ({ lane, rgb }) => {
      const c = document.querySelector(`[data-testid=topology-${lane}]`) as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let drawn = 0;
      let colour = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i] - 13) + Math.abs(d[i + 1] - 17) + Math.abs(d[i + 2] - 23) > 24) drawn++;
        if (Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) < 30) colour++;
      }
      return { drawn, colour, total: d.length / 4 };
    },
    { lane, rgb },
  );

/** The "up" peer colour (render/colors.ts UP). */
export const UP_RGB: [number, number, number] = [0x38, 0xbd, 0xf8];

/**
 * The set-up every dashboard e2e file shares: a temporary folder, the dashboard
 * built and served from it before the tests, closed and removed after them.
 * Call inside `describe`; `dash()` is the running dashboard.
 */
export function useDashboard(prefix: string): { dir: string; dash(): Dashboard } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let dash: Dashboard | undefined;
  beforeAll(async () => {
    dash = await startDashboard(dir);
  }, PAGE_TIMEOUT_MS);
  afterAll(async () => {
    await dash?.close();
    rmSync(dir, { recursive: true, force: true });
  }, PAGE_TIMEOUT_MS);
  return { dir, dash: () => dash! };
}
