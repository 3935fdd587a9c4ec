/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// The dashboard (web-ui/) and the test runner share this file.
export default defineConfig({
  root: '.',
  test: {
    include: ['sim-core/**/*.test.ts', 'bench/**/*.test.ts', 'web-ui/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
