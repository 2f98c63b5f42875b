// Vitest config for the browser test only (test/e2e/**): one fork, long timeouts (it builds
// nothing itself; `npm run e2e` builds dist/ first and the test serves it).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
