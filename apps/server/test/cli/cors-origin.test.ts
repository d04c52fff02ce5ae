// kami-server --cors-origin (repeatable): the named origins get CORS headers, others none.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(cli)) {
    const built = spawnSync('npx', ['tsup'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('tsup build failed');
  }
}, 120_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function start(args: string[]) {
  const child = spawn(process.execPath, [cli, '--port', '0', '--db', 'memory', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (lines.length === 1) resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  url.catch(() => {});
  const exit = new Promise<number | null>((resolve) => child.once('close', resolve));
  return { child, url, lines, exit, stderr: () => stderr };
}

async function preflight(url: string, origin: string): Promise<string | null> {
  const res = await fetch(`${url}/api/login`, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
  });
  return res.headers.get('access-control-allow-origin');
}

describe('kami-server --cors-origin', { timeout: 60_000 }, () => {
  it('allows each origin given, and no other', async () => {
    const run = start(['--cors-origin', 'http://localhost:5173', '--cors-origin', 'https://app.example']);
    const url = await run.url;
    expect(await preflight(url, 'http://localhost:5173')).toBe('http://localhost:5173');
    expect(await preflight(url, 'https://app.example')).toBe('https://app.example');
    expect(await preflight(url, 'https://evil.example')).toBeNull();
    // Still the demo server: the banner prints its credentials and two fresh cards.
    await new Promise((r) => setTimeout(r, 100));
    const banner = run.lines.join('\n');
    const node = /fresh card\s+([0-9A-F]{32})/.exec(banner)?.[1];
    const browser = /browser card\s+([0-9A-F]{32})/.exec(banner)?.[1];
    expect(node).toBeDefined();
    expect(browser).toBeDefined();
    expect(browser).not.toBe(node);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('without the flag, no origin is allowed', async () => {
    const run = start([]);
    expect(await preflight(await run.url, 'http://localhost:5173')).toBeNull();
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('an invalid origin: a message naming the flag, exit 1', async () => {
    const run = start(['--cors-origin', 'not an origin']);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toMatch(/--cors-origin/);
  });
});
