import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/testing.ts', 'src/cli.ts', 'src/test-harness.ts', 'src/cli/kami.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  // Runtime dependencies stay external: the server is installed with them, never bundled.
  external: ['@electric-sql/pglite', 'pg', 'express', '@kami-verify/core'],
  // tsup copies the `#!/usr/bin/env node` line of cli.ts / cli/kami.ts and marks those outputs executable.
});
