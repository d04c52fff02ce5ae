import { defineConfig } from 'tsup';

export default defineConfig([
  // For bundlers and Node: dependencies stay external (deduped by the app's bundler).
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    // Both configs build into dist/ at the same time: each cleans only its own files.
    clean: ['!kami-verify.global.js*'],
    target: 'es2022',
    platform: 'browser',
    treeshake: true,
  },
  // For a plain <script> tag: one minified file, everything inlined, one global `KamiVerify`.
  {
    entry: { 'kami-verify': 'src/index.ts' },
    format: ['iife'],
    globalName: 'KamiVerify',
    noExternal: [/.*/],
    minify: true,
    sourcemap: true,
    clean: ['!index.*'],
    target: 'es2022',
    platform: 'browser',
    treeshake: true,
  },
]);
