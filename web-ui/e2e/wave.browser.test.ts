import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM, openDashboard, PAGE_TIMEOUT_MS, pageState, useDashboard, waitForEnabled, waitForPainted, waitForState } from './browser.ts';

/**
 * "Follow a gossip wave" in headless Chromium: a peer of the classroom
 * scenario picked on the world map, the wave started while the run plays,
 * followed until it settles. Every wait is on a page state or a data
 * attribute the page sets, never on wall time.
 */
if (!HAVE_CHROMIUM) console.warn(`wave.browser.test.ts: SKIPPED — ${CHROMIUM} not found (install it: apt-get install -y chromium)`);

type Hook = { __peermap: { screenOf(l: number, p: number): { x: number; y: number } | null } };

async function setPlaying(page: Page, on: boolean): Promise<void> {
  if ((await pageState(page)).playing !== on) await page.keyboard.press(' ');
  await waitForState(page, on ? 's.playing || s.done' : '!s.playing');
}

/** Clicks peers on lane 0's canvas until one that is up is inspected; returns it. */
async function pickUpPeer(page: Page, from: number): Promise<number> {
  for (let p = from; p < 50; p++) {
    const at = await page.evaluate((p) => (window as unknown as Hook).__peermap.screenOf(0, p), p);
    if (!at) continue;
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction((p) => document.querySelector('[data-testid=inspector] h2')?.textContent?.startsWith(`Peer ${p} `) && document.querySelector('[data-testid=inspector] dd.up, [data-testid=inspector] dd.down'), p, { timeout: PAGE_TIMEOUT_MS, polling: 50 });
    if ((await page.locator('[data-testid=inspector] dd.up').count()) > 0) return p;
  }
  throw new Error('no peer up could be clicked');
}

describe.skipIf(!HAVE_CHROMIUM)(`following a gossip wave (headless Chromium)${HAVE_CHROMIUM ? '' : ' (SKIPPED: no /usr/bin/chromium)'}`, { timeout: 3 * PAGE_TIMEOUT_MS }, () => {
  const { dash } = useDashboard('peermap-wave-ui-');

  it('a peer picked on the map starts a wave while the run plays; it settles with a tree of N − 1 edges, on the map and in the force view', async () => {
    const { page, errors, external } = await openDashboard(dash(), '?scenario=classroom&seed=3&duration=120&speed=2&view=map&classroom=0');
    await waitForEnabled(page, 'kill-region');
    await setPlaying(page, true);
    await waitForState(page, 's.nowS >= 24'); // every peer has joined (joins end at 20 s)
    // Paused to click (peers stand still on the map anyway), then playing again: the wave is captured live.
    await setPlaying(page, false);
    await waitForPainted(page, 'map');
    const peer = await pickUpPeer(page, 7);
    await setPlaying(page, true);
    await waitForEnabled(page, 'follow-wave');
    await page.getByTestId('follow-wave').click();
    const readout = page.getByTestId('wave-readout');
    await page.waitForFunction(() => document.querySelector('[data-testid=wave-readout]')?.getAttribute('data-settled') === 'true', null, { timeout: PAGE_TIMEOUT_MS, polling: 50 });
    const n = async (attr: string) => Number(await readout.getAttribute(attr));
    expect(await n('data-origin')).toBe(peer);
    const reached = await n('data-reached');
    const live = await n('data-live');
    expect(reached).toBeGreaterThan(1);
    expect(reached).toBeLessThanOrEqual(live);
    expect(await n('data-edges')).toBe(reached - 1);
    expect(await n('data-max-hop')).toBeLessThanOrEqual(await n('data-ttl'));
    expect(await readout.textContent()).toContain(`reached ${reached} of ${live} in`);
    // What the canvas drew: every reached peer ringed, a tree of reached − 1 edges.
    const drawnIs = (mode: 'map' | 'force') =>
      waitForState(page, `s.wave[0] && s.wave[0].drawn && s.painted[0] && s.painted[0].mode === '${mode}' && s.wave[0].drawn.peers === s.wave[0].reached`);
    await drawnIs('map');
    let s = await pageState(page);
    expect(s.wave[0]!.drawn!.edges).toBe(s.wave[0]!.reached - 1);
    await page.getByTestId('view').selectOption('force');
    await drawnIs('force');
    s = await pageState(page);
    expect(s.wave[0]!.drawn!.edges).toBe(s.wave[0]!.reached - 1);
    // The wave's announce is recorded like a fault (the exported session replays it).
    expect(s.recorded).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('recorded').textContent()).toContain('announce');
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });
});
