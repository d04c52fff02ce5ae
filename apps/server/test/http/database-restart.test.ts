// A real PostgreSQL stopped and started under load: the server process survives (no unhandled
// 'error' from a checked-out client), answers 503 with Retry-After while the database is away,
// reconnects by itself, and loses nothing it acknowledged. The test runs its own throwaway
// cluster (the shared one serves other suites), so it needs PostgreSQL's binaries.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createFetchTransport, createVerify, KamiApiError } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/store/postgres';
import { DatabaseUnavailableError } from '../../src/store/types';
import { POSTGRES_ADMIN_URL } from './db';
import { md5 } from './helpers';

const cli = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const APP_KEY = 'restartappkey0123456789abcdef012';
const ROUTES = { login: 'D000000000000001', heartbeat: 'D000000000000002', query: 'D000000000000003' };
const COUNT_CARD = '11112222333344445555666677778888';
const USES = 100_000;

function pgBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'pg_ctl'))) return join(root, v, 'bin');
  return undefined;
}
const BIN = pgBin();
const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL tool as the postgres user (initdb refuses root). */
function pg(tool: string, args: string[]): void {
  const cmd = [join(BIN!, tool), ...args].map((a) => `'${a}'`).join(' ');
  if (asRoot) execFileSync('su', ['postgres', '-s', '/bin/sh', '-c', cmd], { stdio: 'ignore' });
  else execFileSync('/bin/sh', ['-c', cmd], { stdio: 'ignore' });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describe.skipIf(!POSTGRES_ADMIN_URL || !BIN)('a PostgreSQL restart under load', () => {
  let dir: string;
  let data: string;
  let port: number;
  let server: ChildProcess;
  let url: string;
  let exitCode: number | null = null;
  const start = () =>
    pg('pg_ctl', [
      '-D',
      data,
      '-w',
      '-l',
      join(dir, 'pg.log'),
      '-o',
      `-p ${port} -k /tmp -c listen_addresses=127.0.0.1`,
      'start',
    ]);
  const stop = () => pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kami-pg-restart-'));
    data = join(dir, 'data');
    if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0);
    port = await freePort();
    pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres']);
    start();
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        apps: [
          {
            name: 'restart',
            appKey: APP_KEY,
            routes: ROUTES,
            cards: [{ cardStr: COUNT_CARD, card: { kind: 'count', uses: USES } }],
          },
        ],
        server: { throttle: false },
      }),
    );
    server = spawn(
      process.execPath,
      [cli, '--port', '0', '--db', `postgres://postgres@127.0.0.1:${port}/postgres`, '--config', config],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.once('exit', (code) => {
      exitCode = code;
    });
    url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server.stdout! }).once('line', resolve);
      server.once('exit', (code) => reject(new Error(`kami-server exited ${code}`)));
    });
  }, 120_000);

  afterAll(() => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    try {
      stop();
    } catch {
      // already stopped
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('survives, answers 503 with Retry-After meanwhile, reconnects, loses nothing acknowledged', {
    timeout: 180_000,
  }, async () => {
    const client = createVerify({
      baseUrl: url,
      appKey: APP_KEY,
      routes: ROUTES,
      md5,
      transport: createFetchTransport(),
      maxRetries: 0,
    });
    let acknowledged = 0;
    let running = true;
    const statuses = new Map<string, number>();
    // Eight workers log in with the count card (each success is a durable use) until told to stop.
    const workers = Array.from({ length: 8 }, async () => {
      while (running) {
        try {
          await client.login(COUNT_CARD, 'RESTART-DEVICE');
          acknowledged++;
        } catch (error) {
          const key = KamiApiError.isInstance(error) ? error.code : String((error as Error).name);
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    stop(); // fast shutdown: every connection gets 57P01
    // While it is down: 503 with Retry-After, in the T3 error shape.
    const t = String(Math.floor(Date.now() / 1000));
    const down = await fetch(`${url}/${ROUTES.query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `kami=X&t=${t}&s=${md5(`kami=X&t=${t}&${APP_KEY}`)}`,
    });
    const downText = await down.clone().text();
    expect(down.status, downText).toBe(503);
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await down.json()).toEqual({ code: 503, msg: '服务暂不可用,请稍后重试' });
    await new Promise((r) => setTimeout(r, 1000));
    start();
    // It reconnects by itself: logins succeed again.
    const before = acknowledged;
    for (let i = 0; i < 100 && acknowledged === before; i++) await new Promise((r) => setTimeout(r, 100));
    expect(acknowledged).toBeGreaterThan(before);
    running = false;
    await Promise.all(workers);

    expect(exitCode).toBeNull(); // the process never died
    expect(server.exitCode).toBeNull();
    // Every acknowledged use is on disk (an unacknowledged one may be too: its reply was lost).
    const status = await client.query(COUNT_CARD);
    expect(USES - Number(status.available)).toBeGreaterThanOrEqual(acknowledged);
    expect(acknowledged).toBeGreaterThan(0);
  });

  it('a transaction held open while the database stops fails cleanly, and the pool reconnects', {
    timeout: 120_000,
  }, async () => {
    const db = await openPostgres(`postgres://postgres@127.0.0.1:${port}/postgres`);
    try {
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      let entered!: () => void;
      const inside = new Promise<void>((r) => {
        entered = r;
      });
      const tx = db.transaction(async (q) => {
        await q.query('SELECT 1');
        entered();
        await gate; // the client is checked out and idle when the server goes away
        await q.query('SELECT 1');
      });
      tx.catch(() => {});
      await inside;
      stop();
      await new Promise((r) => setTimeout(r, 200));
      release();
      await expect(tx).rejects.toBeInstanceOf(DatabaseUnavailableError);
      await expect(db.query('SELECT 1')).rejects.toBeInstanceOf(DatabaseUnavailableError);
      start();
      expect((await db.query<{ x: number }>('SELECT 1 AS x')).rows[0]?.x).toBe(1);
    } finally {
      await db.close();
    }
  });
});
