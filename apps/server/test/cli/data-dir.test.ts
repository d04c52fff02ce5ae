// The embedded data directory with real processes: a second server on the same directory refuses
// to start, a dead owner's lock does not block a restart, and a kill at any moment of the very
// first start leaves a directory the next start can use.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, lockDataDir, lockPath } from '../../src/store/data-dir';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const children: ChildProcess[] = [];
let base: string;

beforeAll(async () => {
  if (!existsSync(cli)) {
    const built = spawnSync('npx', ['tsup'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('tsup build failed');
  }
  base = await mkdtemp(join(tmpdir(), 'kami-data-dir-'));
}, 120_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

function start(dir: string) {
  const child = spawn(process.execPath, [cli, '--port', '0', '--db', dir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  url.catch(() => {});
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, url, exit, stderr: () => stderr };
}

async function healthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/healthz`);
  return res.ok;
}

/** A pid that certainly ran and ended. */
function deadPid(): number {
  const done = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(done.stdout.toString());
}

describe('the data directory lock', () => {
  it('in one process: a second lock is refused until the first is released', () => {
    const dir = join(base, 'in-process');
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
    release();
    expect(existsSync(lockPath(dir))).toBe(false);
    lockDataDir(dir)();
  });

  it('a second server on the same directory refuses to start and names the owner', {
    timeout: 120_000,
  }, async () => {
    const dir = join(base, 'shared');
    const first = start(dir);
    const url = await first.url;
    const second = start(dir);
    expect(await second.exit).toBe(1);
    expect(second.stderr()).toContain(`in use by process ${first.child.pid}`);
    expect(second.stderr()).toContain('PostgreSQL');
    // The first one is unharmed and keeps serving.
    expect(await healthy(url)).toBe(true);
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);
    expect(existsSync(lockPath(dir))).toBe(false);
  });

  it("a dead owner's lock does not block a restart", { timeout: 120_000 }, async () => {
    const dir = join(base, 'stale');
    writeFileSync(lockPath(dir), JSON.stringify({ pid: deadPid(), host: hostname() }));
    const run = start(dir);
    expect(await healthy(await run.url)).toBe(true);
    expect(JSON.parse(readFileSync(lockPath(dir), 'utf8')).pid).toBe(run.child.pid);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('a kill at any moment of the first start leaves a usable directory', { timeout: 300_000 }, async () => {
    for (const delayMs of [50, 250, 600, 1200, 2500]) {
      const dir = join(base, `first-start-${delayMs}`);
      const doomed = start(dir);
      await new Promise((r) => setTimeout(r, delayMs));
      doomed.child.kill('SIGKILL');
      await doomed.exit;
      const again = start(dir);
      expect(await healthy(await again.url), `killed after ${delayMs} ms`).toBe(true);
      again.child.kill('SIGTERM');
      expect(await again.exit).toBe(0);
      // Nothing a killed start left behind survives a successful one.
      expect(readdirSync(base).filter((n) => n.startsWith(`.first-start-${delayMs}.init-`))).toEqual([]);
    }
  });
});
