// Operations: hostile input, body limit, throttling, CORS, health, OpenAPI, docs, request logs.

import { request as httpRequest } from 'node:http';
import { POTATO_MESSAGES, T3_MESSAGES } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPaths } from '../../src/openapi/admin';
import { startTestServer, type TestServer } from '../../src/testing';
import { type TestDatabase, testDatabase } from './db';
import { clientFor, postT3, potato, potatoAuth, t3 } from './helpers';

let server: TestServer;
let store: TestDatabase;
const logs: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  store = await testDatabase();
  server = await startTestServer({
    db: store.db,
    logger: (line) => logs.push(line as Record<string, unknown>),
    server: {
      cors: { origins: ['https://app.example.com'] },
      // Robustness tests below send many failing requests; the throttle has its own file.
      throttle: { maxFailures: 1000, windowSeconds: 60 },
      bodyLimit: 4096,
    },
  });
});

afterAll(async () => {
  await server?.close();
  await store?.drop();
});

const loginUrl = () => `${server.url}/${server.app.routes.login}`;

/** Raw bytes over node:http (fetch would re-encode some of them). */
function rawPost(
  path: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, server.url);
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { ...headers, 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('hostile and malformed input never yields a 500', () => {
  it('invalid UTF-8: 400 with a JSON error (T3 and potato)', async () => {
    const bad = Buffer.from([0x6b, 0x61, 0x6d, 0x69, 0x3d, 0xff, 0xfe, 0xc3]);
    const r = await rawPost(`/${server.app.routes.login}`, bad, FORM);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toMatchObject({ code: 400 });
    const p = await rawPost('/api/login', bad, {
      'content-type': 'application/json',
      askKey: server.app.askKey,
    });
    expect(p.status).toBe(400);
    expect(JSON.parse(p.text)).toMatchObject({ code: '400', status: false });
  });

  it('malformed percent-encoding: 400', async () => {
    const r = await postT3(server, server.app.record, 'login', 'kami=%E4%B8&imei=%zz');
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ code: 400, msg: T3_MESSAGES.BAD_REQUEST });
  });

  it('percent-encoded invalid UTF-8 (%FF): 400', async () => {
    const r = await postT3(server, server.app.record, 'login', 'kami=%FF');
    expect(r.status).toBe(400);
  });

  it('wrong content types: 415 (T3: JSON, text; potato: text/xml)', async () => {
    const json = await fetch(loginUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"kami":"x"}',
    });
    expect(json.status).toBe(415);
    expect(await json.json()).toMatchObject({ code: 415 });
    const none = await rawPost(`/${server.app.routes.login}`, Buffer.from('kami=x'), {});
    expect(none.status).toBe(415);
    const xml = await potato(server, 'login', '<a/>', { askKey: server.app.askKey }, 'text/xml');
    expect(xml.status).toBe(415);
    expect(xml.body.status).toBe(false);
  });

  it('accepts a charset parameter on the form content type', async () => {
    const res = await t3(server, server.app.record, 'notice', [], {
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' },
    });
    expect(res.body.code).toBe('200');
  });

  it('bodies over the limit: 413 with a JSON error', async () => {
    const big = `kami=${'A'.repeat(5000)}`;
    const t3res = await fetch(loginUrl(), { method: 'POST', headers: FORM, body: big });
    expect(t3res.status).toBe(413);
    expect(await t3res.json()).toMatchObject({ code: 413 });
    const p = await potato(
      server,
      'createCardMy',
      { type: 1, total: 1, pad: 'x'.repeat(5000) },
      { askKey: server.app.askKey },
    );
    expect(p.status).toBe(413);
    expect(p.body).toMatchObject({ code: '413', status: false, data: null });
  });

  it('compressed bodies are refused (415), not inflated', async () => {
    const r = await rawPost(`/${server.app.routes.login}`, Buffer.from('not really gzip'), {
      ...FORM,
      'content-encoding': 'gzip',
    });
    expect(r.status).toBe(415);
  });

  it('SQL-looking values and values within the field caps are just data', async () => {
    const auth = await potatoAuth(server);
    for (const cardStr of [
      "' OR 1=1 --",
      "'; DROP TABLE cards; --",
      '%',
      '_',
      '\\',
      '卡密',
      'a'.repeat(64),
    ]) {
      const list = await potato(server, 'getCardMyList', { cardStr }, auth);
      expect(list.body, cardStr).toMatchObject({ code: '200', data: { list: [], total: 0 } });
      // query, not login: failed logins would feed the throttle tested below.
      const query = await t3(server, server.app.record, 'query', [['kami', cardStr]]);
      expect(query.body.msg, cardStr).toBe(T3_MESSAGES.CARD_NOT_FOUND);
    }
    // Over the T3 field cap (64 bytes for kami) the request is refused before decoding; the
    // potato list filter has no such cap.
    const long = 'a'.repeat(3000);
    expect((await potato(server, 'getCardMyList', { cardStr: long }, auth)).body).toMatchObject({
      code: '200',
    });
    const query = await t3(server, server.app.record, 'query', [['kami', long]]);
    expect(query.body).toEqual({ code: '201', msg: T3_MESSAGES.BAD_REQUEST });
  });

  it('NUL characters: 请求参数有误 (T3) / 500 in the envelope (potato), never a database error', async () => {
    const auth = await potatoAuth(server);
    const list = await potato(server, 'getCardMyList', { cardStr: 'AB\u0000CD' }, auth);
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ code: '500', message: POTATO_MESSAGES.BAD_REQUEST });
    const query = await t3(server, server.app.record, 'query', [['kami', 'AB\u0000CD']]);
    expect(query.body).toEqual({ code: '201', msg: T3_MESSAGES.BAD_REQUEST });
  });

  it('wrong JSON types for potato fields: 500 请求参数有误 in the envelope, HTTP 200', async () => {
    const res = await potato(
      server,
      'login',
      { userNumber: { $ne: '' }, passWord: { $ne: '' } },
      { askKey: server.app.askKey },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ code: '500', message: POTATO_MESSAGES.BAD_REQUEST });
    const nullBody = await potato(server, 'login', 'null', { askKey: server.app.askKey });
    expect(nullBody.body.code).toBe('500');
  });

  it('duplicate fields: the first value counts, all are signed', async () => {
    const card = await server.mintCard();
    const res = await t3(server, server.app.record, 'login', [
      ['kami', card],
      ['imei', 'FIRST'],
      ['imei', 'SECOND'],
    ]);
    expect(res.body.imei).toBe('FIRST');
  });

  it('a UTF-8 BOM before a JSON body is tolerated (some Windows clients send one)', async () => {
    const body = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(JSON.stringify(server.potatoUser)),
    ]);
    const r = await rawPost('/api/login', body, {
      'content-type': 'application/json',
      askKey: server.app.askKey,
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ code: '200' });
  });

  it('malformed multipart: 400', async () => {
    const auth = await potatoAuth(server);
    const res = await potato(server, 'createCardMy', 'garbage', auth, 'multipart/form-data; boundary=xyz');
    expect(res.status).toBe(400);
    const noBoundary = await potato(server, 'createCardMy', 'garbage', auth, 'multipart/form-data');
    expect(noBoundary.status).toBe(400);
    const file = [
      '--b',
      'Content-Disposition: form-data; name="type"; filename="a.txt"',
      '',
      '1',
      '--b--',
      '',
    ].join('\r\n');
    expect((await potato(server, 'createCardMy', file, auth, 'multipart/form-data; boundary=b')).status).toBe(
      400,
    );
  });

  it('unknown paths: 404 JSON; known paths with another method: 405 with Allow', async () => {
    for (const [method, path, status, allow] of [
      ['GET', `/${server.app.routes.login}`, 405, 'POST'],
      ['POST', '/not-a-code', 404, null],
      ['POST', '/0123456789abcdef', 404, null],
      ['GET', '/0123456789ABCDEF', 404, null],
      ['PUT', '/api/login', 405, 'POST'],
      ['GET', '/api/login', 405, 'POST'],
      ['GET', '/api/nope', 404, null],
      ['DELETE', '/healthz', 405, 'GET, HEAD'],
      ['POST', '/openapi.json', 405, 'GET, HEAD'],
    ] as const) {
      const res = await fetch(`${server.url}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.headers.get('allow'), `${method} ${path}`).toBe(allow);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const text = await res.text();
      expect(text).not.toMatch(/at .*\.(ts|js):\d+/);
    }
  });
});

describe('CORS', () => {
  it('answers the preflight of a configured origin, with the potato headers allowed', async () => {
    const res = await fetch(`${server.url}/api/createCardMy`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,askkey,apiusertoken',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('apiusertoken');
  });

  it('adds the header to actual requests from that origin, and to nobody else', async () => {
    const ok = await fetch(`${server.url}/${server.app.routes.notice}`, {
      method: 'POST',
      headers: { origin: 'https://app.example.com' },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(ok.headers.get('vary')).toContain('Origin');
    const other = await fetch(`${server.url}/${server.app.routes.notice}`, {
      method: 'POST',
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${server.url}/api/login`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('health, OpenAPI, docs', () => {
  it('GET /healthz', async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('GET /openapi.json is OpenAPI 3.1 listing every path and every message', async () => {
    const res = await fetch(`${server.url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/{callCode}',
        '/api/login',
        '/api/createCardMy',
        '/api/getCardMyList',
        '/healthz',
        '/openapi.json',
        '/docs',
        ...Object.keys(adminPaths()),
      ].sort(),
    );
    const text = JSON.stringify(doc);
    for (const msg of [...Object.values(T3_MESSAGES), ...Object.values(POTATO_MESSAGES)])
      expect(text).toContain(msg);
    // Every $ref resolves.
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g))
      expect(doc.components.schemas).toHaveProperty(name!);
  });

  it('GET /docs is a self-contained page (no external scripts)', async () => {
    const res = await fetch(`${server.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toContain('openapi.json');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/https?:\/\/(cdn|unpkg|fonts)/);
  });
});

describe('request log', () => {
  it('one JSON line per request, with route names and no secrets', async () => {
    const card = await server.mintCard();
    server.clock.advance({ minutes: 5 });
    const before = logs.length;
    const auth = await potatoAuth(server);
    await clientFor(server).login(card, 'LOGGED-DEVICE');
    await potato(server, 'createCardMy', { type: 1, total: 1 }, auth);
    await new Promise((r) => setTimeout(r, 50)); // 'finish' may trail the client's read
    const lines = logs.slice(before);
    expect(lines.map((l) => l.route)).toEqual(['potato.login', 't3.login', 'potato.createCardMy']);
    for (const line of lines) {
      expect(line).toMatchObject({ method: 'POST', status: 200, ip: '127.0.0.1' });
      expect(typeof line.ms).toBe('number');
    }
    expect(lines[1]!.card).toBe(`${card.slice(0, 4)}****${card.slice(-4)}`);
    const all = JSON.stringify(logs);
    for (const secret of [
      card,
      server.app.appKey,
      server.app.askKey,
      server.potatoUser.passWord,
      auth.apiUserToken!,
      server.app.routes.login,
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});
