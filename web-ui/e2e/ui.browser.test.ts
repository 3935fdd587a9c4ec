import { execFile } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCompare } from '../../sim-core/node/report/fixture.ts';
import { parseScenario } from '../../sim-core/scenario/load.ts';
import { Simulation } from '../../sim-core/scenario/simulation.ts';
import { serveStatic } from './serve.ts';

/**
 * The dashboard end to end in Debian's headless Chromium: vite builds it,
 * a tiny HTTP server serves the build (module workers do not load from
 * file://), the page runs scenarios in its Web Worker and we check what it
 * shows against the CLI. Skipped, saying so, only when /usr/bin/chromium is
 * absent; CI installs it. Writes results/ui-classroom.png, results/ui-2500.png
 * and results/ui-fps.json.
 */
const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`ui.browser.test.ts: SKIPPED — ${CHROMIUM} not found (install it: apt-get install -y chromium)`);

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const REPO = resolve(import.meta.dirname, '../..');
const RESULTS = join(REPO, 'results');
/**
 * Frame rate at 2,500 peers while the worker simulates, over three 3-second
 * windows: the best window must reach MIN_FPS (the force view's target) and
 * the median must stay above MIN_MEDIAN_FPS. Windows, not one number,
 * because on a shared 2-core machine another process can starve the page
 * for a moment; every window is written to results/ui-fps.json.
 */
const MIN_FPS = 30;
const MIN_MEDIAN_FPS = 20;
/** The world map (long links rasterize slowly without a GPU): a lower bound for its best window. */
const MIN_MAP_FPS = 20;

interface PageState {
  loaded: boolean;
  framesReceived: number;
  nowS: number;
  done: boolean;
  playing: boolean;
  peers: number[];
  traceHashes: string[];
  eventsPerS: number;
  recorded: number;
}

interface Opened {
  page: Page;
  errors: string[];
  external: string[];
}

/** What `peermap run` prints as `trace:` for this scenario text and seed (the same code path as the CLI). */
function cliTrace(text: string, seed?: number): string {
  return new Simulation(parseScenario(text, 'cli', { seed })).runToEnd().traceHash;
}

