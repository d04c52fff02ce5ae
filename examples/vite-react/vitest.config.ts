import { defineConfig } from 'vitest/config';

// Its own config so Vitest does not load the page's Vite config (React plugin) for Node tests.
export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 90_000, hookTimeout: 90_000 },
});
