// Python SDK overhead (packages/python): N logins through kami_verify vs raw httpx sending the same
// bytes, sequential (Client) and 32 concurrent (AsyncClient), against a real kami-server started
// through the test harness. Prints one JSON line last; progress goes to stderr.
//   node bench/languages/python.mjs [--quick|--full]
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = join(root, 'packages', 'python');
const python = join(pkg, '.venv', process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
// Both stay within about a minute on a 2-core machine (most of it the server's work).
const n = process.argv.includes('--full') ? 960 : 640;

if (!existsSync(python)) {
  // The package's own script creates the locked virtualenv.
  const made = spawnSync('python3', [join(pkg, 'scripts', 'test.py'), '--venv-only'], {
    stdio: ['ignore', 2, 2],
  });
  if (made.status !== 0) throw new Error('could not create packages/python/.venv');
}

const harness = spawn('node', [join(root, 'apps/server/dist/test-harness.js')], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const control = await new Promise((resolve, reject) => {
  createInterface({ input: harness.stdout }).once('line', resolve);
  harness.once('exit', () => reject(new Error('the test harness exited')));
});
const post = async (path, body) => {
  const res = await fetch(control + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (res.status >= 300) throw new Error(`${path}: ${await res.text()}`);
  return res.json();
};

try {
  const server = await post('/servers', { encoding: 'plain', server: { throttle: false } });
  // One card per concurrent worker, as the TypeScript SDK's benchmark does.
  const cards = [];
  for (let i = 0; i < 32; i++) cards.push((await post(`/servers/${server.id}/cards`, { type: 5 })).cardStr);
  const config = { url: server.url, appKey: server.app.appKey, routes: server.app.routes, cards, n };
  const run = spawnSync(python, [join(pkg, 'bench', 'login_overhead.py'), JSON.stringify(config)], {
    cwd: pkg,
    env: { ...process.env, PYTHONPATH: join(pkg, 'src') },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`python benchmark failed (${run.status})`);
  const last = run.stdout.trim().split('\n').pop();
  process.stdout.write(`${JSON.stringify(JSON.parse(last))}\n`);
} finally {
  harness.stdin.end();
}
