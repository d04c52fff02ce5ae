import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFetchTransport, KamiAbortError, KamiConnectionError, KamiTimeoutError } from '../src';

let server: http.Server;
let base: string;
const received: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
const sockets = new Set<import('node:net').Socket>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, headers: req.headers, body });
      const path = req.url ?? '/';
      if (path === '/ok') {
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'X-Custom-Header': 'Yes' });
        res.end(JSON.stringify({ code: '200', msg: '在线 😀' }));
      } else if (path === '/error') {
        res.writeHead(503, { 'Retry-After': '3' });
        res.end('<html>busy</html>');
      } else if (path === '/slow') {
        setTimeout(() => {
          if (!res.destroyed) res.end('late');
        }, 2000);
      } else if (path === '/reset') {
        req.socket.destroy();
      } else {
        res.writeHead(404);
        res.end('not found');
      }
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** A port with nothing listening: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('createFetchTransport against a real node:http server', () => {
  const transport = createFetchTransport();

  it('POSTs the body and headers, returns status, lower-cased headers and the UTF-8 body', async () => {
    const response = await transport({
      method: 'POST',
      url: `${base}/ok`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', askKey: 'k' },
      body: 'kami=%E4%B8%AD&t=1741700000',
      timeoutMs: 2000,
    });
    expect(response.status).toBe(200);
    expect(response.headers['x-custom-header']).toBe('Yes');
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(response.body)).toEqual({ code: '200', msg: '在线 😀' });
    const last = received.at(-1)!;
    expect(last.method).toBe('POST');
    expect(last.url).toBe('/ok');
    expect(last.body).toBe('kami=%E4%B8%AD&t=1741700000');
    expect(last.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(last.headers.askkey).toBe('k');
  });

  it('an HTTP error status is a normal response', async () => {
    const response = await transport({
      method: 'POST',
      url: `${base}/error`,
      headers: {},
      body: '',
      timeoutMs: 2000,
    });
    expect(response.status).toBe(503);
    expect(response.headers['retry-after']).toBe('3');
    expect(response.body).toBe('<html>busy</html>');
  });

  it('GET without a body', async () => {
    const response = await transport({ method: 'GET', url: `${base}/missing`, headers: {}, timeoutMs: 2000 });
    expect(response.status).toBe(404);
    expect(received.at(-1)!.method).toBe('GET');
  });

  it('a slow server → KamiTimeoutError (请求超时), phase unknown', async () => {
    const started = Date.now();
    const error = await failure(
      transport({ method: 'POST', url: `${base}/slow`, headers: {}, body: 'x', timeoutMs: 150 }),
    );
    expect(Date.now() - started).toBeLessThan(1500);
    expect(KamiTimeoutError.isInstance(error)).toBe(true);
    expect((error as KamiTimeoutError).code).toBe('TIMEOUT');
    expect((error as KamiTimeoutError).phase).toBe('unknown');
    expect((error as Error).message).toContain('请求超时');
  });

  it('connection refused → KamiConnectionError with phase connect', async () => {
    const port = await closedPort();
    const error = await failure(
      transport({
        method: 'POST',
        url: `http://127.0.0.1:${port}/x`,
        headers: {},
        body: 'x',
        timeoutMs: 2000,
      }),
    );
    expect(KamiConnectionError.isInstance(error)).toBe(true);
    expect(KamiTimeoutError.isInstance(error)).toBe(false);
    expect((error as KamiConnectionError).code).toBe('NETWORK_ERROR');
    expect((error as KamiConnectionError).phase).toBe('connect');
    expect((error as Error).message).toContain('ECONNREFUSED');
  });

  it('a connection dropped mid-request → KamiConnectionError with phase unknown (it may have arrived)', async () => {
    const error = await failure(
      transport({ method: 'POST', url: `${base}/reset`, headers: {}, body: 'x', timeoutMs: 2000 }),
    );
    expect(KamiConnectionError.isInstance(error)).toBe(true);
    expect((error as KamiConnectionError).phase).toBe('unknown');
  });

  it('aborting in flight → KamiAbortError', async () => {
    const controller = new AbortController();
    const pending = failure(
      transport({
        method: 'POST',
        url: `${base}/slow`,
        headers: {},
        body: 'x',
        timeoutMs: 5000,
        signal: controller.signal,
      }),
    );
    setTimeout(() => controller.abort(new Error('user')), 50);
    const error = await pending;
    expect(KamiAbortError.isInstance(error)).toBe(true);
    expect((error as KamiAbortError).code).toBe('ABORTED');
  });

  it('an already-aborted signal → KamiAbortError without sending', async () => {
    const before = received.length;
    const error = await failure(
      transport({
        method: 'POST',
        url: `${base}/ok`,
        headers: {},
        body: 'x',
        timeoutMs: 2000,
        signal: AbortSignal.abort(),
      }),
    );
    expect(KamiAbortError.isInstance(error)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(received.length).toBe(before);
  });

  it('a signal that never fires does not interfere, and its listener is removed', async () => {
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      return add(...args);
    }) as typeof signal.addEventListener;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed++;
      return remove(...args);
    }) as typeof signal.removeEventListener;
    const response = await transport({
      method: 'POST',
      url: `${base}/ok`,
      headers: {},
      body: '',
      timeoutMs: 2000,
      signal,
    });
    expect(response.status).toBe(200);
    expect(added).toBe(1);
    expect(removed).toBe(1);
  });
});

describe('createFetchTransport with an injected fetch', () => {
  it('uses the injected implementation', async () => {
    const transport = createFetchTransport(async (url, init) => ({
      status: 201,
      headers: new Headers({ 'X-A': '1' }),
      text: async () => `${init.method} ${url} ${init.body}`,
    }));
    const response = await transport({
      method: 'POST',
      url: 'http://x.test/p',
      headers: {},
      body: 'b',
      timeoutMs: 100,
    });
    expect(response).toEqual({ status: 201, headers: { 'x-a': '1' }, body: 'POST http://x.test/p b' });
  });

  it.each([
    'ECONNREFUSED',
    'ENOTFOUND',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'UND_ERR_CONNECT_TIMEOUT',
  ])('cause code %s → phase connect', async (code) => {
    const transport = createFetchTransport(async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });
    });
    const error = await failure(
      transport({ method: 'POST', url: 'http://x.test/', headers: {}, timeoutMs: 100 }),
    );
    expect(KamiConnectionError.isInstance(error)).toBe(true);
    expect((error as KamiConnectionError).phase).toBe('connect');
    expect((error as Error).message).toContain('连接错误');
  });

  it.each(['ECONNRESET', 'UND_ERR_SOCKET', undefined])('cause code %s → phase unknown', async (code) => {
    const transport = createFetchTransport(async () => {
      throw new TypeError(
        'fetch failed',
        code ? { cause: Object.assign(new Error(code), { code }) } : undefined,
      );
    });
    const error = await failure(
      transport({ method: 'POST', url: 'http://x.test/', headers: {}, timeoutMs: 100 }),
    );
    expect(KamiConnectionError.isInstance(error)).toBe(true);
    expect((error as KamiConnectionError).phase).toBe('unknown');
  });
});
