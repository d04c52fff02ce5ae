// The transport edge of the T3 lane (served from node:http ahead of Express) and of the Express
// routes: streamed bodies over the limit, clients that vanish mid-body, URL shapes, keep-alive.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing';
import { t3 } from './helpers';

let server: TestServer;
const logs: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  server = await startTestServer({
    logger: (line) => logs.push(line as Record<string, unknown>),
    server: { bodyLimit: 1024, throttle: false },
  });
});

afterAll(async () => {
  await server?.close();
});

/** Writes raw HTTP/1.1 bytes on one socket and collects everything the server sends back. */
function rawExchange(chunks: string[], opts: { endAfterMs?: number; destroyAfter?: boolean } = {}) {
  const url = new URL(server.url);
  return new Promise<string>((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      out += d;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
    socket.on('connect', () => {
      for (const c of chunks) socket.write(c);
      if (opts.destroyAfter) setTimeout(() => socket.destroy(), 50);
      else setTimeout(() => socket.end(), opts.endAfterMs ?? 300);
    });
  });
}

const loginPath = () => `/${server.app.routes.login}`;

describe('T3 transport', () => {
  it('a chunked body over the limit is a 413 (no Content-Length to refuse it early)', async () => {
    const head = `POST ${loginPath()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const piece = `kami=${'A'.repeat(600)}`;
    const chunk = `${piece.length.toString(16)}\r\n${piece}\r\n`;
    const out = await rawExchange([head, chunk, chunk, chunk, '0\r\n\r\n']);
    expect(out).toMatch(/^HTTP\/1\.1 413 /);
    expect(out).toMatch(/connection: close/i);
    expect(out).toContain('"code":413');
    // …and the server still answers.
    expect((await t3(server, server.app.record, 'notice', [])).body.code).toBe('200');
  });

  it('a client that disappears mid-body leaves no error behind and the server keeps serving', async () => {
    const before = logs.length;
    const head = `POST ${loginPath()} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 500\r\n\r\nkami=ABC`;
    const out = await rawExchange([head], { destroyAfter: true });
    expect(out).toBe('');
    await new Promise((r) => setTimeout(r, 50));
    expect(logs.slice(before).filter((l) => l.level === 'error')).toEqual([]);
    expect((await t3(server, server.app.record, 'notice', [])).body.code).toBe('200');
  });

  it('two requests on one keep-alive connection, the first refused before its body was read', async () => {
    const body = 'x=1';
    const req = (path: string) =>
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    // An unknown 调用码 (404 before the body is read), then a real endpoint on the same socket.
    const out = await rawExchange([req('/FFFFFFFFFFFFFFFF'), req(`/${server.app.routes.notice}`)]);
    const statuses = [...out.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    expect(statuses).toEqual(['404', '200']);
  });

  it('accepts a lower-cased 调用码, a trailing slash and a query string; other shapes are 404, other methods 405', async () => {
    const notice = server.app.routes.notice;
    // Unsigned, so the app's checks refuse it: the same business answer whatever the URL shape.
    const canonical = await (await fetch(`${server.url}/${notice}`, { method: 'POST' })).json();
    expect(canonical).toMatchObject({ code: '201' });
    for (const path of [`/${notice.toLowerCase()}`, `/${notice}/`, `/${notice}?from=test`]) {
      const res = await fetch(`${server.url}${path}`, { method: 'POST' });
      expect(res.status, path).toBe(200);
      expect(await res.json(), path).toEqual(canonical);
    }
    for (const path of [`/${notice}0`, `/x/${notice}`, `/${notice.slice(1)}`]) {
      const res = await fetch(`${server.url}${path}`, { method: 'POST' });
      expect(res.status, path).toBe(404);
      expect(await res.json(), path).toMatchObject({ code: 404 });
    }
    // GET on a real 调用码 is not a T3 call: the path is known, the method is not.
    const get = await fetch(`${server.url}/${notice}`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('T3 answers carry nosniff and are logged with their route, never the 调用码', async () => {
    const before = logs.length;
    const res = await t3(server, server.app.record, 'notice', []);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    await new Promise((r) => setTimeout(r, 20));
    const line = logs.slice(before).find((l) => l.route === 't3.notice');
    expect(line).toMatchObject({ method: 'POST', status: 200, app: server.app.record.name });
    expect(JSON.stringify(line)).not.toContain(server.app.routes.notice);
  });
});
