import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  type FakeClock,
  startTestServer,
  type TestServer,
  type TestServerOptions,
} from '@kami-verify/server/testing';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createVerify, type NodeVerifyClient, type NodeVerifyOptions } from '../../src/index';

const cleanups: Array<() => unknown> = [];

/** Runs `fn` after the current test, most recent first. */
export function onCleanup(fn: () => unknown): void {
  cleanups.push(fn);
}

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/**
 * The test server's clock is frozen until moved. Heartbeat loops run on real timers, so the
 * tests that need statecodes to age let the server clock follow real time (plus a jump that
 * `shift` adds, e.g. a day to expire a card).
 */
export function followRealTime(
  clock: FakeClock,
  register: (stop: () => void) => void = onCleanup,
): { shift(ms: number): void } {
  let offset = clock.now() - Date.now();
  const tick = () => clock.set(Date.now() + offset);
  const timer = setInterval(tick, 5);
  timer.unref();
  register(() => clearInterval(timer));
  return {
    shift(ms) {
      offset += ms;
      tick();
    },
  };
}

/** A client for the test server, closed after the test. */
export function clientFor(
  server: Pick<TestServer, 'clientOptions'>,
  extra: Partial<NodeVerifyOptions> = {},
): NodeVerifyClient {
  const client = createVerify({ ...server.clientOptions, ...extra } as NodeVerifyOptions);
  onCleanup(() => client.close());
  return client;
}

export interface Proxy {
  url: string;
  close(): Promise<void>;
}

/**
 * A tiny HTTP proxy in front of `target` that may answer by itself (`intercept`) or rewrite
 * each response body.
 */
export async function startProxy(
  target: string,
  rewrite: (body: string, path: string) => string,
  intercept?: (path: string) => { status: number; body: string } | undefined,
): Promise<Proxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const own = intercept?.(req.url ?? '');
      if (own) {
        res.writeHead(own.status, { 'content-type': 'text/plain' });
        res.end(own.body);
        return;
      }
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (up) => {
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            const body = rewrite(Buffer.concat(parts).toString('utf8'), req.url ?? '');
            const headers = { ...up.headers, 'content-length': String(Buffer.byteLength(body)) };
            res.writeHead(up.statusCode ?? 502, headers);
            res.end(body);
          });
        },
      );
      forward.on('error', () => res.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  onCleanup(() => proxy.close());
  return proxy;
}

/** Flips one hex character of `value` (so it stays well-formed but wrong). */
export function flipHex(value: string, index = 0): string {
  const ch = value[index]!;
  const flipped = ch === '0' ? '1' : '0';
  return value.slice(0, index) + flipped + value.slice(index + 1);
}

export function waitFor<T>(subscribe: (resolve: (value: T) => void) => void, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    subscribe((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

/**
 * One reference server for every test of a file (starting one costs about a second), its clock
 * following real time. Tests that change app settings or the clock start their own.
 */
export function sharedTestServer(options: TestServerOptions = {}): () => TestServer {
  let server: TestServer | undefined;
  let stopClock: (() => void) | undefined;
  beforeAll(async () => {
    server = await startTestServer(options);
    followRealTime(server.clock, (stop) => {
      stopClock = stop;
    });
  });
  afterAll(async () => {
    stopClock?.();
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('the shared test server is not running');
    return server;
  };
}
