import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM, openDashboard, PAGE_TIMEOUT_MS, pageState, useDashboard, waitForPainted, waitForState } from './browser.ts';
import { LAND, OCEAN } from '../render/colors.ts';
import { MAX_LABELS } from '../render/labels.ts';

/**
 * How the dashboard looks, in headless Chromium: coastlines under the
 * peers on the world map, peer labels only where they fit at 2,500 peers.
 * Waits on page states only (never on wall time or a frame rate); one
 * browser for the file; writes only to a temporary folder.
 */
if (!HAVE_CHROMIUM) console.warn(`look.browser.test.ts: SKIPPED — ${CHROMIUM} not found (install it: apt-get install -y chromium)`);

const hex = (c: string): [number, number, number] => [1, 3, 5].map((k) => parseInt(c.slice(k, k + 2), 16)) as [number, number, number];
const near = (a: number[], b: number[], tolerance: number) => a.every((v, k) => Math.abs(v - b[k]) <= tolerance);

/** The median colour of a 9×9 patch of lane 0's canvas around latitude / longitude (a link or a peer drawn across it does not move the median). */
async function mapColourAt(page: Page, lat: number, lon: number): Promise<number[]> {
  return page.evaluate(
    ({ lat, lon }) => {
      const hooks = (window as unknown as { __peermap: { mapPointOf(l: number, lat: number, lon: number): { x: number; y: number } | null } }).__peermap;
      const at = hooks.mapPointOf(0, lat, lon)!;
      const c = document.querySelector('[data-testid=topology-0]') as HTMLCanvasElement;
      const r = c.getBoundingClientRect();
      const dpr = c.width / r.width;
      const x = Math.round((at.x - r.left) * dpr) - 4;
      const y = Math.round((at.y - r.top) * dpr) - 4;
      const d = c.getContext('2d')!.getImageData(x, y, 9, 9).data;
      const channel = (k: number) => {
        const v: number[] = [];
        for (let i = k; i < d.length; i += 4) v.push(d[i]);
        return v.sort((a, b) => a - b)[v.length >> 1];
      };
      return [channel(0), channel(1), channel(2)];
    },
    { lat, lon },
  );
}

describe.skipIf(!HAVE_CHROMIUM)(`how the dashboard looks (headless Chromium)${HAVE_CHROMIUM ? '' : ' (SKIPPED: no /usr/bin/chromium)'}`, { timeout: 4 * PAGE_TIMEOUT_MS }, () => {
  const { dir, dash } = useDashboard('peermap-look-ui-');

  it('the world map has coastlines: land and sea in their colours under the peers, the map filling the canvas, no page error', async () => {
    const { page, errors, external } = await openDashboard(dash(), '?scenario=classroom&view=map&classroom=0');
    await waitForState(page, 's.seq >= 0');
    await waitForPainted(page, 'map');
    // The Sahara (no city of the dataset there) and the South Pacific.
    expect(near(await mapColourAt(page, 23, 12), hex(LAND), 12), 'a land pixel in the land colour').toBe(true);
    expect(near(await mapColourAt(page, -35, -130), hex(OCEAN), 12), 'a sea pixel in the sea colour').toBe(true);
    // Greenland's north (82° N) lies beyond the cities' range: shown when the canvas is tall enough, instead of an empty band.
    expect(near(await mapColourAt(page, 70, -40), hex(LAND), 12), 'Greenland').toBe(true);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });

  it('classroom labels at 2,500 peers: some, never more than the bound, fewer than the peers up', async () => {
    const { page, errors } = await openDashboard(dash(), '?scenario=ui-2500&speed=max&autoplay=1&classroom=1&view=force');
    // About 1,000 peers have started by 4 simulated seconds.
    await waitForState(page, 's.nowS >= 4');
    await page.getByTestId('pause').click();
    await waitForState(page, '!s.playing');
    await waitForPainted(page, 'force');
    const s = await pageState(page);
    expect(s.up[0]).toBeGreaterThan(MAX_LABELS);
    expect(s.labels[0]).toBeGreaterThan(10);
    expect(s.labels[0]).toBeLessThanOrEqual(MAX_LABELS);
    expect(errors).toEqual([]);
    await page.close();
  });
});
