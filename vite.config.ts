/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const repo = fileURLToPath(new URL('.', import.meta.url));

// The dashboard (web-ui/) and the test runner share this file.
// npm run ui → dev server; npm run build → dist/ (static, relative URLs); npm run preview → serves dist/.
export default defineConfig({
  root: fileURLToPath(new URL('./web-ui', import.meta.url)),
  // Relative asset URLs: dist/ works from any path on any static web server.
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  // The simulation runs in a module worker (code-split, ES imports).
  worker: { format: 'es' },
  // sim-core/ and scenarios/ live beside web-ui/, outside the app root.
  server: { fs: { allow: [repo] } },
  test: {
    root: repo,
    include: ['sim-core/**/*.test.ts', 'bench/**/*.test.ts', 'web-ui/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['sim-core/testing/fast-check-setup.ts'],
    // A bound, not a speed check: CLI tests spawn several runs, and a busy
    // 2-core machine (load 15) made one take 80 s. A hang still fails.
    testTimeout: 240_000,
    hookTimeout: 240_000,
    pool: 'forks',
  },
});
