import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/**
 * Debian's headless Chromium for the browser tests (the dashboard's and the
 * report's) and `npm run bench:ui`: launch it, and watch a page for errors
 * and for requests it must not make. No vite here, so a test of a static
 * page can use it without the dashboard's build.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Bound on any wait for the page: a loaded machine is slow, not wrong. */
export const PAGE_TIMEOUT_MS = 10 * 60_000;

type LaunchOptions = NonNullable<Parameters<typeof chromium.launchPersistentContext>[1]>;

/** Starts Chromium with its profile in `profile`; every wait defaults to PAGE_TIMEOUT_MS. */
export async function launchChromium(profile: string, options: LaunchOptions = {}): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, ...options });
  context.setDefaultTimeout(PAGE_TIMEOUT_MS);
  return context;
}

export interface Watched {
  errors: string[];
  external: string[];
}

/** Records console/page errors of `page`, and refuses (and records) any request `allowed` rejects. */
export async function watchPage(page: Page, allowed: (url: string) => boolean): Promise<Watched> {
  const errors: string[] = [];
  const external: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (allowed(url)) return route.continue();
    external.push(url);
    return route.abort();
  });
  return { errors, external };
}
