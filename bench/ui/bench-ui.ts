/**
 * `npm run bench:ui`: the dashboard's frame rate in headless Chromium
 * (/usr/bin/chromium) while the worker simulates, and the simulated seconds
 * per wall second it achieves: at 2,500 peers (web-ui/scenarios/ui-2500.yaml)
 * with messages in flight drawn, once every peer has joined, in the force
 * view and on the world map; and at classroom scale (classroom mode:
 * labels and messages, speed max). A measurement, not a test: it depends on
 * the machine and its load, which results/ui-fps.json records beside the
 * numbers (with the seed and the commit). Also writes the screenshots
 * results/ui-classroom.png (1280×720), results/ui-classroom-map.png,
 * results/ui-2500.png and results/ui-2500-map.png, and (bench/ui/shots.ts)
 * results/ui-partition.png, results/ui-map-vs-truth.png and
 * results/ui-replay-2500-side-by-side.png; results/ui-kademlia.png (bench/ui/kad-shot.ts)
 * and results/ui-gossip-wave.png.
 *
 *   npm run bench:ui                     everything
 *   npm run bench:ui -- --only fps       the frame rates (results/ui-fps.json) and their screenshots
 *   npm run bench:ui -- --only shots     the other screenshots only
 *   npm run bench:ui -- --replays DIR    convergence-2500's replays taken from DIR (without it: recorded
 *                                        into a temporary folder first, a few CPU-minutes)
 *   npm run bench:ui -- --before FILE    a ui-fps.json measured on an earlier commit (the same way, just
 *                                        before): kept in the new one as `before`, for a before/after
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { canvasPixels, CHROMIUM, HAVE_CHROMIUM, openDashboard, pageState, REPO, startDashboard, UP_RGB, waitForPainted, waitForState, type Dashboard } from '../../web-ui/e2e/browser.ts';
import { gitCommit } from '../../sim-core/node/machine.ts';
import { shotKademlia } from './kad-shot.ts';
import { cpuPerFrame, rendererThreadCpuMs } from './thread-cpu.ts';
import { shotMapVsTruth, shotPartition, shotReplay2500 } from './shots.ts';

/** Long enough that the run is still going when the measurement ends (the classroom runs at ~1,000 simulated s per wall s at speed max). */
const CLASSROOM_DURATION_S = 86_400;
const RESULTS = join(REPO, 'results');
/** Measurement windows (wall ms): several, because on a shared machine another process can starve the page for a moment. */
const FORCE_WINDOWS = [3000, 3000, 3000];
const MAP_WINDOWS = [1500, 1500, 1500];
/** The classroom at speed max: more and longer windows, its rate swings most with the machine's load (the worker takes a core). */
const CLASSROOM_WINDOWS = [2000, 2000, 2000, 2000, 2000];

