import { join } from 'node:path';
import { openDashboard, PAGE_TIMEOUT_MS, REPO, waitForPainted, waitForState, type Dashboard } from '../../web-ui/e2e/browser.ts';

/**
 * results/ui-kademlia.png: the classroom side by side at 1280×720, a peer of
 * the Kademlia lane inspected once its next lookup has ended — its buckets
 * (the closest non-empty one opened) and the lookup drawn round by round.
 */
export async function shotKademlia(dash: Dashboard): Promise<void> {
  const lane = 1; // globalmap | kademlia | random
  const { page, errors } = await openDashboard(dash, '?scenario=classroom&mode=side&seed=3&duration=86400&speed=max&classroom=0&messages=0');
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.keyboard.press(' ');
  await waitForState(page, `s.nowS >= 30 && s.up[${lane}] === 50`);
  await page.keyboard.press(' ');
  await waitForState(page, '!s.playing');
  await waitForPainted(page, 'force', lane);
  const at = await page.evaluate((l) => (window as unknown as { __peermap: { screenOf(l: number, p: number): { x: number; y: number } | null } }).__peermap.screenOf(l, 7), lane);
  if (!at) throw new Error('bench:ui: peer 7 of the Kademlia lane is not drawn');
  await page.mouse.click(at.x, at.y);
  await page.getByTestId('kad-buckets').waitFor({ timeout: PAGE_TIMEOUT_MS });
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.querySelector('[data-testid=lookup-path]')?.getAttribute('data-ended') === 'true', null, { timeout: PAGE_TIMEOUT_MS, polling: 100 });
  await page.keyboard.press(' ');
  await waitForState(page, '!s.playing');
  await page.locator('[data-testid=kad-bucket] summary').last().click();
  await waitForPainted(page, 'force', lane);
  await page.screenshot({ path: join(REPO, 'results', 'ui-kademlia.png') });
  if (errors.length > 0) throw new Error(`bench:ui: the page reported errors (kademlia):\n${errors.join('\n')}`);
  await page.close();
}
