import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

// Consumers load dist/, not src/: these checks run the built files in fresh Node processes.
const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(pkgDir, '..', '..');

function node(args: string[], cwd = repoRoot): string {
  return execFileSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 15_000 }).trim();
}

beforeAll(() => {
  if (!existsSync(join(pkgDir, 'dist', 'index.cjs')) || !existsSync(join(pkgDir, 'dist', 'index.js'))) {
    execFileSync(process.execPath, [join(repoRoot, 'node_modules', 'tsup', 'dist', 'cli-default.js')], {
      cwd: pkgDir,
    });
  }
}, 60_000);

const probe = `
  const names = ['createVerify', 'getMachineCode', 'startHeartbeat', 'createUndiciTransport', 'KamiError', 'T3_MESSAGES'];
  const missing = names.filter((n) => m[n] === undefined);
  const client = m.createVerify({ baseUrl: 'http://127.0.0.1:9', appKey: 'k', routes: { login: '/l' } });
  out({ missing, sameError: m.KamiError === core.KamiError, close: typeof client.close, md5: m.nodeMd5('abc') });
  client.close();
`;

describe('packaging', () => {
  it('require() loads the CJS build by package name', () => {
    const out = node([
      '-e',
      `const m = require('@kami-verify/node'); const core = require('@kami-verify/core');
       const out = (v) => console.log(JSON.stringify({ ...v, file: require.resolve('@kami-verify/node') }));
       ${probe}`,
    ]);
    const result = JSON.parse(out);
    expect(result).toMatchObject({
      missing: [],
      sameError: true,
      close: 'function',
      md5: '900150983cd24fb0d6963f7d28e17f72',
    });
    expect(result.file).toMatch(/dist[\\/]index\.cjs$/);
  });

  it('import() loads the ESM build by package name', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `const m = await import('@kami-verify/node'); const core = await import('@kami-verify/core');
       const out = (v) => console.log(JSON.stringify({ ...v, file: import.meta.resolve('@kami-verify/node') }));
       ${probe}`,
    ]);
    const result = JSON.parse(out);
    expect(result).toMatchObject({
      missing: [],
      sameError: true,
      close: 'function',
      md5: '900150983cd24fb0d6963f7d28e17f72',
    });
    expect(result.file).toMatch(/dist\/index\.js$/);
  });

  it('a running heartbeat does not keep the process alive (timers are unref()ed)', () => {
    const started = Date.now();
    const out = node([
      '--input-type=module',
      '-e',
      `const { startHeartbeat } = await import('@kami-verify/node');
       // It would beat for an hour if its timers held the event loop.
       const ok = { msg: '在线', time: 0, date: '', raw: {} };
       const hb = startHeartbeat({ heartbeat: async () => ok }, { statecode: 'x' }, { intervalMs: 100, validitySeconds: 3600 });
       hb.on('beat', () => {});
       console.log(hb.state);`,
    ]);
    expect(out).toBe('running');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
