import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAVE_CHROMIUM, PAGE_TIMEOUT_MS } from '../../web-ui/e2e/chromium.ts';
import { useChromium } from '../../web-ui/e2e/use-chromium.ts';
import { detCos, detExp, detLog, detLog1p, detPow, detSin } from './det-math.ts';
import { detMathDigest } from './det-math-samples.ts';
import { parseScenario } from '../scenario/load.ts';
import { Simulation } from '../scenario/simulation.ts';
import { simulatorDrawsDigest } from '../scenario/draw-digest.ts';

/**
 * The draws' math in Debian's headless Chromium (a V8 other than Node's,
 * whose own Math.log/cos differ from Node 20's in last bits): det-math,
 * bundled as the dashboard bundles it, must give Node's bits on every
 * sample. Skipped, saying so, only when /usr/bin/chromium is absent.
 */
if (!HAVE_CHROMIUM) console.warn(`det-math.browser.test.ts: SKIPPED — ${CHROMIUM} not found (install it: apt-get install -y chromium)`);

const ENTRY = `
import { detCos, detExp, detLog, detLog1p, detPow, detSin } from './det-math.ts';
import { detMathDigest } from './det-math-samples.ts';
import { parseScenario } from '../scenario/load.ts';
import { Simulation } from '../scenario/simulation.ts';
import { simulatorDrawsDigest } from '../scenario/draw-digest.ts';
globalThis.__draws = () => simulatorDrawsDigest();
globalThis.__detDigest = () => detMathDigest({ log: detLog, log1p: detLog1p, exp: detExp, pow: detPow, cos: detCos, sin: detSin });
globalThis.__trace = (text, overrides) => new Simulation(parseScenario(text, 'page', overrides)).runToEnd().traceHash;
`;

/**
 * Churn draws every kind of variate: Weibull sessions (log, fractional powers, and the
 * normal draws of a gamma for the residuals: log and cos), Poisson arrivals, exponential timers.
 */
const CHURN = { text: readFileSync(join(import.meta.dirname, '../../scenarios/churn.yaml'), 'utf8'), overrides: { peers: 150, durationS: 900, sets: ['protocol.strategy=globalmap'] } };

describe.skipIf(!HAVE_CHROMIUM)(`det-math in headless Chromium${HAVE_CHROMIUM ? '' : ' (SKIPPED: no /usr/bin/chromium)'}`, { timeout: 2 * PAGE_TIMEOUT_MS }, () => {
  const { context } = useChromium('peermap-detmath-');

  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const { build } = await import('esbuild');
    const bundle = await build({ stdin: { contents: ENTRY, resolveDir: import.meta.dirname, loader: 'ts' }, bundle: true, format: 'iife', write: false, target: 'es2022' });
    page = await context().newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
  }, PAGE_TIMEOUT_MS);

  it('gives the same bits as in Node on every sample domain', async () => {
    const inPage = await page.evaluate(() => (globalThis as unknown as { __detDigest(): Record<string, string> }).__detDigest());
    expect(errors).toEqual([]);
    expect(inPage).toEqual(detMathDigest({ log: detLog, log1p: detLog1p, exp: detExp, pow: detPow, cos: detCos, sin: detSin }));
  });

  it('draws the simulator\'s variates (exponential, normal, Weibull, Pareto, proof-of-work grinds) with Node\'s bits', async () => {
    const inPage = await page.evaluate(() => (globalThis as unknown as { __draws(): string }).__draws());
    expect(errors).toEqual([]);
    expect(inPage).toBe(simulatorDrawsDigest());
  });

  it('runs a churn scenario (Weibull sessions, gamma residuals, Poisson arrivals) to the trace `peermap run` prints', async () => {
    const inPage = await page.evaluate(({ text, overrides }) => (globalThis as unknown as { __trace(t: string, o: object): string }).__trace(text, overrides), CHURN);
    expect(errors).toEqual([]);
    expect(inPage).toBe(new Simulation(parseScenario(CHURN.text, 'page', CHURN.overrides)).runToEnd().traceHash);
  });
});
