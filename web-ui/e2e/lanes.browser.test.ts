import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Download } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM, openDashboard, PAGE_TIMEOUT_MS, pageState, REPO, useDashboard, waitForEnabled, waitForPainted, waitForState } from './browser.ts';

/**
 * Side by side with one Web Worker per lane, in headless Chromium: the page
 * really runs three workers, every lane's trace hash is the one `peermap
 * run --strategy` prints, a fault pressed while playing lands at one instant
 * in every lane (the exported session replays each lane), per-lane speeds
 * are shown, the inspector and "save replay" reach every lane. Waits on page
 * states only; writes only to a temporary folder.
 */
if (!HAVE_CHROMIUM) console.warn(`lanes.browser.test.ts: SKIPPED — ${CHROMIUM} not found (install it: apt-get install -y chromium)`);

const SIDE = ['globalmap', 'kademlia', 'random'];
const run = promisify(execFile);
/** `peermap run … --strategy S`'s trace hash (output in the test's folder). */
async function cliTrace(out: string, file: string, strategy: string, ...args: string[]): Promise<string | undefined> {
  const r = await run(process.execPath, [join(REPO, 'bin/peermap.mjs'), 'run', file, '--strategy', strategy, ...args, '--quiet', '--out', join(out, strategy)], { cwd: REPO });
  return /^trace: ([0-9a-f]{16})$/m.exec(r.stdout)?.[1];
}

describe.skipIf(!HAVE_CHROMIUM)(`side by side, a worker per lane${HAVE_CHROMIUM ? '' : ' (SKIPPED: no /usr/bin/chromium)'}`, { timeout: 3 * PAGE_TIMEOUT_MS }, () => {
  const { dir, dash } = useDashboard('peermap-lanes-');

  it('three lanes in three workers; each lane’s trace hash equals `peermap run --strategy` for the same scenario, seed and duration', async () => {
    const { page, errors } = await openDashboard(dash(), '?scenario=classroom&seed=3&duration=30&mode=side&speed=max&autoplay=1');
    await waitForState(page, 's.workers === 3 && s.lanes.length === 3');
    // Counted by the browser, not by the page: three dedicated workers exist.
    await expect.poll(() => page.workers().length, { timeout: PAGE_TIMEOUT_MS }).toBe(3);
    expect(await page.getByTestId('status-bar').getAttribute('data-workers')).toBe('3');
    await waitForState(page, 's.done');
    const shown = (await pageState(page)).traceHashes;
    const file = join(REPO, 'scenarios/classroom.yaml');
    const cli = await Promise.all(SIDE.map((s) => cliTrace(join(dir, 'plain'), file, s, '--seed', '3', '--duration', '30')));
    expect(shown).toEqual(cli);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a fault pressed while playing applies at one instant in every lane, right after the time shown; inspector, save replay and export reach every lane', async () => {
    const { page, errors } = await openDashboard(dash(), '?scenario=classroom&seed=5&duration=50&mode=side&speed=2&autoplay=1&view=map');
    await waitForState(page, 's.workers === 3 && s.nowS >= 5 && s.playing');
    // Each lane's own speeds, measured in its worker, are on the page.
    await waitForState(page, 's.laneSpeeds.length === 3 && s.laneSpeeds.every((l) => Number.isFinite(l.busy) && Number.isFinite(l.achieved))');
    for (let i = 0; i < 3; i++) await page.getByTestId(`lane-speed-${i}`).filter({ hasText: /[0-9.]+× \([0-9.]+× when running\)/ }).waitFor();
    await waitForEnabled(page, 'kill-region');
    await page.getByTestId('kill-region-continent').selectOption('Oceania');
    await page.getByTestId('kill-region').click();
    // The fault's answer (recorded, or why not), then the frame that brings it; page errors are in the failure if it never comes.
    await waitForState(page, "s.faultMessage !== null && s.faultMessage !== ''", PAGE_TIMEOUT_MS / 2).catch((e) => {
      throw new Error(`no answer to the fault button (page errors: ${errors.join(' | ') || 'none'}): ${e}`);
    });
    const msg = (await pageState(page)).faultMessage;
    expect(msg).toMatch(/pressed at/);
    await waitForState(page, 's.recorded === 1');
    const [, at, pressed] = /at ([0-9.]+) s \(pressed at ([0-9.]+) s\)/.exec(msg ?? '')!.map(Number);
    // By construction, not by timing: while playing no lane runs more than one lockstep window past the time
    // shown (0.1 s of wall time at 2×: 0.2 simulated s), and the fault takes the first quiet whole ms after every clock.
    expect(at).toBeGreaterThan(pressed);
    expect(at - pressed).toBeLessThanOrEqual(0.2 + 0.011);
    expect((await pageState(page)).playing, 'still playing after the fault').toBe(true);

    await waitForState(page, `s.nowS >= ${at + 5}`);
    await page.getByTestId('isolate-continent').selectOption('Eurasia');
    await page.getByTestId('isolate').click();
    await waitForState(page, 's.recorded === 2 && s.partitions.every((p) => p.length === 1)');

    // The inspector asks lane 2's own worker.
    await page.getByTestId('pause').click();
    await waitForState(page, '!s.playing');
    // World maps are one per row: bring the third into the viewport before clicking on it.
    await page.getByTestId('topology-2').scrollIntoViewIfNeeded();
    await waitForPainted(page, 'map', 2);
    const spot = await page.evaluate(() => (window as unknown as { __peermap: { screenOf(l: number, p: number): { x: number; y: number } | null } }).__peermap.screenOf(2, 7));
    expect(spot).not.toBeNull();
    await page.mouse.click(spot!.x, spot!.y);
    await page.getByTestId('inspector').filter({ hasText: /Peer 7\b/ }).waitFor();
    await page.getByTestId('inspector').filter({ hasText: /random/ }).waitFor();

    // Save replay: one file per lane, from each lane's worker.
    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));
    await page.getByTestId('save-replay').click();
    await expect.poll(() => downloads.length, { timeout: PAGE_TIMEOUT_MS }).toBe(3);
    expect(downloads.map((d) => d.suggestedFilename()).sort()).toEqual(SIDE.map((s) => `replay-${s}-seed5.ndjson.gz`).sort());

    await page.getByTestId('speed').selectOption('Infinity');
    await page.getByTestId('play').click();
    await waitForState(page, 's.done');
    const shown = (await pageState(page)).traceHashes;
    const download = page.waitForEvent('download');
    await page.getByTestId('export').click();
    const file = join(dir, 'side-session.yaml');
    await (await download).saveAs(file);
    expect(readFileSync(file, 'utf8')).toMatch(/do: outage[\s\S]*do: partition/);
    // Each lane replays from the one exported file: the fault was at the same instant in all three.
    expect(shown).toEqual(await Promise.all(SIDE.map((s) => cliTrace(join(dir, 'faults'), file, s))));
    expect(errors).toEqual([]);
    await page.close();
  });
});
