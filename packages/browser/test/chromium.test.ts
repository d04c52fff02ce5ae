// Real-browser tests: the <script> build and the ESM build, loaded by Chromium from a page on
// one origin, logging in and beating against the reference server on another (so CORS is real).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Api from '../src/index';
import { chromiumMode, launchChromium } from './support/chromium';
import { type StaticServer, startStaticServer } from './support/static-server';

declare global {
  interface Window {
    KamiVerify: typeof Api;
    KV: typeof Api;
    disableCard(card: string): Promise<void>;
  }
}

type TestServer = Awaited<ReturnType<typeof import('@kami-verify/server/testing').startTestServer>>;

const DIST = new URL('../dist/', import.meta.url);
const BUILDS = [
  { name: '<script> IIFE build', page: '/script.html', global: 'KamiVerify' },
  { name: 'ESM build (import map)', page: '/esm.html', global: 'KV' },
] as const;

const mode = chromiumMode();

async function loadReferenceServer(): Promise<typeof import('@kami-verify/server/testing')> {
  try {
    return await import('@kami-verify/server/testing');
  } catch (error) {
    throw new Error(
      'The reference server (@kami-verify/server/testing) is not built: run `npm run build` at the repo root ' +
        `or \`cd apps/server && npx tsup\`. (${(error as Error).message})`,
    );
  }
}

