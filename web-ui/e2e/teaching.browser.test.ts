import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import type { PartitionSeen } from '../client/store.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReplayText } from '../../sim-core/record/reader.ts';
import { Replay } from '../../sim-core/record/replay.ts';
import { CHROMIUM, HAVE_CHROMIUM, openDashboard, PAGE_TIMEOUT_MS, pageState, REPO, startDashboard, waitForEnabled, waitForPainted, waitForState, type Dashboard } from './browser.ts';

/**
 * The dashboard as a teaching instrument, in headless Chromium: the replays
 * of a `peermap compare --record` side by side, partitions drawn from the
 * frame they start in, PNG export, `?scenario=URL` with the page URL as a
 * reproduction (trace hash equal to the CLI's), and the achieved speed.
 * Every wait is on a page state, never on wall time or a frame rate;
 * one browser for the file; writes only to a temporary folder.
 */
if (!HAVE_CHROMIUM) console.warn(`teaching.browser.test.ts: SKIPPED — ${CHROMIUM} not found (install it: apt-get install -y chromium)`);

/** The classroom with Eurasia cut off from 20 s to 32 s. */
const SCENARIO = `${readFileSync(join(REPO, 'scenarios/classroom.yaml'), 'utf8')}
actions:
  - { atS: 20, do: partition, name: cut, side: { continents: [Eurasia] } }
  - { atS: 32, do: heal, name: cut }
`;
const STRATEGIES = ['globalmap', 'random'];
const run = promisify(execFile);
const peermap = (...args: string[]) => run(process.execPath, [join(REPO, 'bin/peermap.mjs'), ...args], { cwd: REPO });
const replayFile = (s: string) => `replay-${s}-seed1.ndjson.gz`;

/** Links of each replay at `tS`, from the replay's own keyframes and deltas (what each lane must show). */
function linksAt(dir: string, tS: number): number[] {
  return STRATEGIES.map((s) => new Replay(parseReplayText(gunzipSync(readFileSync(join(dir, replayFile(s)))).toString('utf8'))).at(tS * 1e6).links.size);
}

