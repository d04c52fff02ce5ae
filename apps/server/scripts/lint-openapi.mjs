// Lints the OpenAPI document as the server serves it: starts the built server on a free loopback
// port with an in-memory store, fetches /openapi.json and runs Redocly's linter on it (rules in
// redocly.yaml; no network: telemetry and the update check are off).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const server = await startServer({ db: 'memory', host: '127.0.0.1', port: 0, quiet: true, logger: false });
const dir = mkdtempSync(join(tmpdir(), 'kami-openapi-'));
let status = 1;
try {
  const res = await fetch(`${server.url}/openapi.json`);
  if (!res.ok) throw new Error(`/openapi.json answered ${res.status}`);
  const file = join(dir, 'openapi.json');
  writeFileSync(file, `${JSON.stringify(await res.json(), null, 2)}\n`);
  const run = spawnSync(
    'npx',
    [
      '--no-install',
      'redocly',
      'lint',
      file,
      '--format',
      'stylish',
      '--config',
      join(here, '../redocly.yaml'),
    ],
    {
      stdio: 'inherit',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  status = run.status ?? 1;
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(status);
