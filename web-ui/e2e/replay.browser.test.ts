import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayRecord } from '../../sim-core/record/format.ts';
import { Recorder, runUntil, stepRecorded } from '../../sim-core/record/recorder.ts';
import { parseScenario } from '../../sim-core/scenario/load.ts';
import { Simulation } from '../../sim-core/scenario/simulation.ts';
import { CHROMIUM, HAVE_CHROMIUM, openDashboard, PAGE_TIMEOUT_MS, pageState, REPO, startDashboard, waitForEnabled, waitForPainted, waitForState, type Dashboard } from './browser.ts';

/**
 * Replays in the dashboard, in headless Chromium: a run recorded as
 * `peermap run --record` writes it is opened by URL and by the file picker,
 * sought by the "go to" box, the hook and a marker, and played to its end.
 * Every wait is on a page state (never on wall time); writes only to a
 * temporary folder.
 */
if (!HAVE_CHROMIUM) console.warn(`replay.browser.test.ts: SKIPPED — ${CHROMIUM} not found (install it: apt-get install -y chromium)`);

const SCENARIO = `${readFileSync(join(REPO, 'scenarios/classroom.yaml'), 'utf8')}
actions:
  - { atS: 30, do: outage, name: dark, hosts: { continents: [Oceania] }, restartAfterS: 20 }
  - { atS: 40, do: partition, name: cut, side: { continents: [Eurasia] } }
  - { atS: 70, do: heal, name: cut }
`;
const DURATION_S = 90;
const scenario = () => parseScenario(SCENARIO, 'classroom+faults.yaml', { durationS: DURATION_S });

/** The run recorded, gzip'd (as the CLI writes it), and its trace hash. */
function record(): { bytes: Buffer; traceHash: string } {
  const sim = new Simulation(scenario());
  const lines: string[] = [];
  const rec = new Recorder(sim, { everyS: 1, keyframeEveryS: 20 }, (r: ReplayRecord) => lines.push(JSON.stringify(r)));
  while (!stepRecorded(sim, rec, 5000));
  rec.finish('completed');
  return { bytes: gzipSync(`${lines.join('\n')}\n`), traceHash: sim.traceHash };
}

/** Peers up and links in the run at `tS` (what the replay must show there). */
function truthAt(tS: number): { up: number; links: number } {
  const sim = new Simulation(scenario());
  runUntil(sim, tS * 1e6);
  const ov = sim.overlay()!;
  return { up: ov.alive.reduce((n, x) => n + x, 0), links: ov.targets.length / 2 };
}

describe.skipIf(!HAVE_CHROMIUM)(`replays in the dashboard (headless Chromium)${HAVE_CHROMIUM ? '' : ' (SKIPPED: no /usr/bin/chromium)'}`, { timeout: 3 * PAGE_TIMEOUT_MS }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'peermap-replay-ui-'));
  let dash: Dashboard | undefined;
  const { bytes, traceHash } = record();

  beforeAll(async () => {
    dash = await startDashboard(dir);
    // Served beside the app, for ?replay=URL.
    writeFileSync(join(dir, 'dist', 'run.ndjson.gz'), bytes);
    writeFileSync(join(dir, 'run.ndjson.gz'), bytes);
    writeFileSync(join(dir, 'hostile.ndjson.gz'), gzipSync('{"type":"header","format":"peermap-replay","version":99}\n'));
  }, PAGE_TIMEOUT_MS);

  afterAll(async () => {
    await dash?.close();
    rmSync(dir, { recursive: true, force: true });
  }, PAGE_TIMEOUT_MS);

  it('?replay=URL opens it: markers at the actions’ and faults’ times; seeking shows the run as it was then; charts follow; plays to the end', async () => {
    const { page, errors, external } = await openDashboard(dash!, '?replay=run.ndjson.gz&speed=max');
    await waitForState(page, 's.replay !== null && s.seq >= 0');
    const replay = (await pageState(page)).replay!;
    expect(replay.endS).toBe(DURATION_S);
    // actions as written, and the faults the run met (the outage's restore 20 s later)
    expect(replay.markers.map((m) => `${m.kind} ${m.label} @${m.tS}`)).toEqual([
      'action outage dark @30',
      'fault outage dark @30',
      'action partition cut @40',
      'fault partition cut @40',
      'fault restore dark @50',
      'action heal cut @70',
      'fault heal cut @70',
    ]);
    const domMarkers = await page.getByTestId('marker').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-t'))));
    expect(domMarkers).toEqual(replay.markers.map((m) => m.tS));

    // "go to" box: the outage is under way at 45 s
    await page.getByTestId('seek-input').fill('45');
    await page.getByTestId('seek-input').press('Enter');
    await waitForState(page, 's.nowS === 45');
    const at45 = truthAt(45);
    await waitForState(page, `s.up[0] === ${at45.up} && s.links[0] === ${at45.links}`);
    await waitForState(page, 's.seriesLastS[0] !== null && s.seriesLastS[0] <= 45 && s.seriesLastS[0] >= 40');
    await waitForPainted(page, 'force');

    // back, across keyframes, through the hook: the charts lose what lies after the playhead
    await page.evaluate(() => (window as unknown as { __peermap: { seek(s: number): void } }).__peermap.seek(12));
    await waitForState(page, 's.nowS === 12');
    const at12 = truthAt(12);
    await waitForState(page, `s.up[0] === ${at12.up} && s.links[0] === ${at12.links} && s.seriesLastS[0] !== null && s.seriesLastS[0] <= 12`);

    // a marker is a button to its time
    await page.locator('[data-testid=marker][data-t="50"]').click();
    await waitForState(page, 's.nowS === 50');

    // play (speed "max") to the end: the recorded run's trace hash
    await page.getByTestId('play').click();
    await waitForState(page, 's.done && s.nowS === 90');
    await page.locator('[data-testid=trace-hash-0][data-final="1"]').waitFor();
    expect(await page.getByTestId('trace-hash-0').textContent()).toBe(traceHash);
    const end = truthAt(DURATION_S);
    await waitForState(page, `s.up[0] === ${end.up} && s.links[0] === ${end.links} && s.seriesLastS[0] === 90`);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    await page.close();
  });

  it('the file picker opens a replay; a hostile file is refused with the field named', async () => {
    const { page, errors } = await openDashboard(dash!, '');
    await page.getByTestId('replay-file').setInputFiles(join(dir, 'hostile.ndjson.gz'));
    await waitForState(page, 's.replayError !== null');
    expect((await pageState(page)).replayError).toContain('header.version');
    await page.getByTestId('replay-file').setInputFiles(join(dir, 'run.ndjson.gz'));
    await waitForState(page, 's.replay !== null && s.replay.markers.length === 7 && s.nowS === 0 && s.replayError === null');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('Space toggles play / pause after a click on any button (a fault button is not pressed again)', async () => {
    const { page, errors } = await openDashboard(dash!, '?scenario=classroom&speed=0.1');
    await waitForEnabled(page, 'kill-region');
    await page.getByTestId('kill-region-continent').selectOption('Oceania');
    await page.getByTestId('kill-region').click();
    await waitForState(page, 's.recorded === 1 && !s.playing');
    await page.keyboard.press('Space');
    await waitForState(page, 's.playing');
    await page.keyboard.press('Space');
    await waitForState(page, '!s.playing');
    // and after the play button itself
    await page.getByTestId('play').click();
    await waitForState(page, 's.playing');
    await page.keyboard.press('Space');
    await waitForState(page, '!s.playing');
    expect((await pageState(page)).recorded, 'Space pressed no fault button').toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
