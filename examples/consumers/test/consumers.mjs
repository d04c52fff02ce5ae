// Consumer tests: what a user gets from npm. Packs core, node, browser and server, installs the
// tarballs into a fresh project in a temp dir, and checks each way of using them. One line per
// check; exits 1 if any fails. Set KEEP_CONSUMER_DIR=1 to keep the temp dir for a look.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../../../', import.meta.url));
const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PACKAGES = ['packages/core', 'packages/node', 'packages/browser', 'apps/server'];

const work = mkdtempSync(join(tmpdir(), 'kami-consumers-'));
const project = join(work, 'project');
let failures = 0;

async function check(name, fn) {
  const started = Date.now();
  try {
    const detail = await fn();
    console.log(`ok     ${name} (${Date.now() - started} ms)${detail ? ` — ${detail}` : ''}`);
  } catch (error) {
    failures++;
    const message = String(error?.stderr || error?.stdout || error?.message || error).trim();
    console.log(`FAILED ${name} (${Date.now() - started} ms)\n${message.replace(/^/gm, '    ')}`);
  }
}

function assertEqual(actual, expected, what) {
  if (actual !== expected)
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

const node = (args, options = {}) =>
  run(process.execPath, args, { cwd: project, timeout: 60_000, ...options });

async function setup() {
  const packs = join(work, 'tarballs');
  mkdirSync(packs);
  for (const dir of PACKAGES) {
    await run('npm', ['pack', '--silent', '--pack-destination', packs], {
      cwd: join(repo, dir),
      timeout: 120_000,
    });
  }
  const tarballs = readdirSync(packs).map((f) => join(packs, f));
  assertEqual(tarballs.length, PACKAGES.length, 'tarballs');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  // @types/node: what a TypeScript user of the server's testing entry installs too.
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      '--ignore-scripts',
      ...tarballs,
      '@types/node@20',
    ],
    { cwd: project, timeout: 300_000 },
  );
  return `${tarballs.length} tarballs installed in ${project}`;
}

const md5Hex = (text) => createHash('md5').update(text, 'utf8').digest('hex');
const SAMPLE = 'kami-verify 卡密 consumer';

async function esm() {
  const { stdout } = await node([
    '--input-type=module',
    '-e',
    `import { createVerify, nodeMd5 as md5 } from '@kami-verify/node';
     const client = createVerify({ baseUrl: 'http://127.0.0.1:9', appKey: 'k', routes: { login: 'a' } });
     if (typeof client.login !== 'function') throw new Error('no login');
     console.log(md5(${JSON.stringify(SAMPLE)}));`,
  ]);
  assertEqual(stdout.trim(), md5Hex(SAMPLE), 'md5 (ESM)');
}

async function cjs() {
  const { stdout } = await node([
    '--input-type=commonjs',
    '-e',
    `const { createVerify, nodeMd5: md5 } = require('@kami-verify/node');
     const client = createVerify({ baseUrl: 'http://127.0.0.1:9', appKey: 'k', routes: { login: 'a' } });
     if (typeof client.login !== 'function') throw new Error('no login');
     console.log(md5(${JSON.stringify(SAMPLE)}));`,
  ]);
  assertEqual(stdout.trim(), md5Hex(SAMPLE), 'md5 (CJS)');
}

const TS_SOURCE = `import { createVerify, nodeMd5 as md5, type LoginResult } from '@kami-verify/node';
import { startTestServer } from '@kami-verify/server/testing';

const client = createVerify({ baseUrl: 'http://127.0.0.1:9', appKey: 'k', routes: { login: 'a' } });
const hash: string = md5('x');
const login: (card: string, imei: string) => Promise<LoginResult> = client.login;
// @ts-expect-error a wrong option type must be refused, or these checks would prove nothing
createVerify({ baseUrl: 1 });
export async function main(): Promise<string> {
  const server = await startTestServer();
  const card: string = await server.mintCard();
  await server.close();
  return hash + card + String(login);
}
`;

