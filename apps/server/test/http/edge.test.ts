// The cross-cutting HTTP concerns exist once, on node:http, around both lanes (edge.ts): every
// kind of request — T3 fast lane, Express route, 404, preflight, refused body — gets exactly one
// log line, nosniff, the CORS headers of an allowed origin, and a JSON error when it fails.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing';
import { t3 } from './helpers';

let server: TestServer;
const logs: Array<Record<string, unknown>> = [];
const ORIGIN = 'https://app.example';

beforeAll(async () => {
  server = await startTestServer({
    logger: (line) => logs.push(line as Record<string, unknown>),
    server: { bodyLimit: 2048, throttle: false, cors: { origins: [ORIGIN] } },
  });
});

afterAll(async () => {
  await server?.close();
});

async function request(path: string, init: RequestInit = {}) {
  const before = logs.length;
  const res = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { origin: ORIGIN, ...(init.headers as Record<string, string>) },
  });
  const text = await res.text();
  await new Promise((r) => setTimeout(r, 20)); // the log line is written on 'finish'
  return { res, text, lines: logs.slice(before).filter((l) => l.msg === 'request') };
}

describe('one edge for both lanes', () => {
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const cases: Array<[string, () => Promise<Awaited<ReturnType<typeof request>>>, number, string]> = [
    [
      'T3 lane, answered',
      () => request(`/${server.app.routes.notice}`, { method: 'POST' }),
      200,
      't3.notice',
    ],
    [
      'T3 lane, refused body (415)',
      () =>
        request(`/${server.app.routes.notice}`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        }),
      415,
      't3.notice',
    ],
    ['Express route', () => request('/healthz'), 200, 'healthz'],
    ['Express, no route (404)', () => request('/nowhere'), 404, 'unmatched'],
    [
      'Express route, body over the limit (413)',
      () => request('/api/login', { method: 'POST', body: `x=${'a'.repeat(4096)}`, headers: form }),
      413,
      'potato.login',
    ],
    [
      'preflight',
      () =>
        request('/api/login', { method: 'OPTIONS', headers: { 'access-control-request-method': 'POST' } }),
      204,
      'cors.preflight',
    ],
  ];

  it.each(cases)('%s: one log line, nosniff, CORS', async (_, send, status, route) => {
    const { res, text, lines } = await send();
    expect(res.status).toBe(status);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status, route });
    if (status >= 400) expect(JSON.parse(text)).toMatchObject({ code: expect.anything() });
  });

  it('a refused origin’s preflight is a 403 in the same JSON form', async () => {
    const { res, text } = await request('/healthz', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(text)).toMatchObject({ code: 403 });
  });

  it('the T3 lane still answers its business errors as 200', async () => {
    const res = await t3(server, server.app.record, 'query', [['kami', 'NOPE']]);
    expect(res.status).toBe(200);
  });

  it('the concern modules know nothing of Express', () => {
    for (const file of ['edge.ts', 'request-log.ts', 'cors.ts', 'raw-body.ts', 'transport-errors.ts']) {
      const text = readFileSync(new URL(`../../src/http/${file}`, import.meta.url), 'utf8');
      expect(text, file).not.toMatch(/from 'express'/);
    }
  });
});
