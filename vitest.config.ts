import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    hookTimeout: 30_000,
    pool: 'forks',
    // Browser tests start Chromium; give them room on a 2-core machine.
    testTimeout: 30_000,
  },
});
