#!/usr/bin/env node
// Size budget ("login + heartbeat ≤ 9 KB min+gzip"): what a page pays to log in with a card and
// send heartbeats — the lean session client, the device id, crypto-js's md5 (its `core` and `md5`
// modules) and the fetch transport, minified, tree-shaken and gzipped, core bundled in.
// Exits 1 above the budget. The `<script>` build (dist/kami-verify.global.js, everything in it)
// is reported next to it, not budgeted; run after `npm run build`.
// The managed heartbeat loop (`startHeartbeat`) is an optional module on top; its size is
// printed as well, but not budgeted.
//   node scripts/check-size.mjs [--verbose] [--budget <bytes>]
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const { values: flags } = parseArgs({
  options: {
    verbose: { type: 'boolean', default: false },
    budget: { type: 'string', default: String(9 * 1024) },
  },
});
const BUDGET_BYTES = Number(flags.budget);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

// Budgeted: log in, then beat with the statecode (the two calls, as an app would make them).
const entry = `
import { createSessionClient, getDeviceId } from './src/index.ts';
const client = createSessionClient({ baseUrl: 'https://example.com', appKey: 'k', routes: { login: 'A', heartbeat: 'B' } });
client.login('card', getDeviceId()).then((session) => setInterval(() => client.heartbeat(session.statecode), 30000));
`;
// Reported, not budgeted: the same page with the managed loop (backoff, outage deadline,
// visibility catch-up, events) doing the beating.
const withLoop = `
import { createSessionClient, getDeviceId, startHeartbeat } from './src/index.ts';
const client = createSessionClient({ baseUrl: 'https://example.com', appKey: 'k', routes: { login: 'A', heartbeat: 'B' } });
client.login('card', getDeviceId()).then((session) => {
  startHeartbeat(client, session).on('lost', (e) => console.log(e));
});
`;

async function measure(contents) {
  const result = await build({
    stdin: { contents, resolveDir: packageDir, loader: 'ts', sourcefile: 'size-entry.ts' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].contents;
  return { min: code.length, gzip: gzipSync(code, { level: 9 }).length, metafile: result.metafile };
}

const kb = (n) => `${(n / 1024).toFixed(2)} KB (${n} B)`;
const full = await measure(entry);
const loop = await measure(withLoop);
console.log(
  `login + heartbeat bundle: min ${kb(full.min)}, min+gzip ${kb(full.gzip)}; budget ${kb(BUDGET_BYTES)}`,
);
console.log(
  `  with the managed heartbeat loop (not budgeted): min ${kb(loop.min)}, min+gzip ${kb(loop.gzip)}`,
);

// Minified bytes per origin, so a failure says where the weight is.
const inputs = Object.values(full.metafile.outputs)[0].inputs;
const groups = {};
for (const [file, info] of Object.entries(inputs)) {
  const group = file.includes('crypto-js/')
    ? 'crypto-js'
    : file.includes('core/')
      ? '@kami-verify/core'
      : 'browser';
  groups[group] = (groups[group] ?? 0) + info.bytesInOutput;
  if (flags.verbose) console.log(`  ${String(info.bytesInOutput).padStart(7)}  ${file}`);
}
console.log(
  `  minified by origin: ${Object.entries(groups)
    .map(([g, n]) => `${g} ${n} B`)
    .join(', ')}`,
);

const scriptBuild = new URL('../dist/kami-verify.global.js', import.meta.url);
if (existsSync(scriptBuild)) {
  const code = readFileSync(scriptBuild);
  console.log(
    `  <script> build (dist/kami-verify.global.js, not budgeted): min ${kb(code.length)}, min+gzip ${kb(gzipSync(code, { level: 9 }).length)}`,
  );
} else {
  console.log('  <script> build: dist/kami-verify.global.js missing (npm run build first)');
}

if (full.gzip > BUDGET_BYTES) {
  console.error(
    `size budget exceeded by ${full.gzip - BUDGET_BYTES} B (min+gzip). --verbose lists every module.`,
  );
  process.exit(1);
}
