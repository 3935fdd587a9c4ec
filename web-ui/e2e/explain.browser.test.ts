import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { parseReplayText } from '../../sim-core/record/reader.ts';
import { canvasPixels, CHROMIUM, HAVE_CHROMIUM, openDashboard, PAGE_TIMEOUT_MS, pageState, useDashboard, waitForEnabled, waitForPainted, waitForState } from './browser.ts';

/** MAP_STALE (views/map-overlay.ts). */
const STALE_RGB: [number, number, number] = [0xd9, 0x46, 0xef];

/**
 * What a teacher explains with, in headless Chromium: a live session saved
 * as a replay and opened again; a peer's map against the true topology.
 * Every wait is on a page state or a data attribute the page sets, never on
 * wall time; one browser for the file; writes only to a temporary folder.
 */
if (!HAVE_CHROMIUM) console.warn(`explain.browser.test.ts: SKIPPED — ${CHROMIUM} not found (install it: apt-get install -y chromium)`);

/**
 * Play / pause with Space (the page toggles on the latest frame's state): the play/pause button
 * is one that swaps, and on a loaded machine it may not hold still long enough to be clicked.
 */
async function setPlaying(page: Page, on: boolean): Promise<void> {
  if ((await pageState(page)).playing !== on) await page.keyboard.press(' ');
  await waitForState(page, on ? 's.playing || s.done' : '!s.playing');
}
const pause = (page: Page) => setPlaying(page, false);
const play = (page: Page) => setPlaying(page, true);

/**
 * Pauses, kills the first region (stays down) and returns the outage's time. Paused: on a loaded
 * machine a playing worker may take many simulated seconds to answer the button (even run to the end).
 */
async function faultWhilePaused(page: Page): Promise<number> {
  await pause(page);
  await page.getByTestId('kill-region').click();
  await waitForState(page, 's.recorded >= 1');
  const label = (await page.getByTestId('recorded').locator('li').first().textContent()) ?? '';
  expect(label).toContain('outage');
  return Number(label.split(' s:')[0]);
}

describe.skipIf(!HAVE_CHROMIUM)(`explaining with the dashboard (headless Chromium)${HAVE_CHROMIUM ? '' : ' (SKIPPED: no /usr/bin/chromium)'}`, { timeout: 4 * PAGE_TIMEOUT_MS }, () => {
  const { dir, dash } = useDashboard('peermap-explain-ui-');

  it('a live session with a fault, saved as a replay and opened again: same links and the fault on the timeline', async () => {
    const { page, errors, external } = await openDashboard(dash(), '?scenario=classroom&seed=3&duration=120&speed=8&classroom=0');
    await waitForEnabled(page, 'kill-region');
    await play(page);
    await waitForState(page, 's.nowS >= 8');
    const atS = await faultWhilePaused(page);
    await play(page);
    await waitForState(page, `s.nowS >= ${atS + 6}`);
    await pause(page);
    const live = await pageState(page);

    const download = page.waitForEvent('download');
    await page.getByTestId('save-replay').click();
    const file = join(dir, 'saved.ndjson.gz');
    const d = await download;
    expect(d.suggestedFilename()).toBe('replay-classroom-seed3.ndjson.gz');
    await d.saveAs(file);
    // The CLI's reader reads it: it ends where the session was, with the session's trace so far.
    const data = parseReplayText(gunzipSync(readFileSync(file)).toString('utf8'));
    expect(Math.abs(data.end!.tUs - live.nowS * 1e6)).toBeLessThanOrEqual(1); // whole µs (the clock may stand between two)
    expect(data.end?.traceHash).toBe(live.traceHashes[0]);

    await page.getByTestId('replay-file').setInputFiles(file);
    await waitForState(page, 's.replay !== null && s.seq >= 0');
    const opened = await pageState(page);
    expect(Math.abs(opened.replay!.endS - live.nowS)).toBeLessThanOrEqual(1.5e-6); // whole µs
    expect(opened.replay!.markers).toContainEqual(expect.objectContaining({ tS: atS, kind: 'action' }));
    expect(opened.replay!.markers.some((m) => m.kind === 'fault' && Math.abs(m.tS - atS) < 1e-3)).toBe(true);
    await page.evaluate((s) => (window as unknown as { __peermap: { seek(s: number): void } }).__peermap.seek(s), live.nowS);
    await waitForState(page, `Math.abs(s.nowS - ${live.nowS}) < 2e-6 && s.links[0] === ${live.links[0]} && s.up[0] === ${live.up[0]}`);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });

  it("a peer's map against the truth after an outage: stale entries counted, and drawn over the topology", async () => {
    const { page, errors, external } = await openDashboard(dash(), '?scenario=classroom&seed=3&duration=120&speed=8&classroom=0&messages=0');
    await waitForEnabled(page, 'kill-region');
    await play(page);
    await waitForState(page, 's.nowS >= 25 && s.up[0] === 50');
    const atS = await faultWhilePaused(page);
    await play(page);
    await waitForState(page, `s.nowS >= ${atS + 3} && s.up[0] < 50`);
    await pause(page);
    const paused = await pageState(page);
    await waitForPainted(page, 'force');

    // Click peers until one that is up (a survivor of the outage) is inspected.
    let peer = -1;
    for (let p = 0; p < 50 && peer < 0; p++) {
      const at = await page.evaluate((p) => (window as unknown as { __peermap: { screenOf(l: number, p: number): { x: number; y: number } | null } }).__peermap.screenOf(0, p), p);
      if (!at) continue;
      await page.mouse.click(at.x, at.y);
      await page.waitForFunction((p) => document.querySelector('[data-testid=inspector] h2')?.textContent?.startsWith(`Peer ${p} `) && document.querySelector('[data-testid=inspector] dd.up, [data-testid=inspector] dd.down'), p, { timeout: PAGE_TIMEOUT_MS, polling: 50 });
      if ((await page.locator('[data-testid=inspector] dd.up').count()) > 0) peer = p;
    }
    expect(peer).toBeGreaterThanOrEqual(0);
    const truth = page.getByTestId('map-truth');
    await page.waitForFunction((p) => document.querySelector('[data-testid=map-truth]')?.getAttribute('data-peer') === String(p), peer, { timeout: PAGE_TIMEOUT_MS, polling: 50 });
    const n = async (attr: string) => Number(await truth.getAttribute(attr));
    expect(await n('data-stale'), 'an outage 3 s ago: the map still holds the dead').toBeGreaterThan(0);
    expect(await n('data-stale')).toBe((await n('data-stale-links')) + (await n('data-dead-known')));
    expect(await n('data-dead-known')).toBeLessThanOrEqual(50 - paused.up[0]);
    expect((await n('data-held')) + (await n('data-missing'))).toBe(await n('data-true-links'));

    // Drawn over the topology: the stale colour appears on the canvas only once asked for.
    const stalePixels = () => canvasPixels(page, 0, STALE_RGB).then((p) => p.colour);
    expect(await stalePixels()).toBe(0);
    await page.getByTestId('draw-map').click();
    await page.waitForFunction(
      (rgb) => {
        const c = document.querySelector('[data-testid=topology-0]') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let k = 0;
        for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) < 30) k++;
        return k > 20;
      },
      STALE_RGB,
      { timeout: PAGE_TIMEOUT_MS, polling: 100 },
    );
    await page.getByTestId('draw-map').click();
    await page.waitForFunction(() => document.querySelector('[data-testid=draw-map]')?.getAttribute('aria-pressed') === 'false', null, { timeout: PAGE_TIMEOUT_MS });
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });
});
