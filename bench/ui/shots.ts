/**
 * The screenshots `npm run bench:ui` writes into results/ (never a test:
 * pixels depend on the fonts and the machine): a partition in progress, a
 * peer's map against the truth after an outage, and the convergence-2500 replay at minute 5, globalmap beside Kademlia.
 * Every wait is on a page state; the runs are the classroom scenario, seed 3.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runChild } from '../children/children.ts';
import type { Page } from 'playwright-core';
import { openDashboard, pageState, PAGE_TIMEOUT_MS, REPO, waitForEnabled, waitForPainted, waitForState, type Dashboard } from '../../web-ui/e2e/browser.ts';

export const RESULTS = join(REPO, 'results');
/** The replay shot: convergence-2500 recorded up to here (simulated s), shown at REPLAY_AT_S. */
const REPLAY_DURATION_S = 330;
const REPLAY_AT_S = 300;
const REPLAY_STRATEGIES = ['globalmap', 'kademlia'];

async function setPlaying(page: Page, on: boolean): Promise<void> {
  if ((await pageState(page)).playing !== on) await page.getByTestId(on ? 'play' : 'pause').click();
  await waitForState(page, on ? 's.playing || s.done' : '!s.playing');
}

function check(errors: string[], what: string): void {
  if (errors.length > 0) throw new Error(`bench:ui: the page reported errors (${what}):\n${errors.join('\n')}`);
}

/** "Cut this region off from the rest" (Eurasia) on the world map, a few simulated seconds into the cut: sides shaded, crossing links dashed. */
export async function shotPartition(dash: Dashboard): Promise<void> {
  const { page, errors } = await openDashboard(dash, '?scenario=classroom&seed=3&duration=600&speed=5&classroom=1&view=map&color=region');
  await waitForEnabled(page, 'isolate');
  await setPlaying(page, true);
  await waitForState(page, 's.nowS >= 30 && s.up[0] === 50');
  await setPlaying(page, false);
  await page.getByTestId('isolate-continent').selectOption('Eurasia');
  await page.getByTestId('isolate').click();
  await waitForState(page, 's.recorded === 1');
  const at = (await pageState(page)).nowS;
  await setPlaying(page, true);
  await waitForState(page, `s.partitions[0]?.length === 1 && s.nowS >= ${at + 3}`);
  await setPlaying(page, false);
  await waitForState(page, 's.partitionDrawn[0] !== null && s.partitionDrawn[0].key !== ""');
  await waitForPainted(page, 'map');
  await page.screenshot({ path: join(RESULTS, 'ui-partition.png') });
  check(errors, 'partition shot');
  await page.close();
}

/** After an outage (Africa, stays down), a survivor's map drawn over the topology: held, stale and missing links, and the inspector's counts. */
export async function shotMapVsTruth(dash: Dashboard): Promise<void> {
  const { page, errors } = await openDashboard(dash, '?scenario=classroom&seed=3&duration=600&speed=5&classroom=0&messages=0');
  await waitForEnabled(page, 'kill-region');
  await setPlaying(page, true);
  await waitForState(page, 's.nowS >= 25 && s.up[0] === 50');
  await setPlaying(page, false);
  await page.getByTestId('kill-region').click();
  await waitForState(page, 's.recorded === 1');
  const at = (await pageState(page)).nowS;
  await setPlaying(page, true);
  await waitForState(page, `s.nowS >= ${at + 3} && s.up[0] < 50`);
  await setPlaying(page, false);
  await waitForPainted(page, 'force');
  // The best-connected survivor: its map says the most.
  const peer = await page.evaluate(() => {
    const f = (window as unknown as { __peermap: { store: { frame: { lanes: { n: number; state: Uint8Array; offsets: Int32Array }[] } } } }).__peermap.store.frame.lanes[0];
    let best = -1;
    for (let i = 0; i < f.n; i++) if (f.state[i] === 1 && (best < 0 || f.offsets[i + 1] - f.offsets[i] > f.offsets[best + 1] - f.offsets[best])) best = i;
    return best;
  });
  const where = await page.evaluate((p) => (window as unknown as { __peermap: { screenOf(l: number, p: number): { x: number; y: number } | null } }).__peermap.screenOf(0, p), peer);
  if (!where) throw new Error(`bench:ui: peer ${peer} is not drawn`);
  await page.mouse.click(where.x, where.y);
  await page.waitForFunction((p) => document.querySelector('[data-testid=map-truth]')?.getAttribute('data-peer') === String(p), peer, { timeout: PAGE_TIMEOUT_MS, polling: 50 });
  await page.getByTestId('draw-map').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=draw-map]')?.getAttribute('aria-pressed') === 'true', null, { timeout: PAGE_TIMEOUT_MS });
  // The overlay is drawn in the next animation frames.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: join(RESULTS, 'ui-map-vs-truth.png') });
  check(errors, 'map vs truth shot');
  await page.close();
}

/**
 * convergence-2500's replays (`peermap compare --record`, globalmap and
 * Kademlia, seed 1) side by side at minute 5, served from the build folder
 * `dist`. Taken from `dir`, or (`record`) recorded into it first (`peermap
 * compare --record`, a couple of CPU-minutes each).
 */
export async function shotReplay2500(dash: Dashboard, dist: string, dir: string, record: boolean): Promise<void> {
  const files = REPLAY_STRATEGIES.map((s) => `replay-${s}-seed1.ndjson.gz`);
  if (!files.every((f) => existsSync(join(dir, f)))) {
    if (!record) throw new Error(`bench:ui: ${dir} does not hold ${files.join(' and ')} (peermap compare scenarios/convergence-2500.yaml --strategies ${REPLAY_STRATEGIES.join(',')} --seeds 1 --duration ${REPLAY_DURATION_S} --record --out DIR)`);
    console.log(`bench:ui: recording convergence-2500 (${REPLAY_STRATEGIES.join(', ')}, ${REPLAY_DURATION_S} simulated s) into ${dir}`);
    const args = ['compare', 'scenarios/convergence-2500.yaml', '--strategies', REPLAY_STRATEGIES.join(','), '--seeds', '1', '--duration', String(REPLAY_DURATION_S), '--record', '--out', dir, '--force', '--quiet'];
    // A tracked child: the bench killed by its pid takes the recording down with it.
    const r = await runChild(process.execPath, [join(REPO, 'bin/peermap.mjs'), ...args], { cwd: REPO, stdio: 'inherit' });
    if (r.code !== 0) throw new Error(`bench:ui: peermap compare --record ended with ${r.code ?? r.signal}`);
  }
  for (const f of files) copyFileSync(join(dir, f), join(dist, f));
  // The force view: replays carry no host places, so there is no world map to show.
  const { page, errors } = await openDashboard(dash, `?${files.map((f) => `replay=${f}`).join('&')}&classroom=0`);
  await page.setViewportSize({ width: 1600, height: 1000 });
  await waitForState(page, `s.replay !== null && s.lanes.length === ${files.length} && s.seq >= 0`);
  await page.evaluate((t) => (window as unknown as { __peermap: { seek(s: number): void } }).__peermap.seek(t), REPLAY_AT_S);
  await waitForState(page, `s.nowS === ${REPLAY_AT_S} && s.seriesLastS.every((t) => t !== null)`);
  for (let lane = 0; lane < files.length; lane++) await waitForPainted(page, 'force', lane);
  await page.screenshot({ path: join(RESULTS, 'ui-replay-2500-side-by-side.png') });
  check(errors, 'replay shot');
  await page.close();
}
