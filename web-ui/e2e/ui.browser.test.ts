import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { syntheticCompare } from '../../sim-core/node/report/fixture.ts';
import { parseScenario } from '../../sim-core/scenario/load.ts';
import { Simulation } from '../../sim-core/scenario/simulation.ts';
import {
  canvasPixels,
  HAVE_CHROMIUM,
  CHROMIUM,
  openDashboard,
  PAGE_TIMEOUT_MS,
  pageState,
  REPO,
  useDashboard,
  UP_RGB,
  waitForEnabled,
  waitForPainted,
  waitForState,
} from './browser.ts';

/**
 * The dashboard end to end in Debian's headless Chromium: the page runs
 * scenarios in its Web Worker and we check what it shows against the CLI.
 * Every wait is on a page state (loaded, paused, a simulated time reached,
 * a frame painted, a button enabled), never on wall time, so a loaded
 * machine makes it slower, not red; frame rates are `npm run bench:ui`.
 * Writes only to a temporary folder. Skipped, saying so, only when
 * /usr/bin/chromium is absent; CI installs it.
 */
if (!HAVE_CHROMIUM) console.warn(`ui.browser.test.ts: SKIPPED — ${CHROMIUM} not found (install it: apt-get install -y chromium)`);

/** Per test: several page waits, each bounded by PAGE_TIMEOUT_MS. */
const TEST_TIMEOUT_MS = 3 * PAGE_TIMEOUT_MS;
const poll = <T,>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: PAGE_TIMEOUT_MS, interval: 100 });

/** What `peermap run` prints as `trace:` for this scenario text and seed (the same code path as the CLI). */
function cliTrace(text: string, seed?: number): string {
  return new Simulation(parseScenario(text, 'cli', { seed })).runToEnd().traceHash;
}

