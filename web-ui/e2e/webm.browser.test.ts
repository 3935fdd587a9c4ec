import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM, openDashboard, PAGE_TIMEOUT_MS, pageState, useDashboard, waitForEnabled, waitForState } from './browser.ts';

/**
 * The "record video" toggle in headless Chromium: a live run recorded while
 * it plays, downloaded as a WebM when pressed again. Waits on page states
 * (recorded chunks, simulated time), never on wall time; one browser;
 * writes only to a temporary folder.
 */
if (!HAVE_CHROMIUM) console.warn(`webm.browser.test.ts: SKIPPED — ${CHROMIUM} not found (install it: apt-get install -y chromium)`);

/** Every WebM (Matroska) file starts with the EBML header's ID. */
const EBML_MAGIC = [0x1a, 0x45, 0xdf, 0xa3];

describe.skipIf(!HAVE_CHROMIUM)(`WebM export (headless Chromium)${HAVE_CHROMIUM ? '' : ' (SKIPPED: no /usr/bin/chromium)'}`, { timeout: 4 * PAGE_TIMEOUT_MS }, () => {
  const { dir, dash } = useDashboard('peermap-webm-ui-');

  it('record while playing, press again: a WebM of the topology view is downloaded', async () => {
    const { page, errors, external } = await openDashboard(dash(), '?scenario=classroom&seed=3&duration=60&speed=8');
    await waitForEnabled(page, 'play');
    await page.getByTestId('play').click();
    await waitForState(page, 's.playing && s.seq >= 0');
    await waitForEnabled(page, 'record-webm');
    const startS = (await pageState(page)).nowS;
    await page.getByTestId('record-webm').click();
    await waitForState(page, 's.webmRecording');
    // Some video recorded, over some simulated time (the run may end first: the recording goes on).
    await waitForState(page, `s.webmChunks >= 3 && (s.nowS >= ${startS + 2} || s.done)`);
    const download = page.waitForEvent('download', { timeout: PAGE_TIMEOUT_MS });
    await page.getByTestId('record-webm').click();
    const d = await download;
    expect(d.suggestedFilename()).toMatch(/^peermap-classroom-t\d+s\.webm$/);
    const file = join(dir, 'view.webm');
    await d.saveAs(file);
    expect([...readFileSync(file).subarray(0, 4)]).toEqual(EBML_MAGIC);
    expect(statSync(file).size, 'some video, not an empty container').toBeGreaterThan(1024);
    expect((await pageState(page)).webmRecording).toBe(false);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });
});
