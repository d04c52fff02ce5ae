import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';

// Consumers load dist/, not src/: each check runs the built files, by package name, in a fresh
// Node process (Node ≥ 20 has fetch, TextEncoder and crypto, so the browser build loads there).
const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(pkgDir, '..', '..');

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: repoRoot, encoding: 'utf8', timeout: 15_000 }).trim();
}

beforeAll(() => {
  if (!existsSync(join(pkgDir, 'dist', 'kami-verify.global.js'))) {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'tsup', 'dist', 'cli-default.js')], {
      cwd: pkgDir,
    });
  }
}, 60_000);

const expectedMd5 = createHash('md5').update('中文abc', 'utf8').digest('hex');

const probe = `
  const names = ['createVerify', 'createSessionClient', 'createT3Client', 'getDeviceId', 'startHeartbeat', 'md5', 'KamiError'];
  const missing = names.filter((n) => m[n] === undefined);
  out({ missing, md5: m.md5('中文abc'), sameError: m.KamiError === core.KamiError });
`;

describe('packaging', () => {
  it('require() loads the CJS build by package name', () => {
    const result = JSON.parse(
      node([
        '-e',
        `const m = require('@kami-verify/browser'); const core = require('@kami-verify/core');
         const out = (v) => console.log(JSON.stringify({ ...v, file: require.resolve('@kami-verify/browser') }));
         ${probe}`,
      ]),
    );
    expect(result).toMatchObject({ missing: [], md5: expectedMd5, sameError: true });
    expect(result.file).toMatch(/dist[\\/]index\.cjs$/);
  });

  it('import() loads the ESM build by package name', () => {
    const esm = JSON.parse(
      node([
        '--input-type=module',
        '-e',
        `const m = await import('@kami-verify/browser'); const core = await import('@kami-verify/core');
         const out = (v) => console.log(JSON.stringify({ ...v, file: import.meta.resolve('@kami-verify/browser') }));
         ${probe}`,
      ]),
    );
    expect(esm).toMatchObject({ missing: [], sameError: true, md5: expectedMd5 });
    expect(esm.file).toMatch(/dist\/index\.js$/);
  });

  it('the <script> build defines exactly one global, KamiVerify', () => {
    const code = readFileSync(join(pkgDir, 'dist', 'kami-verify.global.js'), 'utf8');
    const sandbox: Record<string, unknown> = { TextEncoder, TextDecoder, crypto: globalThis.crypto };
    sandbox.globalThis = sandbox;
    sandbox.window = sandbox;
    sandbox.self = sandbox;
    const before = new Set(Object.keys(sandbox));
    runInNewContext(code, sandbox);
    const added = Object.keys(sandbox).filter((k) => !before.has(k));
    expect(added).toEqual(['KamiVerify']);
    const api = sandbox.KamiVerify as Record<string, unknown>;
    expect(typeof api.createVerify).toBe('function');
    expect(typeof api.startHeartbeat).toBe('function');
  });
});
