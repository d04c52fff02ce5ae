// startServer: config files and objects, validation errors, the demo app, clean shutdown.

import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, startServer, validateServerConfig } from '../../src/index';
import { createFakeClock, type TestServer } from '../../src/testing';
import { clientFor } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'kami-config-'));
const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers) await close();
});

describe('config validation', () => {
  it('reports every problem with its path and reason', () => {
    let error: unknown;
    try {
      validateServerConfig({
        apps: [
          {
            name: 'a',
            routes: { login: 'lowercase0000000', bogus: 'X' },
            settings: {
              codeType: 'number',
              signatureChek: 'on',
              timestampCheck: { windowSeconds: -1 },
              encoding: { mode: 'base64', alphabet: 'short' },
            },
            cards: [{ cardStr: 'ABCD1234', card: { kind: 'count' } }],
          },
          { name: 'a' },
          { name: 'b', settings: { successCode: 201 } },
        ],
        server: { throttle: { maxFailures: 0 }, cors: { origins: ['https://ok.example', 'not a url'] } },
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const fragment of [
      'apps[0].routes.login: must be 16 uppercase hex characters',
      'apps[0].routes.bogus: unknown key',
      'apps[0].settings.codeType: must be one of "string", "int"',
      'apps[0].settings.signatureChek: unknown key',
      'apps[0].settings.timestampCheck.windowSeconds: must be an integer',
      'apps[0].settings.encoding.alphabet:',
      'apps[0].cards[0].card.uses: must be an integer',
      'apps[1].name: duplicate name',
      'apps[2].settings.successCode: must differ from the T3 error code 201',
      'server.throttle.maxFailures',
      'server.cors.origins[1]',
    ]) {
      expect(problems).toContain(fragment);
    }
  });

  it('a missing or broken file is a ConfigError naming the file', async () => {
    await expect(
      startServer({ config: join(dir, 'missing.json'), db: 'memory', quiet: true, logger: false }),
    ).rejects.toThrow(/missing\.json[\s\S]*cannot read/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"apps": [');
    await expect(startServer({ config: broken, db: 'memory', quiet: true, logger: false })).rejects.toThrow(
      /not valid JSON/,
    );
  });
});

describe('startServer', () => {
  it('loads a config file with fixed credentials and RSA key files', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    writeFileSync(join(dir, 'app.pub.pem'), publicKey);
    writeFileSync(join(dir, 'app.key.pem'), privateKey);
    const file = join(dir, 'kami.json');
    writeFileSync(
      file,
      JSON.stringify({
        apps: [
          {
            name: 'shop',
            appKey: 'shop-app-key-0123456789',
            askKey: 'shop-ask-key',
            routes: { login: '813B2676E9690C89', heartbeat: '813B2676E9690C8A' },
            settings: {
              encoding: { mode: 'rsa', publicKeyFile: 'app.pub.pem', privateKeyFile: 'app.key.pem' },
              notice: 'hi',
            },
            potatoUsers: [{ userNumber: 'reseller', passWord: 'secret-pass' }],
            cards: [{ cardStr: 'CAFE'.repeat(8), card: { kind: 'time', type: 2 } }],
          },
        ],
        server: { cors: { origins: ['*'] } },
      }),
    );
    const clock = createFakeClock();
    const running = await startServer({
      config: file,
      db: 'memory',
      port: 0,
      quiet: true,
      logger: false,
      clock,
    });
    closers.push(running.close);
    const app = running.apps.find((a) => a.name === 'shop')!;
    expect(app.routes.login).toBe('813B2676E9690C89');
    expect(app.appKey).toBe('shop-app-key-0123456789');
    const fake = {
      url: running.url,
      clock,
      potatoUser: { userNumber: 'reseller', passWord: 'secret-pass' },
    } as unknown as TestServer;
    const login = await clientFor(fake, app).login('CAFE'.repeat(8), 'DEV');
    expect(login.amount).toBe('30天');
    const cors = await fetch(`${running.url}/healthz`, { headers: { origin: 'https://anything.example' } });
    expect(cors.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('without a config: the demo app, a banner whose first line is the URL, and a fresh card that logs in', async () => {
    let banner = '';
    const running = await startServer({ db: 'memory', port: 0, logger: false, print: (t) => (banner += t) });
    closers.push(running.close);
    const lines = banner.split('\n');
    expect(lines[0]).toBe(running.url);
    expect(running.demo).toBeDefined();
    const demo = running.demo!;
    for (const value of [
      demo.app.appKey,
      demo.app.askKey,
      demo.app.routes.login,
      demo.potatoUser.passWord,
      demo.card,
    ]) {
      expect(banner).toContain(value);
    }
    const fake = {
      url: running.url,
      clock: { now: Date.now },
      potatoUser: demo.potatoUser,
    } as unknown as TestServer;
    const client = clientFor(fake, demo.app);
    expect((await client.login(demo.card, 'DEMO-DEVICE')).amount).toBe('1天');
    expect(await client.createCardMy({ type: 0, total: 1 })).toHaveLength(1);
  });

  it('close() ends keep-alive connections and the store; a second close() is harmless', async () => {
    const running = await startServer({ db: 'memory', port: 0, quiet: true, logger: false });
    const res = await fetch(`${running.url}/healthz`, { headers: { connection: 'keep-alive' } });
    expect(res.status).toBe(200);
    const started = Date.now();
    await running.close();
    await running.close();
    expect(Date.now() - started).toBeLessThan(3000);
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });

  it('a port in use is an error, and the store is closed', async () => {
    const first = await startServer({ db: 'memory', port: 0, quiet: true, logger: false });
    closers.push(first.close);
    const port = Number(new URL(first.url).port);
    await expect(startServer({ db: 'memory', port, quiet: true, logger: false })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});
