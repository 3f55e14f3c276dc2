import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The multi-instance tests need PostgreSQL, Redis and nginx: only the nginx leg of test/run.mjs runs them.
    exclude: process.env.PFC_TEST_LEG === 'scale' ? [] : ['test/scale/**'],
    hookTimeout: 30_000,
    pool: 'forks',
    // Browser tests start Chromium; give them room on a 2-core machine.
    testTimeout: 30_000,
  },
});
