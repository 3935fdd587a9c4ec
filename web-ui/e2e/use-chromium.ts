import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, PAGE_TIMEOUT_MS } from './chromium.ts';

/**
 * A headless Chromium for the tests of one `describe` (call inside it):
 * launched before them with its profile in a fresh temporary folder `dir`
 * (the tests may write there too), closed and the folder removed after.
 */
export function useChromium(prefix: string): { dir: string; context(): BrowserContext } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    context = await launchChromium(join(dir, 'profile'));
  }, PAGE_TIMEOUT_MS);
  afterAll(async () => {
    await context?.close();
    rmSync(dir, { recursive: true, force: true });
  }, PAGE_TIMEOUT_MS);
  return { dir, context: () => context! };
}
