// GET /docs in a real Chromium: the page loads openapi.json whether opened as /docs or /docs/,
// and its signature helper's md5 (crypto-js, inlined) agrees with node:crypto.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const nodeMd5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

describe.skipIf(!existsSync(CHROMIUM_PATH) && !process.env.CI)(
  'GET /docs in Chromium',
  { timeout: 60_000 },
  () => {
    let server: TestServer;
    let browser: Browser;

    beforeAll(async () => {
      server = await startTestServer();
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
        timeout: 30_000,
      });
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it.each(['/docs', '/docs/'])('%s renders every path of openapi.json', async (path) => {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${server.url}${path}`);
      await page.waitForFunction(() => document.querySelectorAll('#paths section').length > 0);
      const spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: object };
      const operations = Object.values(spec.paths).reduce((n, item) => n + Object.keys(item).length, 0);
      expect(await page.locator('#paths section').count()).toBe(operations);
      expect(await page.locator('#out').textContent()).not.toMatch(/cannot load/);
      expect(errors).toEqual([]);
      await page.close();
    });

    it("signs with crypto-js's md5, equal to node:crypto on Unicode and lone surrogates", async () => {
      const page = await browser.newPage();
      await page.goto(`${server.url}/docs`);
      const inputs = [
        '',
        'kami=KM&imei=DEV&t=1700000000&APPKEY',
        '单码卡密登录🎉',
        'lone \ud800 surrogate',
        'x'.repeat(1000),
      ];
      const digests = await page.evaluate(
        (xs) => xs.map((x) => (window as unknown as { md5(s: string): string }).md5(x)),
        inputs,
      );
      expect(digests).toEqual(inputs.map(nodeMd5));
      expect(await page.evaluate(() => typeof (window as unknown as { CryptoJS?: unknown }).CryptoJS)).toBe(
        'object',
      );
      await page.close();
    });
  },
);
