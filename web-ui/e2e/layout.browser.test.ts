import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReplayRecord } from '../../sim-core/record/format.ts';
import { Recorder, stepRecorded } from '../../sim-core/record/recorder.ts';
import { parseScenario } from '../../sim-core/scenario/load.ts';
import { Simulation } from '../../sim-core/scenario/simulation.ts';
import { CHROMIUM, HAVE_CHROMIUM, openDashboard, PAGE_TIMEOUT_MS, REPO, useDashboard, waitForPainted, waitForState } from './browser.ts';

/**
 * The dashboard fits a 1280×720 projector (and a 1600×1000 screen): in the
 * normal mode, the classroom mode, side by side (force view and world map)
 * and a replay, the topology canvas(es), the legend, the run controls (or
 * the replay's timeline) and the three charts are all inside the window
 * without scrolling, each big enough to read, and none covers another. Waits
 * on page states only (never on wall time); writes only to a temporary folder.
 */
if (!HAVE_CHROMIUM) console.warn(`layout.browser.test.ts: SKIPPED — ${CHROMIUM} not found (install it: apt-get install -y chromium)`);

const VIEWPORTS = [
  { width: 1280, height: 720 },
  { width: 1600, height: 1000 },
];
/** Smallest size, CSS px, at which a box still shows something: a chart's plot, a canvas. */
const MIN_CHART_PX = { width: 140, height: 90 };
const MIN_CANVAS_PX = { width: 180, height: 110 };

const CASES = [
  { name: 'normal', query: '?scenario=classroom&seed=3&classroom=0&speed=5&autoplay=1' },
  { name: 'classroom', query: '?scenario=classroom&seed=3&classroom=1&speed=5&autoplay=1' },
  { name: 'side by side', query: '?scenario=classroom&seed=3&classroom=0&mode=side&speed=5&autoplay=1' },
  { name: 'side by side, world map', query: '?scenario=classroom&seed=3&classroom=1&mode=side&view=map&speed=5&autoplay=1' },
  { name: 'replay', query: '?replay=run.ndjson.gz&classroom=1' },
];

interface Box {
  what: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The boxes that must be in view: every topology canvas, the legend, the controls or timeline, the charts. Plus how far the page scrolls. */
async function boxes(page: Page, replay: boolean): Promise<{ boxes: (Box | null)[]; scroll: { w: number; h: number } }> {
  return page.evaluate((replay) => {
    const box = (what: string, el: Element | null) => {
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return { what, x: r.left, y: r.top, width: r.width, height: r.height };
    };
    const q = (id: string) => box(id, document.querySelector(`[data-testid="${id}"]`));
    const canvases = [...document.querySelectorAll('canvas[data-testid^="topology-"]')].map((c) => box(c.getAttribute('data-testid')!, c));
    return {
      boxes: [...canvases, q('legend'), q(replay ? 'timeline' : 'controls'), q('chart-coverage'), q('chart-messages'), q('chart-lcc')],
      scroll: { w: document.documentElement.scrollWidth - innerWidth, h: document.documentElement.scrollHeight - innerHeight },
    };
  }, replay);
}

const overlap = (a: Box, b: Box) => Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

/** A short classroom run recorded as `peermap run --record` writes it, gzip'd. */
function recording(): Buffer {
  const text = `${readFileSync(join(REPO, 'scenarios/classroom.yaml'), 'utf8')}\nactions:\n  - { atS: 10, do: partition, name: cut, side: { continents: [Eurasia] } }\n`;
  const sim = new Simulation(parseScenario(text, 'classroom+cut.yaml', { durationS: 30 }));
  const lines: string[] = [];
  const rec = new Recorder(sim, { everyS: 1, keyframeEveryS: 10 }, (r: ReplayRecord) => lines.push(JSON.stringify(r)));
  while (!stepRecorded(sim, rec, 5000));
  rec.finish('completed');
  return gzipSync(`${lines.join('\n')}\n`);
}

describe.skipIf(!HAVE_CHROMIUM)(`the dashboard fits 1280×720 and 1600×1000 (headless Chromium)${HAVE_CHROMIUM ? '' : ' (SKIPPED: no /usr/bin/chromium)'}`, { timeout: 3 * PAGE_TIMEOUT_MS }, () => {
  const { dir, dash } = useDashboard('peermap-layout-ui-');
  beforeAll(() => writeFileSync(join(dir, 'dist', 'run.ndjson.gz'), recording()), PAGE_TIMEOUT_MS);

  for (const c of CASES) {
    it(`${c.name}: topology, legend, ${c.name === 'replay' ? 'timeline' : 'controls'} and charts in view, none over another`, async () => {
      const { page, errors } = await openDashboard(dash(), c.query);
      const replay = c.name === 'replay';
      const mode = c.query.includes('view=map') ? 'map' : 'force';
      // Played a little (series in the charts, messages in the legend), then paused: the layout at rest.
      if (replay) await page.evaluate(() => (window as unknown as { __peermap: { seek(s: number): void } }).__peermap.seek(20));
      await waitForState(page, `s.nowS >= ${replay ? 20 : 3} && s.seriesPoints.every((n) => n > 2)`);
      if (!replay) {
        await page.getByTestId('pause').click();
        await waitForState(page, '!s.playing');
      }
      for (const vp of VIEWPORTS) {
        await page.setViewportSize(vp);
        const lanes = c.name.startsWith('side') ? 3 : 1;
        for (let lane = 0; lane < lanes; lane++) await waitForPainted(page, mode, lane);
        const { boxes: found, scroll } = await boxes(page, replay);
        const at = `${c.name} at ${vp.width}×${vp.height}`;
        if (process.env.PEERMAP_LAYOUT_SHOTS) await page.screenshot({ path: join(process.env.PEERMAP_LAYOUT_SHOTS, `${c.name.replace(/\W+/g, '-')}-${vp.width}.png`) });
        expect(scroll, `${at}: the page does not scroll`).toEqual({ w: expect.toSatisfy((v: number) => v <= 0), h: expect.toSatisfy((v: number) => v <= 0) });
        expect(found.filter((b) => b === null).length, `${at}: every box present`).toBe(0);
        const all = found as Box[];
        expect(all.filter((b) => b.what.startsWith('topology-')).length).toBe(lanes);
        for (const b of all) {
          const where = `${at}: ${b.what} ${JSON.stringify(b)}`;
          expect(b.x, where).toBeGreaterThanOrEqual(0);
          expect(b.y, where).toBeGreaterThanOrEqual(0);
          expect(b.x + b.width, where).toBeLessThanOrEqual(vp.width);
          expect(b.y + b.height, where).toBeLessThanOrEqual(vp.height);
          const min = b.what.startsWith('topology-') ? MIN_CANVAS_PX : b.what.startsWith('chart-') ? MIN_CHART_PX : { width: 1, height: 1 };
          expect(b.width, where).toBeGreaterThanOrEqual(min.width);
          expect(b.height, where).toBeGreaterThanOrEqual(min.height);
        }
        for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) expect(overlap(all[i], all[j]), `${at}: ${all[i].what} over ${all[j].what}`).toBe(0);
      }
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
