import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Checks every reply a test receives against the served OpenAPI document.
    setupFiles: ['test/http/validate-replies.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each test file gets its own process: PGlite instances and servers never share a heap.
    pool: 'forks',
    // The project machines have two cores shared by several engineers.
    maxWorkers: 2,
  },
});