const RESOLUTIONS = {
  node10: { module: 'commonjs', moduleResolution: 'node10' },
  node16: { module: 'node16', moduleResolution: 'node16' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
};

async function typescript(resolution) {
  const dir = join(project, `ts-${resolution}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.ts'), TS_SOURCE);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        ...RESOLUTIONS[resolution],
        target: 'es2022',
        strict: true,
        noEmit: true,
        types: ['node'],
        // As most projects do; the packages' own entry points are still resolved and type-checked
        // where this file uses them (a missing export or a wrong types path fails here).
        skipLibCheck: true,
      },
      files: ['index.ts'],
    }),
  );
  await node([tsc, '-p', join(dir, 'tsconfig.json')]);
}

function serveDir(dir) {
  const root = normalize(dir + sep);
  const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/favicon.ico') return void res.writeHead(204).end();
    const file = normalize(join(root, path === '/' ? 'index.html' : path));
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, origin: `http://127.0.0.1:${server.address().port}` }),
    ),
  );
}

async function vitePage() {
  const page = join(project, 'page');
  mkdirSync(page, { recursive: true });
  writeFileSync(
    join(page, 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>consumer</title><script type="module" src="./main.js"></script>',
  );
  writeFileSync(
    join(page, 'main.js'),
    `import { md5, getDeviceId } from '@kami-verify/browser';
window.result = { md5: md5(${JSON.stringify(SAMPLE)}), deviceId: getDeviceId() };`,
  );
  // Vite comes from this workspace; it resolves @kami-verify/browser from the project's node_modules.
  const { build } = await import('vite');
  const outDir = join(page, 'dist');
  await build({ root: page, configFile: false, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const { chromium } = await import('playwright-core');
  const { server, origin } = await serveDir(outDir);
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
    timeout: 30_000,
  });
  try {
    const tab = await browser.newPage();
    const errors = [];
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(origin);
    const result = await tab.waitForFunction(() => window.result, undefined, { timeout: 15_000 });
    const { md5, deviceId } = await result.jsonValue();
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    assertEqual(md5, md5Hex(SAMPLE), 'md5 in Chromium');
    if (!deviceId) throw new Error('getDeviceId returned nothing');
  } finally {
    await browser.close();
    server.close();
  }
}

async function serverBin() {
  const child = spawn('npx', ['--no-install', 'kami-server', '--port', '0', '--db', 'memory'], {
    cwd: project,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: npx runs the bin in a child, and both must go at the end.
    detached: true,
  });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      const timer = setTimeout(() => reject(new Error(`no URL within 30 s\n${out}${err}`)), 30_000);
      child.stderr.on('data', (d) => {
        err += d;
      });
      child.stdout.on('data', (d) => {
        out += d;
        const line = out.split('\n')[0];
        if (out.includes('\n')) {
          clearTimeout(timer);
          const match = line.match(/https?:\/\/\S+/);
          match ? resolve(match[0]) : reject(new Error(`first line has no URL: ${line}`));
        }
      });
      child.on('exit', (code) => reject(new Error(`kami-server exited with ${code}\n${out}${err}`)));
    });
    const response = await fetch(new URL('/healthz', url));
    assertEqual(response.status, 200, 'GET /healthz status');
    const body = await response.json();
    assertEqual(body.status, 'ok', 'GET /healthz body.status');
    return url;
  } finally {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

const started = Date.now();
await check('pack core, node, browser, server and install the tarballs', setup);
if (failures) {
  rmSync(work, { recursive: true, force: true });
  process.exit(1); // nothing to check without the installed tarballs
}
await check('ESM import of @kami-verify/node (createVerify, nodeMd5)', esm);
await check('CJS require of @kami-verify/node (createVerify, nodeMd5)', cjs);
for (const resolution of Object.keys(RESOLUTIONS)) {
  await check(`TypeScript, moduleResolution ${resolution}`, () => typescript(resolution));
}
await check('Vite build of a page importing @kami-verify/browser, md5 in Chromium', vitePage);
await check('npx kami-server --port 0 --db memory answers GET /healthz', serverBin);
console.log(`${failures ? `${failures} FAILED` : 'all passed'} in ${Date.now() - started} ms`);
if (process.env.KEEP_CONSUMER_DIR) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
