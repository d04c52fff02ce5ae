// The example end to end: built by Vite with the reference server's settings in import.meta.env,
// served from a loopback origin, driven in real Chromium against the real server (real CORS).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRealTimeClock, startTestServer } from '@kami-verify/server/testing';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { type Site, serveDir } from './serve-dir';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'kami-vite-react-'));

let site: Site;
let server: Awaited<ReturnType<typeof startTestServer>>;
let browser: Browser;

beforeAll(async () => {
  site = await serveDir(outDir);
  server = await startTestServer({
    clock: createRealTimeClock(),
    server: { cors: { origins: [site.origin] } },
  });
  // Vite reads VITE_* from the environment at build time, as in the README.
  Object.assign(process.env, {
    VITE_KAMI_URL: server.url,
    VITE_KAMI_APPKEY: server.app.appKey,
    VITE_KAMI_LOGIN_CODE: server.app.routes.login,
    VITE_KAMI_HEARTBEAT_CODE: server.app.routes.heartbeat,
    VITE_KAMI_HEARTBEAT_MS: '300',
  });
  await build({ root, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
    timeout: 30_000,
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await site?.close();
  rmSync(outDir, { recursive: true, force: true });
});

test('logs in with a card, beats, and shows the lost state once the card is disabled', async () => {
  const card = await server.mintCard({ type: 2 });
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(site.origin);

  await page.getByLabel('card').fill(card);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForSelector('main[data-state="licensed"]', { timeout: 15_000 });
  const endTime = await page.getByTestId('end-time').textContent();
  expect(endTime).toMatch(/^\d{4}-\d{2}-\d{2}/);
  expect(await page.getByTestId('amount').textContent()).not.toBe('');
  // At least one heartbeat reached the server and came back.
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="beats"]')?.textContent) >= 1,
    undefined,
    {
      timeout: 15_000,
    },
  );

  await server.disableCard(card);
  await page.waitForSelector('main[data-state="lost"]', { timeout: 15_000 });
  expect(await page.getByTestId('lost-reason').textContent()).not.toBe('');
  expect(problems).toEqual([]);
});

test('shows the server refusal for an unknown card and stays on the login form', async () => {
  const page = await browser.newPage();
  await page.goto(site.origin);
  await page.getByLabel('card').fill('NO-SUCH-CARD-1234');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.waitForSelector('[data-testid="login-error"]', { timeout: 15_000 });
  expect(await page.locator('main').getAttribute('data-state')).toBe('login');
});
