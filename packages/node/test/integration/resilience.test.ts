import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '@kami-verify/server';
import { describe, expect, it } from 'vitest';
import { KamiVerificationError } from '../../src/index';
import { closedPort } from '../helpers/http-server';
import { clientFor, flipHex, onCleanup, sharedTestServer, startProxy, waitFor } from './helpers';

const shared = sharedTestServer();

describe('failover', () => {
  it('moves from a dead base URL to a live one, for login and heartbeats', async () => {
    const s = shared();
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const client = clientFor(s, { baseUrl: [dead, s.url] });
    const session = await client.login(await s.mintCard(), 'M');
    await expect(session.heartbeat()).resolves.toMatchObject({ msg: '在线' });
  });

  it('retries a heartbeat through HTTP 503s and recovers', async () => {
    const s = shared();
    let failures = 3;
    const heartbeatPath = `/${s.app.routes.heartbeat}`;
    const proxy = await startProxy(
      s.url,
      (body) => body,
      (path) => (path === heartbeatPath && failures-- > 0 ? { status: 503, body: 'maintenance' } : undefined),
    );
    const client = clientFor(s, { baseUrl: proxy.url, maxRetries: 0 });
    const session = await client.login(await s.mintCard(), 'M');
    const hb = session.startHeartbeat({ intervalMs: 200, validitySeconds: 60, initialBackoffMs: 50 });
    const errors: string[] = [];
    hb.on('error', (e) => errors.push(e.code));
    await waitFor<void>((done) => hb.once('beat', () => done()));
    expect(errors).toEqual(['HTTP_ERROR', 'HTTP_ERROR', 'HTTP_ERROR']);
    await hb.stop();
  });
});

describe('tampered replies', () => {
  it('rejects a login whose token was changed by one character (TOKEN_MISMATCH)', async () => {
    const s = shared();
    const loginPath = `/${s.app.routes.login}`;
    const proxy = await startProxy(s.url, (body, path) => {
      if (path !== loginPath) return body;
      const reply = JSON.parse(body) as { token?: string };
      if (reply.token) reply.token = flipHex(reply.token, 7);
      return JSON.stringify(reply);
    });
    const error = await clientFor(s, { baseUrl: proxy.url })
      .login(await s.mintCard(), 'M')
      .catch((e: unknown) => e);
    expect(KamiVerificationError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'TOKEN_MISMATCH' });
  });

  it('rejects a forged statecode (STATECODE_MISMATCH)', async () => {
    const s = shared();
    const proxy = await startProxy(s.url, (body) => {
      const reply = JSON.parse(body) as { statecode?: string };
      if (reply.statecode) reply.statecode = flipHex(reply.statecode);
      return JSON.stringify(reply);
    });
    await expect(clientFor(s, { baseUrl: proxy.url }).login(await s.mintCard(), 'M')).rejects.toMatchObject({
      code: 'STATECODE_MISMATCH',
    });
  });

  it('a replayed or forged heartbeat time ends the loop (CLOCK_SKEW)', async () => {
    const s = shared();
    const heartbeatPath = `/${s.app.routes.heartbeat}`;
    const proxy = await startProxy(s.url, (body, path) => {
      if (path !== heartbeatPath) return body;
      const reply = JSON.parse(body) as { time?: number };
      if (reply.time) reply.time -= 3_600;
      return JSON.stringify(reply);
    });
    const session = await clientFor(s, { baseUrl: proxy.url }).login(await s.mintCard(), 'M');
    const end = await session.startHeartbeat({ intervalMs: 100, validitySeconds: 60 }).stopped;
    expect(end).toMatchObject({ reason: 'lost', lostReason: 'rejected', error: { code: 'CLOCK_SKEW' } });
  });
});

describe('server restart mid-loop', () => {
  it('the loop rides out a restart on the same port with a persistent store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kami-node-restart-'));
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const port = await closedPort();
    const config = { apps: [{ name: 'restart-app' }], server: { throttle: false as const } };
    const start = () => startServer({ port, host: '127.0.0.1', db: dir, config, quiet: true, logger: false });

    let running = await start();
    onCleanup(() => running.close());
    const app = running.apps[0]!;
    const card = (await running.service.mintCard({ app, card: { kind: 'time', type: 0 } })).cardStr;
    const client = clientFor(
      {
        clientOptions: {
          baseUrl: running.url,
          appKey: app.appKey,
          routes: { login: app.routes.login, heartbeat: app.routes.heartbeat },
        },
      } as never,
      { maxRetries: 0, connectTimeoutMs: 500 },
    );
    const session = await client.login(card, 'M');
    const hb = session.startHeartbeat({
      intervalMs: 300,
      validitySeconds: 60,
      initialBackoffMs: 100,
      maxBackoffMs: 400,
    });
    const errors: string[] = [];
    hb.on('error', (e) => errors.push(e.code));
    await waitFor<void>((done) => hb.once('beat', () => done()));

    await running.close();
    await waitFor<void>((done) => hb.on('error', () => errors.length >= 2 && done()));
    running = await start();
    const beat = await waitFor<number>((done) => hb.once('beat', (_r, info) => done(info.count)));
    expect(beat).toBeGreaterThanOrEqual(2);
    expect(hb.state).toBe('running');
    expect(errors.every((code) => code === 'NETWORK_ERROR')).toBe(true);
    await hb.stop();
  });

  it('with relogin, it recovers from a restart that lost every session', async () => {
    const port = await closedPort();
    const appKey = 'restart-appkey-0123456789abcdef';
    const routes = { login: 'A1B2C3D4E5F60718', heartbeat: 'B1B2C3D4E5F60718' };
    const cardStr = 'C0FFEE00C0FFEE00C0FFEE00C0FFEE00';
    const config = {
      apps: [
        {
          name: 'volatile',
          appKey,
          routes,
          cards: [{ cardStr, card: { kind: 'time' as const, type: 0 as const } }],
        },
      ],
      server: { throttle: false as const },
    };
    const start = () =>
      startServer({ port, host: '127.0.0.1', db: 'memory', config, quiet: true, logger: false });
    let running = await start();
    onCleanup(() => running.close());
    const client = clientFor({ clientOptions: { baseUrl: running.url, appKey, routes } } as never, {
      maxRetries: 0,
      connectTimeoutMs: 500,
    });
    const session = await client.login(cardStr, 'M');
    const hb = session.startHeartbeat({
      intervalMs: 300,
      validitySeconds: 60,
      initialBackoffMs: 100,
      relogin: true,
    });
    await waitFor<void>((done) => hb.once('beat', () => done()));
    await running.close();
    running = await start();
    const login = await waitFor<{ statecode: string }>((done) => hb.once('relogin', done));
    expect(login.statecode).not.toBe('');
    await waitFor<void>((done) => hb.once('beat', () => done()));
    await hb.stop();
  });
});
