import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReplayText } from '../../sim-core/record/reader.ts';
import { CHROMIUM, HAVE_CHROMIUM, openDashboard, PAGE_TIMEOUT_MS, pageState, startDashboard, waitForEnabled, waitForState, type Dashboard } from './browser.ts';

/**
 * What a teacher explains with, in headless Chromium: a live session saved
 * as a replay and opened again; a peer's map against the true topology.
 * Every wait is on a page state or a data attribute the page sets, never on
 * wall time; one browser for the file; writes only to a temporary folder.
 */
if (!HAVE_CHROMIUM) console.warn(`explain.browser.test.ts: SKIPPED — ${CHROMIUM} not found (install it: apt-get install -y chromium)`);

describe.skipIf(!HAVE_CHROMIUM)(`explaining with the dashboard (headless Chromium)${HAVE_CHROMIUM ? '' : ' (SKIPPED: no /usr/bin/chromium)'}`, { timeout: 4 * PAGE_TIMEOUT_MS }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'peermap-explain-ui-'));
  let dash: Dashboard | undefined;

  beforeAll(async () => {
    dash = await startDashboard(dir);
  }, PAGE_TIMEOUT_MS);

  afterAll(async () => {
    await dash?.close();
    rmSync(dir, { recursive: true, force: true });
  }, PAGE_TIMEOUT_MS);

  it('a live session with a fault, saved as a replay and opened again: same links and the fault on the timeline', async () => {
    const { page, errors, external } = await openDashboard(dash!, '?scenario=classroom&seed=3&duration=60&speed=8&classroom=0');
    await waitForEnabled(page, 'kill-region');
    await page.getByTestId('play').click();
    await waitForState(page, 's.nowS >= 8');
    await page.getByTestId('kill-region').click();
    await waitForState(page, 's.recorded >= 1');
    const label = (await page.getByTestId('recorded').locator('li').first().textContent()) ?? '';
    const atS = Number(label.split(' s:')[0]);
    expect(label).toContain('outage');
    await waitForState(page, `s.nowS >= ${atS + 6}`);
    await page.getByTestId('pause').click();
    await waitForState(page, '!s.playing');
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
    expect(opened.replay!.endS).toBeCloseTo(live.nowS, 6);
    expect(opened.replay!.markers).toContainEqual(expect.objectContaining({ tS: atS, kind: 'action' }));
    expect(opened.replay!.markers.some((m) => m.kind === 'fault' && Math.abs(m.tS - atS) < 1e-3)).toBe(true);
    await page.evaluate((s) => (window as unknown as { __peermap: { seek(s: number): void } }).__peermap.seek(s), live.nowS);
    await waitForState(page, `Math.abs(s.nowS - ${live.nowS}) < 2e-6 && s.links[0] === ${live.links[0]} && s.up[0] === ${live.up[0]}`);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });
});
