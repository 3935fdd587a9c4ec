import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM, PAGE_TIMEOUT_MS as WAIT_MS, watchPage } from '../../../web-ui/e2e/chromium.ts';
import { useChromium } from '../../../web-ui/e2e/use-chromium.ts';
import { parseScenario } from '../../scenario/load.ts';
import { runComparison } from '../compare/compare.ts';
import { writeCompareOutputs } from '../compare/outputs.ts';
import { inProcessRunner } from '../jobs/jobs.ts';
import { syntheticCompare } from './fixture.ts';
import { buildReportHtml } from './html.ts';

/**
 * report.html in headless Chromium (Debian's package): it must open from
 * file:// with no network, no console or page errors, and draw every plot.
 * Skipped, saying so, only when /usr/bin/chromium is absent; CI installs it.
 */
if (!HAVE_CHROMIUM) console.warn(`report.browser.test.ts: SKIPPED — ${CHROMIUM} not found (install it: apt-get install -y chromium)`);

const PLOTS = ['coverage', 'messages', 'lcc', 'degree', 'paths'];

interface Loaded {
  page: Page;
  errors: string[];
  external: string[];
}

describe.skipIf(!HAVE_CHROMIUM)(`report.html in headless Chromium${HAVE_CHROMIUM ? '' : ' (SKIPPED: no /usr/bin/chromium)'}`, { timeout: 2 * WAIT_MS }, () => {
  const { dir, context } = useChromium('peermap-report-');

  async function load(file: string): Promise<Loaded> {
    const page = await context().newPage();
    // Self-contained means it never asks for anything but itself.
    const { errors, external } = await watchPage(page, (url) => url.startsWith('file:'));
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('body[data-rendered="true"]', { state: 'attached', timeout: WAIT_MS });
    return { page, errors, external };
  }

  const count = (page: Page, selector: string) => page.locator(selector).count();

  it('synthetic comparison: every plot drawn, one line/bar group per strategy, "no data" for a strategy lacking keys', async () => {
    const file = join(dir, 'synthetic.html');
    writeFileSync(file, buildReportHtml(syntheticCompare(['globalmap', 'kademlia', 'random'], [1, 2, 3], ['random'])));
    const { page, errors, external } = await load(file);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    for (const id of PLOTS) {
      const plot = `#plot-${id}`;
      expect(await page.getAttribute(plot, 'data-status'), id).toBe('ok');
      expect(await count(page, `${plot} svg .x-axis .tick`), id).toBeGreaterThan(0);
      expect(await count(page, `${plot} svg .y-axis .tick`), id).toBeGreaterThan(0);
      expect(await count(page, `${plot} svg text.axis-label`), id).toBe(2);
      expect(await count(page, `${plot} svg .legend g[data-strategy]`), id).toBe(3);
    }
    // 'random' has only the base series: lines for the other two, and its legend says so.
    expect(await count(page, '#plot-coverage path.line')).toBe(2);
    expect(await page.textContent('#plot-coverage .legend')).toContain('random (no data)');
    expect(await count(page, '#plot-messages path.line')).toBe(3);
    expect(await count(page, '#plot-lcc path.line')).toBe(2);
    for (const id of ['coverage', 'messages', 'lcc']) {
      const d = await page.getAttribute(`#plot-${id} path.line`, 'd');
      expect(d?.length ?? 0, id).toBeGreaterThan(20);
    }
    expect(await count(page, '#plot-degree g[data-strategy="globalmap"] rect.bar')).toBeGreaterThan(5);
    expect(await count(page, '#plot-degree g[data-strategy="kademlia"] rect.bar')).toBeGreaterThan(5);
    expect(await count(page, '#plot-degree g[data-strategy="random"] rect.bar')).toBe(0);
    expect(await count(page, '#plot-paths rect.bar')).toBe(2 * 5);
    const heights = await page.locator('#plot-paths rect.bar').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('height'))));
    expect(heights.every((h) => h >= 0) && heights.some((h) => h > 10)).toBe(true);
    // Summary table: key metrics with mean ± CI; runs table: 3 strategies × 3 seeds.
    expect(await count(page, '#summary tbody tr')).toBeGreaterThan(5);
    expect(await page.textContent('#summary')).toMatch(/\d ± \d/);
    expect(await count(page, '#runs tbody tr')).toBe(9);
    await page.close();
  });

  it('the harness sees script errors (negative control)', async () => {
    const file = join(dir, 'broken.html');
    writeFileSync(file, '<!DOCTYPE html><body><script>console.error("boom"); document.body.setAttribute("data-rendered", "true"); null.x;</script></body>');
    const { page, errors } = await load(file);
    await expect.poll(() => errors.length, { timeout: WAIT_MS }).toBe(2);
    await page.close();
  });

  it('a real comparison (strategy none, 2 seeds): no errors, series plotted, missing keys say "no data"', async () => {
    const base = parseScenario('name: tiny\ndurationS: 40\npeers: { count: 25, joinOverS: 5 }\nprotocol: { kind: node, strategy: none }\nmetrics: { sampleEveryS: 5 }\n', 'tiny.yaml');
    const result = await runComparison({ file: 'tiny.yaml', base, strategies: ['none'], seeds: [1, 2], runner: inProcessRunner(), generatedBy: 'test', commit: 'test' });
    const paths = writeCompareOutputs(join(dir, 'real'), result);
    const { page, errors, external } = await load(paths.html);
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    expect(await page.getAttribute('#plot-messages', 'data-status')).toBe('ok');
    expect(await count(page, '#plot-messages path.line')).toBe(1);
    expect(await page.getAttribute('#plot-lcc', 'data-status')).toBe('ok');
    expect(await count(page, '#plot-lcc path.line')).toBe(1);
    for (const id of ['coverage', 'degree', 'paths']) {
      // The bare peer manager reports no discovery coverage and no topology histograms (yet).
      const status = await page.getAttribute(`#plot-${id}`, 'data-status');
      expect(['ok', 'empty'], id).toContain(status);
      if (status === 'empty') expect(await page.textContent(`#plot-${id} .nodata`)).toBe('no data');
    }
    expect(await count(page, '#summary tbody tr')).toBeGreaterThan(0);
    expect(await count(page, '#runs tbody tr')).toBe(2);
    await page.close();
  });
});