/** PNG width and height from its IHDR chunk (after checking the signature). */
function pngSize(b: Buffer): { width: number; height: number } {
  expect([...b.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(b.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** Waits until lane `lane` has drawn the partitions `names` (newline-joined key), then checks it did so within one render frame of the worker frame that brought them. */
/** The last change to `key` the lane received and drew, read from the logs: the playhead may have moved on since. */
async function expectDrawnWithinOneFrame(page: Page, lane: number, key: string): Promise<PartitionSeen> {
  const k = JSON.stringify(key);
  const last = (log: string) => `(${log}[${lane}] ?? []).filter((p) => p.key === ${k}).pop()`;
  // The drawn entry must be of the received one (same or later worker frame), not an older change to the same key.
  await waitForState(page, `${last('s.partitionSeenLog')} !== undefined && ${last('s.partitionDrawnLog')}?.seq >= ${last('s.partitionSeenLog')}.seq`);
  const s = await pageState(page);
  const seen = s.partitionSeenLog[lane].filter((p) => p.key === key).pop()!;
  const drawn = s.partitionDrawnLog[lane].filter((p) => p.key === key).pop()!;
  // Drawn from the frame that brought it, or a later one when several worker frames land between two paints (a busy machine).
  expect(drawn.seq, 'drawn from the frame that brought it or a later one').toBeGreaterThanOrEqual(seen.seq);
  expect(drawn.renderFrame - seen.renderFrame, 'render frames between its arrival and its drawing').toBeLessThanOrEqual(1);
  expect(drawn.renderFrame).toBeGreaterThanOrEqual(seen.renderFrame);
  return seen;
}

describe.skipIf(!HAVE_CHROMIUM)(`the dashboard for teaching (headless Chromium)${HAVE_CHROMIUM ? '' : ' (SKIPPED: no /usr/bin/chromium)'}`, { timeout: 4 * PAGE_TIMEOUT_MS }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'peermap-teach-ui-'));
  const cmp = join(dir, 'cmp');
  let dash: Dashboard | undefined;

  beforeAll(async () => {
    writeFileSync(join(dir, 'cut.yaml'), SCENARIO);
    // A tiny compare run, recorded as users record one.
    await peermap('compare', join(dir, 'cut.yaml'), '--strategies', STRATEGIES.join(','), '--seeds', '1', '--duration', '40', '--record', '--keyframe-every', '10', '--quiet', '--out', cmp);
    dash = await startDashboard(dir);
    for (const s of STRATEGIES) copyFileSync(join(cmp, replayFile(s)), join(dir, 'dist', replayFile(s)));
    writeFileSync(join(dir, 'dist', 'my-scenario.yaml'), readFileSync(join(REPO, 'scenarios/classroom.yaml')));
  }, PAGE_TIMEOUT_MS);

  afterAll(async () => {
    await dash?.close();
    rmSync(dir, { recursive: true, force: true });
  }, PAGE_TIMEOUT_MS);

  it('a compare run’s replays side by side: one timeline, a seek moves both lanes; the cut is drawn from its first frame; PNG export', async () => {
    const { page, errors, external } = await openDashboard(dash!, `?${STRATEGIES.map((s) => `replay=${replayFile(s)}`).join('&')}&speed=4`);
    await waitForState(page, 's.replay !== null && s.seq >= 0');
    const s0 = await pageState(page);
    expect(s0.lanes).toEqual(STRATEGIES);
    expect(s0.replay!.sources).toEqual(STRATEGIES.map(replayFile));
    // The cut and its heal, once each although both runs met them.
    expect(s0.replay!.markers.filter((m) => m.kind === 'action').map((m) => `${m.label}@${m.tS}`)).toEqual(['partition cut@20', 'heal cut@32']);

    for (const tS of [30, 8, 25]) {
      await page.getByTestId('seek-input').fill(String(tS));
      await page.getByTestId('seek-input').press('Enter');
      const want = linksAt(cmp, tS);
      await waitForState(page, `s.nowS === ${tS} && s.links[0] === ${want[0]} && s.links[1] === ${want[1]}`);
      expect(want[0], `globalmap and random differ at ${tS} s`).not.toBe(want[1]);
    }
    // At 25 s the cut is in force in both lanes, drawn within a render frame of arriving.
    await waitForState(page, 's.partitions.length === 2 && s.partitions.every((p) => p.join() === "cut")');
    for (const lane of [0, 1]) await expectDrawnWithinOneFrame(page, lane, 'cut');

    // Back before the cut, then play through it and its heal: the first frame at or after
    // 20 s brings the cut, the first at or after 32 s its end, each drawn at once.
    await page.evaluate(() => (window as unknown as { __peermap: { seek(s: number): void } }).__peermap.seek(17));
    await waitForState(page, 's.nowS === 17 && s.partitions.every((p) => p.length === 0)');
    await page.getByTestId('play').click();
    for (const [key, atS] of [['cut', 20], ['', 32]] as const) {
      await waitForState(page, `s.partitions.every((p) => p.join() === ${JSON.stringify(key)}) && s.nowS >= ${atS}`);
      for (const lane of [0, 1]) {
        const seen = await expectDrawnWithinOneFrame(page, lane, key);
        expect(seen.prevNowUs).toBeLessThan(atS * 1e6);
        expect(seen.nowUs).toBeGreaterThanOrEqual(atS * 1e6);
      }
    }
    await waitForState(page, 's.done');

    // PNG of the view: both lanes, at the canvases' resolution.
    const box = await page.evaluate(() => {
      const cs = [...document.querySelectorAll('canvas[data-testid^="topology-"]')] as HTMLCanvasElement[];
      const r = cs.map((c) => c.getBoundingClientRect());
      return { n: cs.length, cssW: Math.max(...r.map((x) => x.right)) - Math.min(...r.map((x) => x.left)), dpr: cs[0].width / r[0].width };
    });
    expect(box.n).toBe(2);
    const download = page.waitForEvent('download');
    await page.getByTestId('export-png').click();
    const file = join(dir, 'view.png');
    await (await download).saveAs(file);
    const png = readFileSync(file);
    const { width, height } = pngSize(png);
    expect(Math.abs(width - box.cssW * box.dpr)).toBeLessThanOrEqual(2);
    expect(height).toBeGreaterThan(200);
    expect(statSync(file).size, 'a drawn picture, not a blank one').toBeGreaterThan(10_000);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });

  it('the file picker takes several replays at once', async () => {
    const { page, errors } = await openDashboard(dash!, '');
    await page.getByTestId('replay-file').setInputFiles(STRATEGIES.map((s) => join(cmp, replayFile(s))));
    await waitForState(page, `s.replay !== null && s.lanes.join() === ${JSON.stringify(STRATEGIES.join())} && s.seq >= 0`);
    const want = linksAt(cmp, 0);
    await waitForState(page, `s.links[0] === ${want[0]} && s.links[1] === ${want[1]}`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('live: "cut this region off" is drawn within a frame of its start, "heal all" ends it; the achieved speed is shown', async () => {
    const { page, errors } = await openDashboard(dash!, '?scenario=classroom&speed=0.5&view=map');
    await waitForEnabled(page, 'isolate');
    await page.getByTestId('isolate-continent').selectOption('Eurasia');
    await page.getByTestId('isolate').click();
    await waitForState(page, 's.recorded === 1');
    await page.getByTestId('play').click();
    await waitForState(page, 's.partitions[0]?.length === 1');
    const name = (await pageState(page)).partitions[0][0];
    expect(name).toMatch(/cut-off-eurasia/);
    await expectDrawnWithinOneFrame(page, 0, name);
    // The achieved simulated seconds per wall second, beside the speed asked for (a display: only checked to be a number).
    await waitForState(page, 's.playing && s.simSecondsPerS !== null && Number.isFinite(s.simSecondsPerS)');
    await page.getByTestId('achieved-speed').filter({ hasText: /^[0-9.]+×$/ }).waitFor();
    expect(Number.isFinite(Number(await page.getByTestId('achieved-speed').getAttribute('data-value')))).toBe(true);
    await waitForEnabled(page, 'heal-all');
    await page.getByTestId('heal-all').click();
    await waitForState(page, 's.recorded === 2');
    await waitForState(page, 's.partitions[0]?.length === 0');
    await expectDrawnWithinOneFrame(page, 0, '');
    // The page URL carries the faults.
    await expect.poll(() => new URL(page.url()).searchParams.get('actions'), { timeout: PAGE_TIMEOUT_MS }).toMatch(/"do":"partition".*"do":"heal"/);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('?scenario=URL runs that file; the page URL reproduces scenario, seed, duration and faults (trace hash = the CLI’s)', async () => {
    const { page, errors } = await openDashboard(dash!, '?scenario=my-scenario.yaml&seed=7&duration=20&speed=max');
    await waitForEnabled(page, 'isolate');
    await expect
      .poll(() => {
        const q = new URL(page.url()).searchParams;
        return [q.get('scenario'), q.get('seed'), q.get('duration')];
      }, { timeout: PAGE_TIMEOUT_MS })
      .toEqual(['my-scenario.yaml', '7', '20']);
    await page.getByTestId('play').click();
    await waitForState(page, 's.done');
    const plain = (await pageState(page)).traceHashes[0];
    const cli = await peermap('run', join(dir, 'dist', 'my-scenario.yaml'), '--seed', '7', '--duration', '20', '--quiet', '--out', join(dir, 'cli'));
    expect(plain).toBe(/^trace: ([0-9a-f]{16})$/m.exec(cli.stdout)?.[1]);

    // With a fault: the URL it leaves reproduces the run.
    const again = await openDashboard(dash!, '?scenario=my-scenario.yaml&seed=7&duration=20&speed=max');
    await waitForEnabled(again.page, 'isolate');
    await again.page.getByTestId('isolate-continent').selectOption('Oceania');
    await again.page.getByTestId('isolate').click();
    await waitForState(again.page, 's.recorded === 1');
    await again.page.getByTestId('play').click();
    await waitForState(again.page, 's.done');
    const withFault = (await pageState(again.page)).traceHashes[0];
    expect(withFault).not.toBe(plain);
    await expect.poll(() => new URL(again.page.url()).searchParams.get('actions'), { timeout: PAGE_TIMEOUT_MS }).toMatch(/"do":"partition"/);
    const shared = new URL(again.page.url());
    const opened = await openDashboard(dash!, `${shared.search}&autoplay=1`);
    await waitForState(opened.page, 's.done');
    expect((await pageState(opened.page)).traceHashes[0]).toBe(withFault);
    expect([...errors, ...again.errors, ...opened.errors]).toEqual([]);
    for (const p of [page, again.page, opened.page]) await p.close();
  });

  it('zoom and pan on the map: the wheel spreads the peers apart from the pointer, a double click goes back', async () => {
    const { page, errors } = await openDashboard(dash!, '?scenario=classroom&view=map&speed=max&duration=20&autoplay=1');
    await waitForState(page, 's.done');
    await waitForPainted(page, 'map');
    type Hook = { __peermap: { screenOf(lane: number, peer: number): { x: number; y: number } | null } };
    const at = (peer: number) => page.evaluate((p) => (window as unknown as Hook).__peermap.screenOf(0, p), peer);
    const box = (await page.getByTestId('topology-0').boundingBox())!;
    const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    const before = (await at(5))!;
    await page.mouse.move(centre.x, centre.y);
    await page.mouse.wheel(0, -600);
    await waitForState(page, 's.zoom[0] > 1.5');
    await waitForPainted(page, 'map');
    const k = (await pageState(page)).zoom[0];
    // Peer 5 moved away from the zoom's centre by the zoom factor (it stays where the map puts it).
    await expect
      .poll(async () => {
        const p = (await at(5))!;
        return Math.round(Math.hypot(p.x - centre.x, p.y - centre.y) / Math.max(1e-6, Math.hypot(before.x - centre.x, before.y - centre.y)) * 10) / 10;
      }, { timeout: PAGE_TIMEOUT_MS })
      .toBeCloseTo(k, 0);
    await page.dblclick('[data-testid=topology-0]', { position: { x: 4, y: 4 } });
    await waitForState(page, 's.zoom[0] === 1');
    expect(errors).toEqual([]);
    await page.close();
  });
});
