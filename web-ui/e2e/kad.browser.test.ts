import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canvasPixels, CHROMIUM, HAVE_CHROMIUM, openDashboard, PAGE_TIMEOUT_MS, pageState, useDashboard, waitForPainted, waitForState } from './browser.ts';

/** The first round's colour (render/colors.ts LOOKUP_ROUND_COLORS[0]). */
const ROUND1_RGB: [number, number, number] = [0xfd, 0xe6, 0x8a];
/** The Kademlia lane of the side-by-side view (globalmap | kademlia | random). */
const KAD_LANE = 1;

/**
 * The Kademlia views of the inspector in headless Chromium: a peer's
 * k-buckets against the inspector's routing-table size, and its last lookup
 * drawn round by round. Waits on page states and data attributes only.
 */
if (!HAVE_CHROMIUM) console.warn(`kad.browser.test.ts: SKIPPED — ${CHROMIUM} not found (install it: apt-get install -y chromium)`);

async function setPlaying(page: Page, on: boolean): Promise<void> {
  if ((await pageState(page)).playing !== on) await page.keyboard.press(' ');
  await waitForState(page, on ? 's.playing || s.done' : '!s.playing');
}

const attr = (page: Page, selector: string, name: string) => page.locator(selector).first().getAttribute(name).then(Number);

describe.skipIf(!HAVE_CHROMIUM)(`Kademlia views (headless Chromium)${HAVE_CHROMIUM ? '' : ' (SKIPPED: no /usr/bin/chromium)'}`, { timeout: 4 * PAGE_TIMEOUT_MS }, () => {
  const { dash } = useDashboard('peermap-kad-ui-');

  it("side by side: a Kademlia peer's buckets match its routing table, and its next lookup is shown round by round and drawn", async () => {
    const { page, errors, external } = await openDashboard(dash(), '?scenario=classroom&mode=side&seed=3&duration=900&speed=max&classroom=0&messages=0');
    await setPlaying(page, true);
    await waitForState(page, `s.nowS >= 30 && s.up[${KAD_LANE}] === 50`);
    await setPlaying(page, false);
    await waitForPainted(page, 'force', KAD_LANE);

    // Click peers of the Kademlia lane until one whose buckets are shown (any up peer has joined by now).
    let peer = -1;
    for (let p = 3; p < 50 && peer < 0; p++) {
      const at = await page.evaluate(({ l, p }) => (window as unknown as { __peermap: { screenOf(l: number, p: number): { x: number; y: number } | null } }).__peermap.screenOf(l, p), { l: KAD_LANE, p });
      if (!at) continue;
      await page.mouse.click(at.x, at.y);
      await page.waitForFunction((p) => document.querySelector('[data-testid=inspector] h2')?.textContent?.startsWith(`Peer ${p} `), p, { timeout: PAGE_TIMEOUT_MS, polling: 50 });
      await page.waitForFunction((p) => document.querySelector('[data-testid=kad-buckets]')?.getAttribute('data-peer') === String(p), p, { timeout: PAGE_TIMEOUT_MS, polling: 50 });
      if ((await attr(page, '[data-testid=kad-buckets]', 'data-nonempty')) >= 1) peer = p;
    }
    expect(peer).toBeGreaterThanOrEqual(0);

    // Paused: the buckets' counts add up to the routing-table size `inspect` reports (shown above them).
    const tableSize = await page.evaluate(() => {
      const dt = [...document.querySelectorAll('[data-testid=inspector] dt')].find((d) => d.textContent === 'routing table');
      return Number.parseInt(dt?.nextElementSibling?.textContent ?? '', 10);
    });
    const counts = await page.locator('[data-testid=kad-bucket]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-count'))));
    const k = await attr(page, '[data-testid=kad-buckets]', 'data-k');
    expect(counts.length).toBeGreaterThanOrEqual(1);
    expect(counts.every((c) => c >= 1 && c <= k)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(tableSize);
    expect(await attr(page, '[data-testid=kad-buckets]', 'data-size')).toBe(tableSize);

    // Its next workload lookup is recorded from now on: play until one has ended.
    expect(await attr(page, '[data-testid=lookup-path]', 'data-rounds')).toBe(0);
    await setPlaying(page, true);
    await page.waitForFunction(() => document.querySelector('[data-testid=lookup-path]')?.getAttribute('data-ended') === 'true', null, { timeout: PAGE_TIMEOUT_MS, polling: 100 });
    await setPlaying(page, false);
    const rounds = await attr(page, '[data-testid=lookup-path]', 'data-rounds');
    expect(rounds).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('lookup-round').count()).toBe(rounds);
    expect(await attr(page, '[data-testid=lookup-round]', 'data-queries')).toBeGreaterThanOrEqual(1);
    expect(['true', 'false']).toContain(await page.getByTestId('lookup-path').getAttribute('data-success'));

    // Drawn over the Kademlia lane (first round's colour), and gone when hidden.
    const round1 = () => canvasPixels(page, KAD_LANE, ROUND1_RGB).then((p) => p.colour);
    await page.waitForFunction(() => document.querySelector('[data-testid=draw-lookup]')?.getAttribute('aria-pressed') === 'true', null, { timeout: PAGE_TIMEOUT_MS });
    await expect.poll(round1, { timeout: PAGE_TIMEOUT_MS, interval: 100 }).toBeGreaterThan(20);
    await page.getByTestId('draw-lookup').click();
    await expect.poll(round1, { timeout: PAGE_TIMEOUT_MS, interval: 100 }).toBeLessThan(5);

    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });
});
