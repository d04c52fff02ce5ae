import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  platform: 'node',
  target: 'node20',
  treeshake: true,
  // Core and undici stay external (they are dependencies): one copy of core's error classes
  // per app, and undici's own updates reach users without a release of ours.
});
