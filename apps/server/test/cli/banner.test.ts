// What kami-server prints at start (the real binary): a configured app's route codes and where to
// get its secrets, never the secrets themselves.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, kami, kamiServerBin } from './run-kami';

// Every test spawns real processes; on a loaded shared machine each can take seconds.
const SLOW = { timeout: 180_000 };

let base: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  ensureBuilt();
  base = await mkdtemp(join(tmpdir(), 'kami-banner-'));
}, 120_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(base, { recursive: true, force: true });
});

/** Starts kami-server and collects stdout until `until` matches; `whileRunning` runs before it stops. */
async function banner(
  args: string[],
  until: RegExp,
  whileRunning?: (text: string) => Promise<void>,
): Promise<string> {
  const child = spawn(process.execPath, [kamiServerBin, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let text = '';
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      text += `${line}\n`;
      if (until.test(text)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
  });
  try {
    await whileRunning?.(text);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  return text;
}

describe('startup banner', SLOW, () => {
  it('a demo start prints a fresh admin token that works with kami; the next start revokes it', async () => {
    const dir = join(base, 'demo-data');
    let first = '';
    const text = await banner(['--db', dir], /KAMI_TOKEN=\S+\n.*\n/, async (t) => {
      const [url] = t.split('\n');
      first = /KAMI_TOKEN=(kamiadm_[A-Za-z0-9_-]{43})$/m.exec(t)?.[1] ?? '';
      expect(t).toContain(`export KAMI_URL=${url} KAMI_TOKEN=${first}`);
      const apps = await kami(['apps', 'list', '--csv'], { env: { KAMI_URL: url!, KAMI_TOKEN: first } });
      expect(apps.code).toBe(0);
      expect(apps.stdout).toMatch(/^demo,/m);
    });
    expect(text).toContain('npx kami apps list');
    // The next demo start on the same store: a new token, the previous one revoked.
    await banner(['--db', dir], /KAMI_TOKEN=\S+\n.*\n/, async (t) => {
      const [url] = t.split('\n');
      const second = /KAMI_TOKEN=(kamiadm_\S+)$/m.exec(t)?.[1];
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
      expect((await kami(['apps', 'list'], { env: { KAMI_URL: url!, KAMI_TOKEN: first } })).code).toBe(3);
      expect((await kami(['apps', 'list'], { env: { KAMI_URL: url!, KAMI_TOKEN: second! } })).code).toBe(0);
    });
  });

  it('with --config: every app’s route codes and where its secrets are, no secrets', async () => {
    const config = join(base, 'kami.json');
    const appKey = 'k'.repeat(32);
    await writeFile(
      config,
      JSON.stringify({
        apps: [
          { name: 'shop', appKey, routes: { login: '813B2676E9690C89' } },
          { name: 'tool', askKey: 'a'.repeat(32) },
        ],
      }),
    );
    const text = await banner(['--db', 'memory', '--config', config], /App "tool"[\s\S]*secrets/);
    const [url] = text.split('\n');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(text).toContain(
      `App "shop"\n  login           POST ${url}/813B2676E9690C89\n  heartbeat       POST ${url}/`,
    );
    expect(text).toMatch(/App "tool"\n( {2}\S+ +POST http:\S+\/[0-9A-F]{16}\n){26}/);
    // One column: every route line's URL starts at the same offset.
    const offsets = text
      .split('\n')
      .filter((l) => / POST http/.test(l))
      .map((l) => l.indexOf(' POST '));
    expect(new Set(offsets).size).toBe(1);
    expect(text).toContain('secrets         kami apps show shop --secrets');
    expect(text).toContain('secrets         kami apps show tool --secrets');
    expect(text).not.toContain(appKey);
    expect(text).not.toContain('a'.repeat(32));
    expect(text).not.toContain('KAMI_TOKEN');
  });
});
