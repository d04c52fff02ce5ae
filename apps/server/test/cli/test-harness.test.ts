// The built test harness (dist/test-harness.js) that other languages' SDK suites drive: real
// servers behind a JSON control API, restarts on the same port with the same data, a movable clock.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createFetchTransport, createVerify, type EncodingOptions, KamiApiError } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipReplyValidation, trackApp } from '../http/validate-replies';

const root = join(__dirname, '..', '..');
const harnessJs = join(root, 'dist', 'test-harness.js');
const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

interface Described {
  id: string;
  url: string;
  app: {
    appKey: string;
    askKey: string;
    routes: Record<string, string>;
    encoding: EncodingOptions;
    settings: Record<string, unknown>;
  };
  potatoUser: { userNumber: string; passWord: string };
}

let child: ChildProcess;
let control: string;

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(control + path, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function clientOf(server: Described, offsetMs = 0) {
  const { routes } = server.app;
  trackApp(routes, server.app.encoding);
  return createVerify({
    baseUrl: server.url,
    appKey: server.app.appKey,
    routes: {
      login: routes.login!,
      heartbeat: routes.heartbeat!,
      query: routes.query!,
      unbind: routes.unbind!,
      notice: routes.notice!,
      version: routes.version!,
      checkUpdate: routes.check_update!,
    },
    encoding: server.app.encoding,
    md5,
    transport: createFetchTransport(),
    maxRetries: 0,
    now: () => Date.now() + offsetMs,
  });
}

beforeAll(async () => {
  if (!existsSync(harnessJs)) {
    const built = spawnSync('npx', ['tsup'], { cwd: root, stdio: 'inherit' });
    if (built.status !== 0) throw new Error('tsup build failed');
  }
  child = spawn(process.execPath, [harnessJs], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  control = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`harness exited ${code}`)));
  });
  // The control API is the harness's own, not the Kami API; the servers it starts are checked.
  skipReplyValidation(control);
}, 120_000);

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL');
});

describe('test harness', () => {
  it('prints its control URL on loopback', () => {
    expect(control).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('runs a real server per request, in each encoding, without leaking the private key', {
    timeout: 120_000,
  }, async () => {
    for (const encoding of ['plain', 'base64', 'rsa'] as const) {
      const { status, json } = await call('POST', '/servers', { encoding, settings: { codeType: 'int' } });
      expect(status).toBe(201);
      const server = json as unknown as Described;
      expect(server.app.encoding.mode).toBe(encoding);
      expect(JSON.stringify(server)).not.toContain('PRIVATE KEY');
      const card = (await call('POST', `/servers/${server.id}/cards`, {})).json.cardStr as string;
      const session = await clientOf(server).login(card, 'DEVICE-1');
      expect(session.statecode).toMatch(/^[0-9a-f]{32}$/);
      await call('DELETE', `/servers/${server.id}`);
    }
  });

  it('disables, enables, kicks and expires cards, and restarts with the same data', {
    timeout: 120_000,
  }, async () => {
    const server = (await call('POST', '/servers', { encoding: 'rsa' })).json as unknown as Described;
    const client = clientOf(server);
    const card = (await call('POST', `/servers/${server.id}/cards`, { imei: 'DEV-A' })).json
      .cardStr as string;
    expect((await call('GET', `/servers/${server.id}/cards/${card}`)).json.imei).toBe('DEV-A');

    await call('POST', `/servers/${server.id}/cards/${card}/disable`);
    await expect(client.login(card, 'DEV-A')).rejects.toMatchObject({ code: 'CARD_DISABLED' });
    await call('POST', `/servers/${server.id}/cards/${card}/enable`);
    const session = await client.login(card, 'DEV-A');
    expect((await call('POST', `/servers/${server.id}/cards/${card}/kick`)).json.kicked).toBeGreaterThan(0);
    await expect(client.heartbeat(session.statecode)).rejects.toBeInstanceOf(KamiApiError);

    // A restart: the port refuses connections, then the same keys and card work again.
    expect((await call('POST', `/servers/${server.id}/stop`)).status).toBe(200);
    await expect(fetch(server.url)).rejects.toThrow();
    const started = await call('POST', `/servers/${server.id}/start`);
    expect(started.json.url).toBe(server.url);
    await clientOf(server).login(card, 'DEV-A');

    // A day card expires a day after its first login; a client on the old clock is refused for
    // its timestamp, one that follows the server's clock for the card.
    const moved = await call('POST', `/servers/${server.id}/clock`, { advanceMs: 86_401_000 });
    expect(moved.json.now as number).toBeGreaterThan(Date.now() + 86_000_000);
    await expect(client.login(card, 'DEV-A')).rejects.toMatchObject({ code: 'TIMESTAMP_INVALID' });
    await expect(clientOf(server, 86_401_000).login(card, 'DEV-A')).rejects.toMatchObject({
      code: 'CARD_EXPIRED',
    });
    await call('DELETE', `/servers/${server.id}`);
  });

  it('refuses bad requests with a 4xx and a message', async () => {
    expect((await call('POST', '/servers', { encoding: 'rot13' })).status).toBe(400);
    expect((await call('POST', '/servers', { settings: { codeType: 'float' } })).status).toBe(400);
    expect((await call('POST', '/servers/nope/stop')).status).toBe(404);
    const server = (await call('POST', '/servers', {})).json as unknown as Described;
    expect((await call('POST', `/servers/${server.id}/clock`, { advanceMs: -1 })).status).toBe(400);
    expect((await call('POST', `/servers/${server.id}/cards/NOPE/disable`)).status).toBe(404);
    expect((await call('GET', '/nowhere')).status).toBe(404);
    await call('DELETE', `/servers/${server.id}`);
  });

  it('exits, closing its servers, when its stdin closes', async () => {
    const server = (await call('POST', '/servers', {})).json as unknown as Described;
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.stdin!.end();
    expect(await exited).toBe(0);
    await expect(fetch(server.url)).rejects.toThrow();
  });
});
