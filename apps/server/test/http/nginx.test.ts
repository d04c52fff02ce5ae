// The reverse-proxy setup that docs/server.md documents, run for real: deploy/nginx/kami.conf
// (its ports replaced) in front of two kami-server processes on one PostgreSQL, with
// `trustProxy: "loopback"`. Clients are distinct loopback addresses (127.0.0.x), so the processes
// must see each client's own address through the proxy: IP binding proves it.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFetchTransport, createVerify, KamiApiError, type VerifyClient } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../src/domain/types';
import { freshPostgres, POSTGRES_ADMIN_URL, type TestDatabase } from './db';
import { md5 } from './helpers';
import { freshConnectionFetch, type Proc, startProcess, stopProcess } from './processes';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
const CONF = fileURLToPath(new URL('../../../../deploy/nginx/kami.conf', import.meta.url));
const DOCS = fileURLToPath(new URL('../../../../docs/server.md', import.meta.url));
const APP_KEY = 'nginxappkey0123456789abcdef01234';
const ROUTES = { login: 'E000000000000001', heartbeat: 'E000000000000002' };
const card = (n: number) => `${String(n).padStart(2, '0')}${'E'.repeat(30)}`;

const appConfig = {
  name: 'behind-nginx',
  appKey: APP_KEY,
  routes: ROUTES,
  settings: { ipBinding: 'exact' },
  cards: [1, 2, 3].map((n) => ({ cardStr: card(n), card: { kind: 'time', type: 2 } })),
} as AppConfig;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** The documented file with its upstream ports and its listen line made local. */
export function localConf(text: string, upstreams: number[], listen: number): string {
  const lines = text.split('\n');
  const upstreamLines = lines.filter((l) => /^\s*server 127\.0\.0\.1:\d+;/.test(l));
  expect(upstreamLines.length).toBeGreaterThanOrEqual(upstreams.length);
  let i = 0;
  return lines
    .flatMap((l) => {
      if (!/^\s*server 127\.0\.0\.1:\d+;/.test(l)) return [l];
      const port = upstreams[i++];
      return port === undefined ? [] : [`  server 127.0.0.1:${port};`];
    })
    .map((l) => (/^\s*listen 443 ssl;/.test(l) ? `  listen 127.0.0.1:${listen};` : l))
    .join('\n');
}

describe.skipIf(!NGINX || !POSTGRES_ADMIN_URL)(
  `two processes behind the documented nginx config${NGINX ? '' : ' — skipped: nginx is not installed'}`,
  () => {
    let store: TestDatabase;
    let dir: string;
    let procs: Proc[] = [];
    let nginx: ChildProcess | undefined;
    let url: string;
    /** A client connecting from 127.0.0.x. */
    const from = (x: number): VerifyClient =>
      createVerify({
        baseUrl: url,
        appKey: APP_KEY,
        routes: ROUTES,
        md5,
        transport: createFetchTransport(freshConnectionFetch(`127.0.0.${x}`)),
        maxRetries: 0,
      });
    const errorCode = (e: unknown) => (KamiApiError.isInstance(e) ? e.code : e);

    beforeAll(async () => {
      store = await freshPostgres(POSTGRES_ADMIN_URL!);
      dir = mkdtempSync(join(tmpdir(), 'kami-nginx-'));
      chmodSync(dir, 0o755);
      const config = join(dir, 'config.json');
      writeFileSync(
        config,
        JSON.stringify({ apps: [appConfig], server: { throttle: false, trustProxy: 'loopback' } }),
      );
      procs = await Promise.all([startProcess(store.db, config), startProcess(store.db, config)]);
      const port = await freePort();
      const upstreams = procs.map((p) => Number(new URL(p.url).port));
      writeFileSync(join(dir, 'kami.conf'), localConf(readFileSync(CONF, 'utf8'), upstreams, port));
      writeFileSync(
        join(dir, 'nginx.conf'),
        [
          'worker_processes 1;',
          `pid ${dir}/nginx.pid;`,
          `error_log ${dir}/error.log warn;`,
          'events {}',
          'http {',
          '  access_log off;',
          ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
          `  include ${dir}/kami.conf;`,
          '}',
        ].join('\n'),
      );
      execFileSync(NGINX!, ['-t', '-q', '-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'pipe' });
      nginx = spawn(NGINX!, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      url = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 100; i++) {
        const up = await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        );
        if (up) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`nginx did not come up: ${readFileSync(join(dir, 'error.log'), 'utf8')}`);
    }, 60_000);

    afterAll(async () => {
      if (nginx && nginx.exitCode === null) {
        const exited = new Promise((r) => nginx!.once('exit', r));
        nginx.kill('SIGQUIT');
        await exited;
      }
      await Promise.all(procs.map(stopProcess));
      await store?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('the file in deploy/ is the one docs/server.md shows', () => {
      const docs = readFileSync(DOCS, 'utf8');
      const block = /```nginx\n([\s\S]*?)```/.exec(docs)?.[1];
      const file = readFileSync(CONF, 'utf8')
        .split('\n')
        .filter((l) => !l.startsWith('#'))
        .join('\n');
      expect(block?.trim()).toBe(file.trim());
    });

    it('each process sees the client address, not the proxy: IP binding holds per client', async () => {
      const first = await from(3).login(card(1), 'NGINX-DEVICE');
      expect(first.imei).toBe('NGINX-DEVICE');
      await expect(from(4).login(card(1), 'NGINX-DEVICE')).rejects.toSatisfy(
        (e) => errorCode(e) === 'IP_MISMATCH',
      );
      // Again from the bound address, whichever process least_conn picks: accepted, and heartbeats pass.
      for (let i = 0; i < 4; i++) {
        const again = await from(3).login(card(1), 'NGINX-DEVICE');
        await from(3).heartbeat(again.statecode);
      }
    });

    it("a client's own X-Forwarded-For is replaced, not trusted", async () => {
      await from(5).login(card(2), 'FORGED-DEVICE');
      const forging: VerifyClient = createVerify({
        baseUrl: url,
        appKey: APP_KEY,
        routes: ROUTES,
        md5,
        transport: createFetchTransport((u, init) =>
          freshConnectionFetch('127.0.0.6')(u, {
            ...init,
            headers: { ...(init.headers as Record<string, string>), 'X-Forwarded-For': '127.0.0.5' },
          }),
        ),
        maxRetries: 0,
      });
      await expect(forging.login(card(2), 'FORGED-DEVICE')).rejects.toSatisfy(
        (e) => errorCode(e) === 'IP_MISMATCH',
      );
    });

    it('parallel first logins of one card through the proxy bind exactly once', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 40 }, (_, i) => from(7).login(card(3), `RACE-${i}`)),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [errorCode(r.reason)] : []));
      expect(new Set(lost)).toEqual(new Set(['DEVICE_MISMATCH']));
    });
  },
);
