import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two shared cores on the build machines: files run in a small pool, and the integration
    // files (which start a server each) get longer timeouts than the unit ones.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