interface Fps {
  fps: number;
  frames: number;
  ms: number;
  meanPaintMs: number;
  worstPaintMs: number;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

async function measure(page: Page, windows: number[]) {
  const w: Fps[] = [];
  for (const ms of windows) w.push(await page.evaluate((ms) => (window as unknown as { __peermap: { measureFps(ms: number): Promise<Fps> } }).__peermap.measureFps(ms), ms));
  const sorted = w.map((x) => x.fps).sort((a, b) => a - b);
  return {
    fps: r1(sorted[Math.floor(sorted.length / 2)]),
    best: r1(sorted[sorted.length - 1]),
    windows: w.map((x) => ({ fps: r1(x.fps), frames: x.frames, ms: Math.round(x.ms), meanPaintMs: r2(x.meanPaintMs), worstPaintMs: r2(x.worstPaintMs) })),
  };
}

/** `chromium --version`, for a persistent context (which has no Browser object to ask). */
function chromiumVersion(): string {
  try {
    return execFileSync(CHROMIUM, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

function check(errors: string[], what: string): void {
  if (errors.length > 0) throw new Error(`bench:ui: the page reported errors (${what}):\n${errors.join('\n')}`);
}

/** Simulated seconds per wall second the worker reports (its own ~1 s windows), median of a few readings while `measure` runs. */
async function achievedSpeed(page: Page): Promise<number | null> {
  const s = await pageState(page);
  return s.simSecondsPerS !== null && Number.isFinite(s.simSecondsPerS) ? r2(s.simSecondsPerS) : null;
}

/** The classroom scenario live (classroom mode, speed max: labels and messages drawn) at 1280×720, then paused: force view and world map. */
async function classroom(dash: Dashboard, profileDir: string) {
  const { page, errors } = await openDashboard(dash, `?scenario=classroom&seed=3&duration=${CLASSROOM_DURATION_S}&speed=max&autoplay=1&classroom=1`);
  await page.setViewportSize({ width: 1280, height: 720 });
  await waitForState(page, 's.nowS >= 5 && s.simSecondsPerS !== null && s.simSecondsPerS === s.simSecondsPerS');
  console.log('bench:ui: measuring the classroom, live');
  const before = await pageState(page);
  const cpu0 = rendererThreadCpuMs(profileDir);
  const live = await measure(page, CLASSROOM_WINDOWS);
  const cpu1 = rendererThreadCpuMs(profileDir);
  const after = await pageState(page);
  const speed = await achievedSpeed(page);
  if ((await pageState(page)).playing) await page.getByTestId('pause').click();
  await waitForState(page, '!s.playing');
  await waitForPainted(page, 'force');
  await page.screenshot({ path: join(RESULTS, 'ui-classroom.png') });
  await page.getByTestId('view').selectOption('map');
  await waitForPainted(page, 'map');
  await page.screenshot({ path: join(RESULTS, 'ui-classroom-map.png') });
  check(errors, 'classroom');
  await page.close();
  return {
    scenario: 'scenarios/classroom.yaml',
    seed: 3,
    durationS: CLASSROOM_DURATION_S,
    view: 'force layout, classroom mode (labels, messages in flight), speed max, 1280×720',
    peers: before.peers[0],
    fps: live.fps,
    windows: live.windows,
    simulatedTimeS: { start: before.nowS, end: after.nowS },
    /** Achieved simulated seconds per wall second at speed max (the worker's own measurement). */
    simSecondsPerWallSecond: speed,
    /** CPU ms per painted frame by thread of the page's process (main: the UI thread; DedicatedWorker: the simulation; ThreadPoolForeg: raster and the JIT), over the windows. */
    cpuMsPerFrame: cpuPerFrame(cpu0, cpu1, live.windows.reduce((n, w) => n + w.frames, 0)),
  };
}

async function fps2500(dash: Dashboard) {
  const { page, errors } = await openDashboard(dash, '?scenario=ui-2500&speed=max&autoplay=1&messages=1');
  // Measured once the flash crowd has joined: all 2,500 peers have started by 10 simulated seconds.
  await waitForState(page, 's.nowS >= 10 && s.up[0] >= 2500');
  console.log('bench:ui: 2,500 peers joined; measuring the force view');
  await waitForPainted(page, 'force');
  const before = await pageState(page);
  const wallStartMs = Date.now();
  const force = await measure(page, FORCE_WINDOWS);
  const after = await pageState(page);
  const wallS = (Date.now() - wallStartMs) / 1000;
  const workerSpeed = await achievedSpeed(page);
  const upForce = await page.evaluate(() => {
    const f = (window as unknown as { __peermap: { store: { frame?: { lanes: { state: Uint8Array }[] } } } }).__peermap.store.frame;
    return f ? f.lanes[0].state.filter((s) => s === 1).length : 0;
  });
  await page.screenshot({ path: join(RESULTS, 'ui-2500.png') });
  await page.getByTestId('view').selectOption('map');
  await waitForPainted(page, 'map');
  console.log('bench:ui: measuring the world map');
  const map = await measure(page, MAP_WINDOWS);
  await page.screenshot({ path: join(RESULTS, 'ui-2500-map.png') });
  const px = await canvasPixels(page, 0, UP_RGB);
  check(errors, 'ui-2500');
  await page.close();
  return {
    scenario: 'web-ui/scenarios/ui-2500.yaml',
    peers: before.peers[0],
    peersUpDuringMeasurement: upForce,
    seed: 1,
    view: 'force layout (canvas), messages in flight drawn, speed max, 1500×1000',
    fps: force.fps,
    fpsBestWindow: force.best,
    windows: force.windows,
    simulatedSecondsDuringMeasurement: Math.round((after.nowS - before.nowS) * 1000) / 1000,
    simulatedTimeS: { start: before.nowS, end: after.nowS },
    /** How fast the browser worker simulates the 2,500 peers while the force view paints (1 = real time). */
    simSecondsPerWallSecond: Math.round(((after.nowS - before.nowS) / wallS) * 10000) / 10000,
    /** The same, as the status bar shows it (the worker's last ~1 s window). */
    simSecondsPerWallSecondShown: workerSpeed,
    workerFramesDuringMeasurement: after.framesReceived - before.framesReceived,
    workerEventsPerS: Math.round(after.eventsPerS),
    worldMap: { ...map, upPixels: px.colour, canvasPixelsDrawn: px.drawn },
  };
}

/**
 * results/ui-gossip-wave.png: the classroom scenario playing, a peer picked
 * on the canvas follows a gossip wave until it settles — peers ringed by hop,
 * the tree of first receipts, the inspector's readout beside it.
 */
async function shotGossipWave(dash: Dashboard) {
  const { page, errors } = await openDashboard(dash, '?scenario=classroom&seed=3&duration=120&speed=2&classroom=0');
  await page.setViewportSize({ width: 1600, height: 1000 });
  const setPlaying = async (on: boolean) => {
    if ((await pageState(page)).playing !== on) await page.keyboard.press(' ');
    await waitForState(page, on ? 's.playing || s.done' : '!s.playing');
  };
  await setPlaying(true);
  await waitForState(page, 's.nowS >= 24');
  await setPlaying(false);
  await waitForPainted(page, 'force');
  type Hook = { __peermap: { screenOf(l: number, p: number): { x: number; y: number } | null } };
  for (let p = 7; p < 50; p++) {
    const at = await page.evaluate((p) => (window as unknown as Hook).__peermap.screenOf(0, p), p);
    if (!at) continue;
    await page.mouse.click(at.x, at.y);
    await page.getByTestId('inspector').filter({ hasText: new RegExp(`Peer ${p}\\b`) }).waitFor();
    if ((await page.locator('[data-testid=inspector] dd.up').count()) > 0) break;
  }
  await setPlaying(true);
  await page.getByTestId('follow-wave').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=wave-readout]')?.getAttribute('data-settled') === 'true', null, { polling: 50, timeout: 600_000 });
  await setPlaying(false);
  await waitForPainted(page, 'force');
  await waitForState(page, 's.wave[0] && s.wave[0].drawn && s.wave[0].drawn.peers === s.wave[0].reached');
  await page.screenshot({ path: join(RESULTS, 'ui-gossip-wave.png') });
  check(errors, 'gossip wave');
  await page.close();
}

/** The figures of an earlier ui-fps.json worth comparing (its own `before` dropped). */
function beforeOf(file: string) {
  const b = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const { before: _, ...rest } = b;
  void _;
  return rest;
}

async function main(): Promise<number> {
  if (!HAVE_CHROMIUM) {
    console.error(`bench:ui: ${CHROMIUM} not found (install it: apt-get install -y chromium)`);
    return 1;
  }
  const { values: flags } = parseArgs({ options: { only: { type: 'string' }, replays: { type: 'string' }, before: { type: 'string' } } });
  if (flags.only !== undefined && flags.only !== 'fps' && flags.only !== 'shots') {
    console.error(`bench:ui: --only takes fps or shots (got ${flags.only})`);
    return 2;
  }
  // Before this bench rewrites its own tracked outputs (which would read as "-dirty").
  const commit = gitCommit(REPO);
  const dir = mkdtempSync(join(tmpdir(), 'peermap-bench-ui-'));
  let dash: Dashboard | undefined;
  try {
    console.log('bench:ui: building the dashboard');
    dash = await startDashboard(dir);
    mkdirSync(RESULTS, { recursive: true });
    if (flags.only !== 'fps') {
      console.log('bench:ui: screenshots');
      await shotPartition(dash);
      await shotMapVsTruth(dash);
      const replays = flags.replays ?? join(dir, 'replays');
      mkdirSync(replays, { recursive: true });
      await shotReplay2500(dash, join(dir, 'dist'), replays, flags.replays === undefined);
      console.log('bench:ui: wrote results/ui-partition.png, results/ui-map-vs-truth.png, results/ui-replay-2500-side-by-side.png');
      if (flags.only === 'shots') return 0;
    }
    const load1 = loadavg()[0];
    const room = await classroom(dash, dir);
    await shotGossipWave(dash);
    const m = await fps2500(dash);
    await shotKademlia(dash);
    const report = {
      ...m,
      classroom: room,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        loadavg1AtStart: r2(load1),
        loadavg1AtEnd: r2(loadavg()[0]),
        chromium: dash.context.browser()?.version() ?? chromiumVersion(),
      },
      commit,
      measuredAt: new Date().toISOString(),
      ...(flags.before ? { before: beforeOf(flags.before) } : {}),
    };
    writeFileSync(join(RESULTS, 'ui-fps.json'), JSON.stringify(report, null, 2) + '\n');
    const ws = (w: { windows: { fps: number }[] }) => w.windows.map((x) => x.fps).join(', ');
    console.log(
      `bench:ui: force view ${report.fps} fps median (windows ${ws(m)}), world map ${m.worldMap.fps} fps median (windows ${ws(m.worldMap)}); ` +
        `${m.peersUpDuringMeasurement} of ${m.peers} peers up, messages drawn; the worker advanced ${m.simulatedSecondsDuringMeasurement} simulated s meanwhile (${m.simSecondsPerWallSecond} simulated s per wall s); ` +
        `classroom live ${room.fps} fps at ${room.simSecondsPerWallSecond} simulated s per wall s; ` +
        `load average ${report.machine.loadavg1AtStart} -> ${report.machine.loadavg1AtEnd}. Wrote results/ui-fps.json and results/ui-*.png`,
    );
    return 0;
  } finally {
    await dash?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
