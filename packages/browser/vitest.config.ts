import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The Chromium suite starts a browser and a server: give its hooks room.
    hookTimeout: 60_000,
  },
});
