// The built CLI (dist/cli.js): first stdout line is the URL, SIGTERM exits 0, bad flags exit 2.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const children: ChildProcess[] = [];

beforeAll(() => {
  // The CLI test runs the build output: build once if it is missing.
  if (!existsSync(cli)) {
    const built = spawnSync('npx', ['tsup'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('tsup build failed');
  }
}, 120_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function start(args: string[]) {
  const child = spawn(process.execPath, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout! });
  const stdout: string[] = [];
  const firstLine = new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => {
      stdout.push(line);
      if (stdout.length === 1) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before printing`)));
  });
  firstLine.catch(() => {}); // bad-flag runs never print; their exit code is what is checked
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  // 'close' (not 'exit'): stdio is drained by then, so stdout/stderr are complete.
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, firstLine, stdout, exit, stderr: () => stderr };
}

describe('kami-server CLI', () => {
  it('is executable with a node shebang', () => {
    expect((statSync(cli).mode & 0o111) !== 0).toBe(true);
  });

  it('prints the URL first, serves /healthz, prints the demo credentials, exits 0 on SIGTERM', async () => {
    const run = start(['--port', '0', '--db', 'memory']);
    const url = await run.firstLine;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${url}/healthz`);
    expect(await res.json()).toEqual({ status: 'ok' });
    await new Promise((r) => setTimeout(r, 100));
    const banner = run.stdout.join('\n');
    expect(banner).toMatch(/APPKEY\s+\S+/);
    expect(banner).toMatch(/fresh card\s+[0-9A-F]{32}/);
    // The quickstarts' one-line export carries the same values as the table above it.
    const appKey = /APPKEY\s+(\S+)/.exec(banner)?.[1];
    const card = /fresh card\s+([0-9A-F]{32})/.exec(banner)?.[1];
    expect(banner).toContain(`export KAMI_URL=${url} KAMI_APPKEY=${appKey} KAMI_LOGIN_CODE=`);
    expect(banner).toMatch(new RegExp(`KAMI_HEARTBEAT_CODE=[0-9A-F]{16} KAMI_CARD=${card}$`, 'm'));
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('exits 0 on SIGINT too', async () => {
    const run = start(['--port', '0', '--db', 'memory']);
    await run.firstLine;
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
  });

  it('bad flags: a message and exit code 2', async () => {
    for (const args of [['--bogus'], ['--port', 'abc'], ['--port', '70000'], ['--port'], ['stray']]) {
      const run = start(args);
      expect(await run.exit, args.join(' ')).toBe(2);
      expect(run.stderr()).toContain('Usage: kami-server');
    }
  });

  it('--help prints usage and exits 0', async () => {
    const run = start(['--help']);
    expect(await run.exit).toBe(0);
    expect(run.stdout.join('\n')).toContain('--port');
  });

  it('an invalid config file: the problems on stderr, exit 1', async () => {
    const run = start(['--port', '0', '--db', 'memory', '--config', join(root, 'package.json')]);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toContain('unknown key');
  });
});