describe.skipIf(!HAVE_CHROMIUM)(`dashboard in headless Chromium${HAVE_CHROMIUM ? '' : ' (SKIPPED: no /usr/bin/chromium)'}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'peermap-ui-'));
  let server: { url: string; close(): Promise<void> } | undefined;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    const dist = join(dir, 'dist');
    await build({ configFile: join(REPO, 'vite.config.ts'), logLevel: 'warn', build: { outDir: dist, emptyOutDir: true } });
    server = await serveStatic(dist);
    context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ARGS,
      viewport: { width: 1500, height: 1000 },
      acceptDownloads: true,
    });
    mkdirSync(RESULTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(query: string): Promise<Opened> {
    const page = await context!.newPage();
    const errors: string[] = [];
    const external: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    // No network at runtime: anything but our server is refused and recorded.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(server!.url) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
      external.push(url);
      return route.abort();
    });
    await page.goto(`${server!.url}${query}`);
    await page.waitForFunction(() => (window as unknown as { __peermap?: { state(): PageState } }).__peermap?.state().loaded === true, null, { timeout: 30_000 });
    return { page, errors, external };
  }

  const state = (page: Page) => page.evaluate(() => (window as unknown as { __peermap: { state(): PageState } }).__peermap.state());
  const waitFor = (page: Page, fn: string, timeout = 60_000) => page.waitForFunction(`(() => { const s = window.__peermap.state(); return ${fn}; })()`, null, { timeout, polling: 100 });

  /** Pixels of a lane's canvas that differ from the background, and those in a given colour. */
  const canvasPixels = (page: Page, lane: number, rgb: [number, number, number]) =>
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

  it('classroom: runs to the end in the worker, shows the trace hash `peermap run` prints, draws every peer', async () => {
    const { page, errors, external } = await open('?scenario=classroom&seed=3&speed=max&autoplay=1');
    await waitFor(page, 's.done');
    const hash = page.getByTestId('trace-hash-0');
    await expect.poll(() => hash.getAttribute('data-final')).toBe('1');
    const shown = await hash.textContent();
    const expected = cliTrace(readFileSync(join(REPO, 'scenarios/classroom.yaml'), 'utf8'), 3);
    expect(shown).toBe(expected);
    expect(await page.getByTestId('run-state').textContent()).toBe('done');
    await page.waitForTimeout(400); // the layout settles; the canvas repaints every animation frame
    const px = await canvasPixels(page, 0, [0x38, 0xbd, 0xf8]);
    expect(px.drawn, 'links, peers and labels on the canvas').toBeGreaterThan(px.total * 0.01);
    expect(px.colour, '50 peers in the "up" colour').toBeGreaterThan(50 * 40);
    await page.screenshot({ path: join(RESULTS, 'ui-classroom.png') });
    await page.getByTestId('view').selectOption('map');
    await page.waitForTimeout(300);
    expect((await canvasPixels(page, 0, [0x38, 0xbd, 0xf8])).colour, 'the world map draws the peers too').toBeGreaterThan(50 * 30);
    await page.screenshot({ path: join(RESULTS, 'ui-classroom-map.png') });
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });

  it('fault buttons and peer clicks: the exported session replays with `npx peermap run` to the trace hash the page shows', { timeout: 120_000 }, async () => {
    const { page, errors } = await open('?scenario=classroom&seed=4&duration=70&speed=10&autoplay=1&view=map');
    // Each fault is pressed while paused (so a slow machine cannot let the run end first), then the run goes on.
    const pauseAt = async (s: number) => {
      await waitFor(page, `s.nowS >= ${s}`, 60_000);
      await page.getByTestId('pause').click();
      await waitFor(page, '!s.playing', 10_000);
    };
    const resume = async () => {
      await page.getByTestId('play').click();
      await waitFor(page, 's.playing', 10_000);
    };
    await pauseAt(15);
    await page.getByTestId('kill-region-continent').selectOption('Oceania');
    await page.getByTestId('kill-region').click();
    await waitFor(page, 's.recorded === 1', 10_000);
    await resume();
    await pauseAt(25);
    await page.getByTestId('partition-a').selectOption('Eurasia');
    await page.getByTestId('partition-b').selectOption('North America');
    await page.getByTestId('partition').click();
    await waitFor(page, 's.recorded === 2', 10_000);
    await resume();
    await pauseAt(40);
    await page.getByTestId('heal').click();
    await waitFor(page, 's.recorded === 3', 10_000);
    // Click peer 5 where the canvas draws it: the inspector shows it (canvas hit-testing).
    const at = await page.evaluate(() => (window as unknown as { __peermap: { screenOf(l: number, p: number): { x: number; y: number } | null } }).__peermap.screenOf(0, 5));
    expect(at).not.toBeNull();
    await page.mouse.click(at!.x, at!.y);
    await expect.poll(() => page.getByTestId('inspector').textContent()).toMatch(/Peer 5\b/);
    await expect.poll(() => page.getByTestId('map-size').textContent()).toMatch(/\d+ peers known/);
    await page.getByTestId('speed').selectOption('Infinity');
    await page.getByTestId('play').click();
    await waitFor(page, 's.done');
    await expect.poll(() => page.getByTestId('trace-hash-0').getAttribute('data-final')).toBe('1');
    const shown = await page.getByTestId('trace-hash-0').textContent();
    const download = page.waitForEvent('download');
    await page.getByTestId('export').click();
    const file = join(dir, 'session.yaml');
    await (await download).saveAs(file);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/do: outage/);
    expect(text).toMatch(/do: partition/);
    expect(text).toMatch(/do: heal/);
    const run = await promisify(execFile)(process.execPath, [join(REPO, 'bin/peermap.mjs'), 'run', file, '--quiet', '--out', join(dir, 'replay')], { cwd: REPO });
    const trace = /^trace: ([0-9a-f]{16})$/m.exec(run.stdout)?.[1];
    expect(trace).toBe(shown);
    expect(shown).not.toBe(cliTrace(readFileSync(join(REPO, 'scenarios/classroom.yaml'), 'utf8').replace('durationS: 120', 'durationS: 70'), 4));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('loads CLI results (compare.json) into the charts, and names the field of a bad edit', async () => {
    const { page, errors } = await open('?scenario=quickstart');
    const file = join(dir, 'compare.json');
    writeFileSync(file, JSON.stringify(syntheticCompare()));
    await page.getByTestId('results-file').setInputFiles(file);
    await expect.poll(() => page.getByTestId('results-title').textContent()).toMatch(/globalmap \/ kademlia \/ random, seeds 1, 2, 3/);
    expect(await page.getByTestId('results-table').locator('tbody tr').count()).toBeGreaterThan(3);
    // Dashed lines: one per loaded run, in each of the three charts.
    for (const chart of ['chart-coverage', 'chart-messages', 'chart-lcc']) expect(await page.getByTestId(chart).locator('path[stroke-dasharray]').count()).toBe(9);
    await page.getByRole('button', { name: 'edit YAML' }).click();
    const editor = page.getByTestId('scenario-text');
    await editor.fill((await editor.inputValue()).replace('count: 300', 'count: -5'));
    await page.getByTestId('load').click();
    await expect.poll(() => page.getByTestId('scenario-error').textContent()).toMatch(/peers\.count: got -5; must be ≥ 1/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('2,500 peers: the page keeps its frame rate while the worker simulates', async () => {
    const T0 = Date.now();
    const lap = (what: string) => console.log(`[ui-2500] ${what} at ${((Date.now() - T0) / 1000).toFixed(1)} s`);
    const { page, errors } = await open('?scenario=ui-2500&speed=max&autoplay=1');
    lap('loaded');
    // Let the flash crowd join (all 2,500 peers are up from 10 simulated seconds), within a wall-clock budget.
    await waitFor(page, 's.framesReceived > 5', 30_000);
    const started = Date.now();
    while (Date.now() - started < 30_000 && (await state(page)).nowS < 10) await page.waitForTimeout(500);
    type Fps = { fps: number; frames: number; ms: number; meanPaintMs: number; worstPaintMs: number };
    const r1 = (x: number) => Math.round(x * 10) / 10;
    const summarize = (w: Fps[]) => {
      const sorted = w.map((x) => x.fps).sort((a, b) => a - b);
      return {
        fps: r1(sorted[Math.floor(sorted.length / 2)]),
        best: r1(sorted[sorted.length - 1]),
        windows: w.map((x) => ({ fps: r1(x.fps), frames: x.frames, ms: Math.round(x.ms), meanPaintMs: Math.round(x.meanPaintMs * 100) / 100, worstPaintMs: Math.round(x.worstPaintMs * 100) / 100 })),
      };
    };
    const measure = (ms: number) => page.evaluate((ms) => (window as unknown as { __peermap: { measureFps(ms: number): Promise<Fps> } }).__peermap.measureFps(ms), ms);
    lap('joined');
    const before = await state(page);
    const forceWindows = [await measure(3000), await measure(3000), await measure(3000)];
    const force = summarize(forceWindows);
    lap('measured');
    const after = await state(page);
    const upForce = await page.evaluate(() => {
      const f = (window as unknown as { __peermap: { store: { frame?: { lanes: { state: Uint8Array }[] } } } }).__peermap.store.frame;
      return f ? f.lanes[0].state.filter((s) => s === 1).length : 0;
    });
    await page.screenshot({ path: join(RESULTS, 'ui-2500.png') });
    lap('screenshot');
    // The world map draws all 2,500 peers, joined or not.
    await page.getByTestId('view').selectOption('map');
    await page.waitForTimeout(300);
    const map = summarize([await measure(1500), await measure(1500), await measure(1500)]);
    lap('map measured');
    await page.screenshot({ path: join(RESULTS, 'ui-2500-map.png') });
    expect(after.playing || after.done).toBe(true);
    expect(after.framesReceived).toBeGreaterThan(before.framesReceived);
    expect(after.nowS).toBeGreaterThan(before.nowS);
    const px = await canvasPixels(page, 0, [0x38, 0xbd, 0xf8]);
    expect(px.colour, '2,500 peers in the "up" colour on the map').toBeGreaterThan(1000);
    const report = {
      scenario: 'web-ui/scenarios/ui-2500.yaml',
      peers: before.peers[0],
      peersUpDuringMeasurement: upForce,
      view: 'force layout (canvas), in-flight messages off',
      fps: force.fps,
      fpsBestWindow: force.best,
      windows: force.windows,
      simulatedSecondsDuringMeasurement: Math.round((after.nowS - before.nowS) * 1000) / 1000,
      simulatedTimeS: { start: before.nowS, end: after.nowS },
      workerFramesDuringMeasurement: after.framesReceived - before.framesReceived,
      workerEventsPerS: Math.round(after.eventsPerS),
      canvasPixelsDrawn: px.drawn,
      worldMap: map,
      thresholds: { forceBestWindow: MIN_FPS, forceMedian: MIN_MEDIAN_FPS, worldMapBestWindow: MIN_MAP_FPS },
      machine: { cpus: cpus().length, loadavg1: Math.round(loadavg()[0] * 100) / 100, chromium: context!.browser()?.version() ?? 'headless' },
      measuredAt: new Date().toISOString(),
    };
    writeFileSync(join(RESULTS, 'ui-fps.json'), JSON.stringify(report, null, 2) + '\n');
    console.log(
      `ui-2500: force layout ${report.fps} fps median (windows ${force.windows.map((w) => w.fps).join(', ')}), world map ${map.fps} fps median (windows ${map.windows.map((w) => w.fps).join(', ')}); ${upForce} of ${report.peers} peers up; the worker advanced ${report.simulatedSecondsDuringMeasurement} simulated s meanwhile; load average ${report.machine.loadavg1}`,
    );
    expect(px.drawn).toBeGreaterThan(px.total * 0.02);
    expect(force.best, 'force layout, best window').toBeGreaterThanOrEqual(MIN_FPS);
    expect(force.fps, 'force layout, median window').toBeGreaterThanOrEqual(MIN_MEDIAN_FPS);
    expect(map.best, 'world map, best window').toBeGreaterThanOrEqual(MIN_MAP_FPS);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