describe.skipIf(!HAVE_CHROMIUM)(`dashboard in headless Chromium${HAVE_CHROMIUM ? '' : ' (SKIPPED: no /usr/bin/chromium)'}`, { timeout: TEST_TIMEOUT_MS }, () => {
  const { dir, dash } = useDashboard('peermap-ui-');

  const finalHash = async (page: Page) => {
    await page.locator('[data-testid=trace-hash-0][data-final="1"]').waitFor();
    return page.getByTestId('trace-hash-0').textContent();
  };

  it('classroom: runs to the end in the worker, shows the trace hash `peermap run` prints, draws every peer', async () => {
    const { page, errors, external } = await openDashboard(dash(), '?scenario=classroom&seed=3&speed=max&autoplay=1');
    await waitForState(page, 's.done');
    const expected = cliTrace(readFileSync(join(REPO, 'scenarios/classroom.yaml'), 'utf8'), 3);
    expect(await finalHash(page)).toBe(expected);
    expect(await page.getByTestId('run-state').textContent()).toBe('done');
    await waitForPainted(page, 'force');
    const px = await canvasPixels(page, 0, UP_RGB);
    expect(px.drawn, 'links, peers and labels on the canvas').toBeGreaterThan(px.total * 0.01);
    expect(px.colour, '50 peers in the "up" colour').toBeGreaterThan(50 * 40);
    await page.getByTestId('view').selectOption('map');
    await waitForPainted(page, 'map');
    expect((await canvasPixels(page, 0, UP_RGB)).colour, 'the world map draws the peers too').toBeGreaterThan(50 * 30);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });

  it('pause, step and fault buttons, peer clicks: the exported session replays with `npx peermap run` to the trace hash the page shows', async () => {
    // No autoplay: the run only moves when the test moves it, so it cannot end before the faults are pressed.
    const { page, errors } = await openDashboard(dash(), '?scenario=classroom&seed=4&duration=70&speed=0.1&view=map');
    const play = async () => {
      await waitForEnabled(page, 'play');
      await page.getByTestId('play').click();
    };
    const pause = async () => {
      await page.getByTestId('pause').click();
      await waitForState(page, '!s.playing');
    };
    // Play and pause (at 0.1 simulated s per wall s the 70 s run is far from its end).
    await play();
    await waitForState(page, 's.playing && s.nowS > 0');
    await pause();
    expect((await pageState(page)).done).toBe(false);
    // "step event" runs one event, and the log says which, newest first.
    for (let i = 1; i <= 3; i++) {
      await waitForEnabled(page, 'step-event');
      await page.getByTestId('step-event').click();
      await page.locator(`[data-testid="step-log"][data-count="${i}"]`).waitFor();
    }
    const logged = await page.getByTestId('step-log').locator('li').allTextContents();
    expect(logged).toHaveLength(3);
    const times = logged.map((line) => {
      expect(line).toMatch(/^\d+\.\d{6} s (deliver|timer|dial|accept|dial-failed|close|reset|start|action|datagram) (peer \d+|host \d+|scenario action)/);
      return Number(line.split(' ')[0]);
    });
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    // The step log and the clock arrive in separate worker messages: the clock must reach the newest logged event (a timeout fails the test).
    await waitForState(page, `s.nowS + 1e-6 >= ${times[0]}`);
    // "step round" moves half a simulated second (the global map's flush interval) and pauses.
    const stepTo = async (targetS: number) => {
      for (let i = 0; i < 400; i++) {
        const { nowS } = await pageState(page);
        if (nowS >= targetS) return;
        await waitForEnabled(page, 'step-round');
        await page.getByTestId('step-round').click();
        await waitForState(page, `!s.playing && s.nowS >= ${nowS + 0.5 - 1e-6}`);
      }
      throw new Error(`step round: ${targetS} s not reached in 400 steps`);
    };
    // Each fault button is pressed while paused, once the page shows it enabled.
    const press = async (testId: string, recorded: number) => {
      await waitForState(page, '!s.playing && !s.done');
      await waitForEnabled(page, testId);
      await page.getByTestId(testId).click();
      await waitForState(page, `s.recorded === ${recorded}`);
    };
    await stepTo(10);
    await page.getByTestId('kill-region-continent').selectOption('Oceania');
    await press('kill-region', 1);
    await stepTo(15);
    await page.getByTestId('partition-a').selectOption('Eurasia');
    await page.getByTestId('partition-b').selectOption('North America');
    await press('partition', 2);
    await stepTo(25);
    await press('heal', 3);
    // Click peer 5 where the canvas draws it: the inspector shows it (canvas hit-testing).
    await waitForPainted(page, 'map');
    const at = await page.evaluate(() => (window as unknown as { __peermap: { screenOf(l: number, p: number): { x: number; y: number } | null } }).__peermap.screenOf(0, 5));
    expect(at).not.toBeNull();
    await page.mouse.click(at!.x, at!.y);
    await page.getByTestId('inspector').filter({ hasText: /Peer 5\b/ }).waitFor();
    await page.getByTestId('map-size').filter({ hasText: /\d+ peers known/ }).waitFor();
    // Find a peer by number, then by its city: every hit is in that city, and a hit opens in the inspector.
    const search = page.getByTestId('peer-search');
    await search.fill('12');
    await page.locator('[data-testid="peer-search-hits"][data-count="1"]').waitFor();
    const city = /^peer 12 · (.+)$/.exec((await page.getByTestId('peer-search-hits').locator('button').first().textContent()) ?? '')?.[1];
    expect(city).toBeTruthy();
    await search.fill(city!);
    await page.locator('[data-testid="peer-search-hits"] button[data-peer="12"]').waitFor();
    const hits = await page.getByTestId('peer-search-hits').locator('button').allTextContents();
    for (const h of hits) expect(h.endsWith(`· ${city}`)).toBe(true);
    const other = hits.map((h) => Number(/^peer (\d+)/.exec(h)?.[1])).find((p) => p !== 5) ?? 12;
    await page.locator(`[data-testid="peer-search-hits"] button[data-peer="${other}"]`).click();
    await page.getByTestId('inspector').filter({ hasText: new RegExp(`Peer ${other}\\b`) }).waitFor();
    await page.getByTestId('speed').selectOption('Infinity');
    await play();
    await waitForState(page, 's.done');
    const shown = await finalHash(page);
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
    const { page, errors } = await openDashboard(dash(), '?scenario=quickstart');
    const file = join(dir, 'compare.json');
    writeFileSync(file, JSON.stringify(syntheticCompare()));
    await page.getByTestId('results-file').setInputFiles(file);
    await page.getByTestId('results-title').filter({ hasText: /globalmap \/ kademlia \/ random, seeds 1, 2, 3/ }).waitFor();
    await poll(() => page.getByTestId('results-table').locator('tbody tr').count()).toBeGreaterThan(3);
    // Dashed lines: one per loaded run, in each of the three charts.
    for (const chart of ['chart-coverage', 'chart-messages', 'chart-lcc']) await poll(() => page.getByTestId(chart).locator('path[stroke-dasharray]').count()).toBe(9);
    await page.getByRole('button', { name: 'edit YAML' }).click();
    const editor = page.getByTestId('scenario-text');
    await editor.fill((await editor.inputValue()).replace('count: 300', 'count: -5'));
    await page.getByTestId('load').click();
    await page.getByTestId('scenario-error').filter({ hasText: /peers\.count: got -5; must be ≥ 1/ }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('2,500 peers: the page draws the overlay (force view and world map) while the worker advances simulated time', async () => {
    const { page, errors } = await openDashboard(dash(), '?scenario=ui-2500&speed=max&autoplay=1');
    // A flash crowd: about 1,000 peers have started by 4 simulated seconds (the join storm beyond is slow to simulate).
    await waitForState(page, 's.nowS >= 4');
    const before = await pageState(page);
    expect(before.peers).toEqual([2500]);
    expect(before.playing).toBe(true);
    await waitForPainted(page, 'force');
    const force = await canvasPixels(page, 0, UP_RGB);
    expect(force.drawn, 'links and peers on the force view').toBeGreaterThan(force.total * 0.02);
    expect(force.colour, 'peers in the "up" colour').toBeGreaterThan(500);
    await page.getByTestId('view').selectOption('map');
    await waitForPainted(page, 'map');
    expect((await canvasPixels(page, 0, UP_RGB)).colour, 'peers in the "up" colour on the map').toBeGreaterThan(500);
    // The worker keeps simulating and sending frames.
    await waitForState(page, `s.nowS > ${before.nowS} && s.framesReceived > ${before.framesReceived}`);
    expect(errors).toEqual([]);
    await page.close();
  });
});
