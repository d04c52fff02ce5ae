import { KamiAbortError, KamiConnectionError, KamiResponseError, KamiTimeoutError } from '@kami-verify/core';
import { Agent, errors } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { createUndiciTransport, type UndiciTransport } from '../src/net/undici-transport';
import { closedPort, startHttpServer, type TestHttpServer } from './helpers/http-server';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function transport(options?: Parameters<typeof createUndiciTransport>[0]): UndiciTransport {
  const t = createUndiciTransport(options);
  cleanups.push(() => t.close());
  return t;
}

async function server(handler: Parameters<typeof startHttpServer>[0]): Promise<TestHttpServer> {
  const s = await startHttpServer(handler);
  cleanups.push(() => s.close());
  return s;
}

const post = (url: string, extra: Partial<Parameters<UndiciTransport>[0]> = {}) => ({
  method: 'POST' as const,
  url,
  headers: { 'content-type': 'application/x-www-form-urlencoded', askKey: 'K' },
  body: 'kami=A&t=1',
  timeoutMs: 2_000,
  ...extra,
});

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('createUndiciTransport', () => {
  it('sends method, path, headers and body, and lower-cases response headers', async () => {
    const seen: Array<{ method?: string; url?: string; headers: Record<string, unknown>; body: string }> = [];
    const s = await server((req, res, body) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.setHeader('X-Mixed-Case', 'yes');
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.end('{"code":"200"}');
    });
    const res = await transport()(post(`${s.url}/813B2676E9690C89?x=1`));
    expect(res.status).toBe(200);
    expect(res.body).toBe('{"code":"200"}');
    expect(res.headers['x-mixed-case']).toBe('yes');
    expect(res.headers['set-cookie']).toBe('a=1, b=2');
    expect(Object.keys(res.headers).every((k) => k === k.toLowerCase())).toBe(true);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/813B2676E9690C89?x=1', body: 'kami=A&t=1' });
    expect(seen[0]!.headers.askkey).toBe('K');
  });

  it('reuses keep-alive sockets', async () => {
    const s = await server((_req, res) => res.end('ok'));
    const t = transport();
    for (let i = 0; i < 10; i++) await t(post(s.url));
    // undici may open a second socket while the first is being released; never one per request.
    expect(s.connections).toBeLessThanOrEqual(2);
  });

  it('returns 4xx/5xx as normal responses', async () => {
    const s = await server((_req, res) => {
      res.statusCode = 503;
      res.setHeader('Retry-After', '3');
      res.end('busy');
    });
    const res = await transport()(post(s.url));
    expect(res).toMatchObject({ status: 503, body: 'busy', headers: { 'retry-after': '3' } });
  });

  it('maps a refused connection to a connect-phase KamiConnectionError', async () => {
    const port = await closedPort();
    const error = await caught(transport()(post(`http://127.0.0.1:${port}/x`)));
    expect(KamiConnectionError.isInstance(error)).toBe(true);
    expect(KamiTimeoutError.isInstance(error)).toBe(false);
    expect((error as KamiConnectionError).phase).toBe('connect');
    expect((error as KamiConnectionError).code).toBe('NETWORK_ERROR');
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('maps a connect timeout to a connect-phase KamiTimeoutError', async () => {
    // A connector that never connects stands in for a black-holed address.
    const dispatcher = new Agent({
      connect: (_opts, callback) => {
        setTimeout(() => callback(new errors.ConnectTimeoutError('Connect Timeout Error'), null), 20);
      },
    });
    cleanups.push(() => dispatcher.close());
    const error = await caught(transport({ dispatcher })(post('http://10.255.255.1/x')));
    expect(KamiTimeoutError.isInstance(error)).toBe(true);
    expect((error as KamiTimeoutError).phase).toBe('connect');
    expect((error as KamiTimeoutError).code).toBe('TIMEOUT');
  });

  it('maps a socket closed after sending to an unknown-phase KamiConnectionError', async () => {
    const s = await server((req) => req.socket.destroy());
    const error = await caught(transport()(post(s.url)));
    expect(KamiConnectionError.isInstance(error)).toBe(true);
    expect(KamiTimeoutError.isInstance(error)).toBe(false);
    expect((error as KamiConnectionError).phase).toBe('unknown');
  });

  it('times out a silent server with an unknown-phase KamiTimeoutError', async () => {
    const s = await server(() => {});
    const started = Date.now();
    const error = await caught(transport()(post(s.url, { timeoutMs: 150 })));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(KamiTimeoutError.isInstance(error)).toBe(true);
    expect((error as KamiTimeoutError).phase).toBe('unknown');
  });

  it('times out a body that stalls half-way', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"code":');
    });
    const error = await caught(transport()(post(s.url, { timeoutMs: 150 })));
    expect(KamiTimeoutError.isInstance(error)).toBe(true);
  });

  it('the deadline covers the whole request: a reply trickling in under every per-phase timeout still times out', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      // One byte every 60 ms: never idle for long, never finished within the deadline.
      const timer = setInterval(() => res.write(' '), 60);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    const error = await caught(transport()(post(s.url, { timeoutMs: 400 })));
    expect(KamiTimeoutError.isInstance(error)).toBe(true);
    expect((error as KamiTimeoutError).message).toContain('400 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('rejects with KamiAbortError when the caller aborts mid-flight or before sending', async () => {
    let hits = 0;
    const s = await server(() => {
      hits++;
    });
    const t = transport();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('user cancelled')), 30);
    const error = await caught(t(post(s.url, { signal: controller.signal })));
    expect(KamiAbortError.isInstance(error)).toBe(true);
    expect((error as KamiAbortError).code).toBe('ABORTED');

    const pre = AbortSignal.abort();
    const before = hits;
    expect(KamiAbortError.isInstance(await caught(t(post(s.url, { signal: pre }))))).toBe(true);
    expect(hits).toBe(before);
  });

  it('refuses bodies larger than maxResponseBytes', async () => {
    const s = await server((_req, res) => res.end('x'.repeat(5_000)));
    const error = await caught(transport({ maxResponseBytes: 1_000 })(post(s.url)));
    expect(KamiResponseError.isInstance(error)).toBe(true);
  });

  it('close() releases sockets; later requests fail in the connect phase; close is idempotent', async () => {
    const s = await server((_req, res) => res.end('ok'));
    const t = createUndiciTransport();
    await t(post(s.url));
    await Promise.all([t.close(), t.close()]);
    const error = await caught(t(post(s.url)));
    expect(KamiConnectionError.isInstance(error)).toBe(true);
    expect((error as KamiConnectionError).phase).toBe('connect');
  });

  it('leaves a caller-provided dispatcher open on close()', async () => {
    const s = await server((_req, res) => res.end('ok'));
    const dispatcher = new Agent();
    cleanups.push(() => dispatcher.close());
    const t = createUndiciTransport({ dispatcher });
    await t.close();
    expect((await t(post(s.url))).body).toBe('ok');
    expect(t.dispatcher).toBe(dispatcher);
  });
});