// Generous per-test timeout: a real browser and a fresh server on two shared cores.
describe.skipIf(mode === 'skip')('in Chromium', { timeout: 30_000 }, () => {
  let browser: Browser;
  let site: StaticServer;
  let server: TestServer;
  let startTestServer: typeof import('@kami-verify/server/testing').startTestServer;
  let clockSync: ReturnType<typeof setInterval>;

  beforeAll(async () => {
    for (const file of ['kami-verify.global.js', 'index.js']) {
      if (!existsSync(new URL(file, DIST)))
        throw new Error(`dist/${file} is missing: run \`npx tsup\` first`);
    }
    ({ startTestServer } = await loadReferenceServer());
    site = await startStaticServer();
    server = await startTestServer({ server: { cors: { origins: [site.origin] } } });
    // The test server's clock only moves when told; the browser checks replies against its own
    // clock (±5 s), so keep them together.
    clockSync = setInterval(() => server.clock.set(Date.now()), 50);
    browser = await launchChromium();
  });

  afterAll(async () => {
    clearInterval(clockSync);
    await browser?.close();
    await server?.close();
    await site?.close();
  });

  async function open(path: string): Promise<Page> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    await page.goto(site.origin + path);
    if (path === '/esm.html')
      await page.waitForFunction(() => window.KV !== undefined, undefined, { timeout: 10_000 });
    expect(problems, 'page errors').toEqual([]);
    return page;
  }

  const options = () => ({
    baseUrl: server.url,
    appKey: server.app.appKey,
    routes: server.clientOptions.routes,
  });

  it('the <script> build adds exactly one global, KamiVerify', async () => {
    const blank = await open('/blank.html');
    const before = await blank.evaluate(() => Object.keys(window));
    const page = await open('/script.html');
    const after = await page.evaluate(() => Object.keys(window));
    expect(after.filter((k) => !before.includes(k))).toEqual(['KamiVerify']);
    await blank.close();
    await page.close();
  });

  it('fails with KamiConnectionError when the server does not allow the page origin (CORS)', async () => {
    const closed = await startTestServer(); // no server.cors: no origin allowed
    try {
      const card = await closed.mintCard();
      const page = await open('/script.html');
      const error = await page.evaluate(
        async ({ opts, card }) => {
          const KV = window.KamiVerify;
          return KV.createT3Client(opts)
            .login(card, KV.getDeviceId())
            .then(
              () => undefined,
              (e: Api.KamiConnectionError) => ({
                connection: KV.KamiConnectionError.isInstance(e),
                code: e.code,
              }),
            );
        },
        {
          opts: { baseUrl: closed.url, appKey: closed.app.appKey, routes: closed.clientOptions.routes },
          card,
        },
      );
      expect(error).toEqual({ connection: true, code: 'NETWORK_ERROR' });
      // The request did reach the server (CORS hides the reply, not the request): the card is now bound.
      expect((await closed.getCard(card))?.imei).toMatch(/^[0-9A-F]{32}$/);
      await page.close();
    } finally {
      await closed.close();
    }
  });

  it('beats at once when a hidden page becomes visible after the interval (throttled timers)', async () => {
    const card = await server.mintCard();
    const page = await open('/script.html');
    const waitedMs = await page.evaluate(
      async ({ opts, card }) => {
        const KV = window.KamiVerify;
        const client = KV.createT3Client(opts);
        const session = await client.login(card, KV.getDeviceId());
        let state = 'visible';
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
        // A 60 s interval that will not fire during the test on its own.
        const hb = KV.startHeartbeat(client, session, { intervalMs: 60_000, validitySeconds: 600 });
        state = 'hidden';
        document.dispatchEvent(new Event('visibilitychange'));
        // The tab "slept" for 61 s: wall time moved, the throttled timer did not fire.
        const realNow = Date.now;
        const skew = 61_000;
        Date.now = () => realNow() + skew;
        const started = performance.now();
        const beat = new Promise<number>((resolve) =>
          hb.once('beat', () => resolve(performance.now() - started)),
        );
        state = 'visible';
        document.dispatchEvent(new Event('visibilitychange'));
        const waited = await beat;
        await hb.stop();
        Date.now = realNow;
        return waited;
      },
      { opts: options(), card },
    );
    expect(waitedMs).toBeLessThan(5_000);
    await page.close();
  });

  describe.each(BUILDS)('$name', (build) => {
    it('hashes like node:crypto (UTF-8, lowercase hex)', async () => {
      const page = await open(build.page);
      const inputs = [
        '',
        'abc',
        '单码卡密登录',
        'émoji 🎉 𝌆',
        'lone \ud800 surrogate',
        ...[55, 56, 63, 64, 65].map((n) => 'x'.repeat(n)),
        'x'.repeat(54) + '卡',
        'x'.repeat(1000),
      ];
      const hashes = await page.evaluate(
        ({ inputs, g }) => inputs.map((s) => (window[g as 'KV'] as typeof Api).md5(s)),
        { inputs, g: build.global },
      );
      expect(hashes).toEqual(inputs.map((s) => createHash('md5').update(s).digest('hex')));
      await page.close();
    });

    it('createSessionClient + startHeartbeat: the lean page logs in and keeps the session alive', async () => {
      const card = await server.mintCard();
      const page = await open(build.page);
      const result = await page.evaluate(
        async ({ opts, card, g }) => {
          const KV = window[g as 'KV'];
          const client = KV.createSessionClient(opts);
          const session = await client.login(card, KV.getDeviceId());
          const hb = KV.startHeartbeat(
            client,
            { ...session, kami: card },
            { intervalMs: 200, validitySeconds: 600 },
          );
          const beat = await new Promise<string>((resolve, reject) => {
            hb.once('beat', (r) => resolve(r.msg));
            hb.on('lost', (error) => reject(new Error(`lost: ${error.code}`)));
          });
          const end = await hb.stop();
          return { keys: Object.keys(client).sort(), beat, end };
        },
        { opts: options(), card, g: build.global },
      );
      expect(result).toEqual({
        keys: ['heartbeat', 'login'],
        beat: '在线',
        end: { reason: 'stopped', beats: 1 },
      });
      await page.close();
    });

    it('logs in cross-origin and keeps the session alive with heartbeats', async () => {
      const card = await server.mintCard({ type: 1 });
      const page = await open(build.page);
      const result = await page.evaluate(
        async ({ opts, card, g }) => {
          const KV = window[g as 'KV'];
          const client = KV.createVerify(opts);
          const imei = KV.getDeviceId();
          const session = await client.login(card, imei);
          const hb = KV.startHeartbeat(
            client,
            { ...session, kami: card },
            { intervalMs: 300, validitySeconds: 600 },
          );
          const beats = await new Promise<number>((resolve, reject) => {
            hb.on('beat', (_r, info) => {
              if (info.count === 2) resolve(info.count);
            });
            hb.on('lost', (error) => reject(new Error(`lost: ${error.code}`)));
          });
          await hb.stop();
          return {
            imei,
            stored: localStorage.getItem('kami-verify:device-id'),
            statecode: session.statecode,
            beats,
          };
        },
        { opts: options(), card, g: build.global },
      );
      expect(result.imei).toMatch(/^[0-9A-F]{32}$/);
      expect(result.stored).toBe(result.imei);
      expect(result.statecode).toMatch(/^[0-9a-f]{32}$/);
      expect(result.beats).toBe(2);
      expect((await server.getCard(card))?.imei).toBe(result.imei);
      await page.close();
    });

    it('keeps the device id across reloads', async () => {
      const page = await open(build.page);
      const first = await page.evaluate((g) => window[g as 'KV'].getDeviceId(), build.global);
      await page.reload();
      if (build.page === '/esm.html') await page.waitForFunction(() => window.KV !== undefined);
      const second = await page.evaluate((g) => window[g as 'KV'].getDeviceId(), build.global);
      expect(second).toBe(first);
      await page.close();
    });

    it('reports lost when the card is disabled mid-session', async () => {
      const card = await server.mintCard();
      const page = await open(build.page);
      await page.exposeFunction('disableCard', (c: string) => server.disableCard(c));
      const lost = await page.evaluate(
        async ({ opts, card, g }) => {
          const KV = window[g as 'KV'];
          const client = KV.createVerify(opts);
          const session = await client.login(card, KV.getDeviceId());
          const hb = KV.startHeartbeat(client, session, { intervalMs: 200, validitySeconds: 600 });
          hb.once('beat', () => void window.disableCard(card));
          return new Promise<object>((resolve) => {
            hb.on('lost', (error, info) =>
              resolve({ code: error.code, reason: info.reason, state: hb.state }),
            );
          });
        },
        { opts: options(), card, g: build.global },
      );
      expect(lost).toEqual({ code: 'CARD_DISABLED', reason: 'rejected', state: 'lost' });
      await page.close();
    });

    it('rejects an unknown card with a typed KamiApiError', async () => {
      const page = await open(build.page);
      const error = await page.evaluate(
        async ({ opts, g }) => {
          const KV = window[g as 'KV'];
          try {
            await KV.createT3Client(opts).login('NO-SUCH-CARD', KV.getDeviceId());
            return undefined;
          } catch (e) {
            return {
              api: KV.KamiApiError.isInstance(e),
              code: (e as Api.KamiApiError).code,
              msg: (e as Api.KamiApiError).serverMessage,
            };
          }
        },
        { opts: options(), g: build.global },
      );
      expect(error).toEqual({ api: true, code: 'CARD_NOT_FOUND', msg: '卡密不存在' });
      await page.close();
    });

    it.each(['base64', 'rsa'] as const)('logs in and beats with the %s value encoding', async (mode) => {
      const encoded = await startTestServer({ encoding: mode, server: { cors: { origins: [site.origin] } } });
      const sync = setInterval(() => encoded.clock.set(Date.now()), 50);
      try {
        const card = await encoded.mintCard();
        const enc = encoded.app.encoding;
        // Only what a client holds: the alphabet, or the public key (never the private one).
        const encoding = enc.mode === 'rsa' ? { mode: 'rsa' as const, publicKey: enc.publicKey } : enc;
        const page = await open(build.page);
        const result = await page.evaluate(
          async ({ opts, encoding, card, g }) => {
            const KV = window[g as 'KV'];
            // Both ways in: `encoding` options (createVerify) and a codec object (createT3Client).
            const full = KV.createVerify({ ...opts, encoding });
            const codec =
              encoding.mode === 'rsa'
                ? KV.createRsaClientCodec(encoding.publicKey)
                : KV.createAlphabetCodec(encoding.alphabet);
            const lean = KV.createT3Client({ ...opts, codec });
            const session = await full.login(card, KV.getDeviceId());
            const beat = await lean.heartbeat(session.statecode);
            return { id: String(session.id), msg: beat.msg };
          },
          {
            opts: { baseUrl: encoded.url, appKey: encoded.app.appKey, routes: encoded.clientOptions.routes },
            encoding: encoding as { mode: 'rsa'; publicKey: string } | { mode: 'base64'; alphabet: string },
            card,
            g: build.global,
          },
        );
        expect(result.msg).toBe('在线');
        await page.close();
      } finally {
        clearInterval(sync);
        await encoded.close();
      }
    });

    it('refuses reseller calls in the page', async () => {
      const page = await open(build.page);
      const refusal = await page.evaluate(
        async ({ opts, g }) => {
          const client = window[g as 'KV'].createVerify(opts);
          return client.createCardMy({ type: 1, total: 1 }).catch((e: Api.KamiValidationError) => e.code);
        },
        { opts: options(), g: build.global },
      );
      expect(refusal).toBe('NOT_ALLOWED_IN_BROWSER');
      await page.close();
    });
  });
});
