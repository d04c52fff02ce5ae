// The checks every T3 endpoint shares: app switch, endpoint switch, timestamp, signature.
// (Field-length caps and the decode counts are in t3-edge.test.ts.)
import { buildSignText, computeSignature, encodeForm, T3_MESSAGES } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing';
import { type TestDatabase, testDatabase } from './db';
import { appNamed, md5, postT3, t3 } from './helpers';

let server: TestServer;
let store: TestDatabase;

beforeAll(async () => {
  store = await testDatabase();
  server = await startTestServer({
    db: store.db,
    settings: { notice: '公告' },
    apps: [
      { name: 'off', settings: { enabled: false } },
      { name: 'no-notice', settings: { endpoints: { notice: false, login: false } } },
      { name: 'no-timestamp', settings: { timestampCheck: { enabled: false } } },
      { name: 'no-signature', settings: { signatureCheck: 'off', notice: 'unsigned' } },
      {
        name: 'nothing',
        settings: { signatureCheck: 'off', timestampCheck: { enabled: false }, notice: 'open' },
      },
      { name: 'narrow-window', settings: { timestampCheck: { enabled: true, windowSeconds: 5 } } },
    ],
  });
});

afterAll(async () => {
  await server?.close();
  await store?.drop();
});

const err = (msg: string) => ({ code: '201', msg });

describe('switches', () => {
  it('程序未开启 for every endpoint of a disabled app, before any other check', async () => {
    const app = appNamed(server, 'off');
    for (const route of [
      'login',
      'heartbeat',
      'query',
      'unbind',
      'notice',
      'version',
      'check_update',
    ] as const) {
      const res = await t3(server, app, route, [], { t: null, sign: false });
      expect(res.body, route).toEqual(err(T3_MESSAGES.APP_DISABLED));
    }
  });

  it('接口未开启 for a disabled endpoint; the others still work', async () => {
    const app = appNamed(server, 'no-notice');
    expect((await t3(server, app, 'notice', [])).body).toEqual(err(T3_MESSAGES.ENDPOINT_DISABLED));
    expect((await t3(server, app, 'login', [['kami', 'x']])).body).toEqual(
      err(T3_MESSAGES.ENDPOINT_DISABLED),
    );
    expect((await t3(server, app, 'version', [])).body.code).toBe('200');
  });
});

describe('timestamp', () => {
  const app = () => server.app.record;

  it('时间戳参数不可为空 without t', async () => {
    expect((await t3(server, app(), 'notice', [], { t: null })).body).toEqual(
      err(T3_MESSAGES.TIMESTAMP_REQUIRED),
    );
    expect((await t3(server, app(), 'notice', [], { t: '' })).body).toEqual(
      err(T3_MESSAGES.TIMESTAMP_REQUIRED),
    );
  });

  it('验证数据已失效,请重试 outside the window, either side, or for a non-number', async () => {
    const now = Math.floor(server.clock.now() / 1000);
    for (const t of [now - 61, now + 61, now - 86_400, 'abc', '1e9', '-5']) {
      expect((await t3(server, app(), 'notice', [], { t })).body, String(t)).toEqual(
        err(T3_MESSAGES.TIMESTAMP_INVALID),
      );
    }
  });

  it('accepts the window edges (default 60 s)', async () => {
    const now = Math.floor(server.clock.now() / 1000);
    for (const t of [now - 59, now + 59, now]) {
      expect((await t3(server, app(), 'notice', [], { t })).body, String(t)).toEqual({
        code: '200',
        msg: '公告',
      });
    }
  });

  it('follows the server clock: a request signed a minute ago goes stale', async () => {
    const t = Math.floor(server.clock.now() / 1000);
    server.clock.advance({ seconds: 61 });
    expect((await t3(server, app(), 'notice', [], { t })).body).toEqual(err(T3_MESSAGES.TIMESTAMP_INVALID));
  });

  it('a configured window applies', async () => {
    const narrow = appNamed(server, 'narrow-window');
    const now = Math.floor(server.clock.now() / 1000);
    expect((await t3(server, narrow, 'version', [], { t: now - 6 })).body).toEqual(
      err(T3_MESSAGES.TIMESTAMP_INVALID),
    );
    expect((await t3(server, narrow, 'version', [], { t: now - 4 })).body.code).toBe('200');
  });

  it('timestampCheck off: t is not required', async () => {
    const res = await t3(server, appNamed(server, 'no-timestamp'), 'version', [], { t: null });
    expect(res.body.code).toBe('200');
  });
});

describe('signature', () => {
  const app = () => server.app.record;

  it('签名参数不可为空 without s', async () => {
    expect((await t3(server, app(), 'notice', [], { sign: false })).body).toEqual(
      err(T3_MESSAGES.SIGNATURE_REQUIRED),
    );
    expect((await t3(server, app(), 'notice', [], { sign: '' })).body).toEqual(
      err(T3_MESSAGES.SIGNATURE_REQUIRED),
    );
  });

  it('签名有误 for a wrong s, a tampered value, reordered fields or another APPKEY', async () => {
    expect((await t3(server, app(), 'notice', [], { sign: 'f'.repeat(32) })).body).toEqual(
      err(T3_MESSAGES.SIGNATURE_INVALID),
    );
    // Sign one order, send another: the signature covers the order sent.
    const t = String(Math.floor(server.clock.now() / 1000));
    const signed: Array<[string, string]> = [
      ['kami', 'A'],
      ['safe_code', 'B'],
      ['t', t],
    ];
    const s = computeSignature(md5, buildSignText(signed, app().appKey));
    const send = (fields: Array<[string, string]>) =>
      postT3(server, app(), 'query', encodeForm([...fields, ['s', s]])).then((r) => r.body);
    expect(await send(signed)).toEqual(err(T3_MESSAGES.CARD_NOT_FOUND));
    expect(await send([signed[1]!, signed[0]!, signed[2]!])).toEqual(err(T3_MESSAGES.SIGNATURE_INVALID));
    expect(await send([['kami', 'C'], signed[1]!, signed[2]!])).toEqual(err(T3_MESSAGES.SIGNATURE_INVALID));
    const foreign = await t3(server, { ...app(), appKey: 'another-app-key' }, 'notice', []);
    expect(foreign.body).toEqual(err(T3_MESSAGES.SIGNATURE_INVALID));
  });

  it('accepts an uppercase s (clients differ)', async () => {
    const signed = await t3(server, app(), 'notice', [], { sign: false });
    expect(signed.body.msg).toBe(T3_MESSAGES.SIGNATURE_REQUIRED);
    const t = Math.floor(server.clock.now() / 1000);
    const s = md5(`t=${t}&${app().appKey}`).toUpperCase();
    const res = await fetch(`${server.url}/${app().routes.notice}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `t=${t}&s=${s}`,
    });
    expect(await res.json()).toEqual({ code: '200', msg: '公告' });
  });

  it('signatureCheck off: no s needed, a wrong one ignored', async () => {
    const unsigned = appNamed(server, 'no-signature');
    expect((await t3(server, unsigned, 'notice', [], { sign: false })).body).toEqual({
      code: '200',
      msg: 'unsigned',
    });
    expect((await t3(server, unsigned, 'notice', [], { sign: 'nonsense' })).body.code).toBe('200');
  });

  it('both off: a bare POST works', async () => {
    const open = appNamed(server, 'nothing');
    const res = await fetch(`${server.url}/${open.routes.notice}`, { method: 'POST' });
    expect(await res.json()).toEqual({ code: '200', msg: 'open' });
  });

  it('a missing t comes first; its value is read only once the signature holds', async () => {
    expect((await t3(server, app(), 'notice', [], { t: null, sign: false })).body).toEqual(
      err(T3_MESSAGES.TIMESTAMP_REQUIRED),
    );
    // t is decoded only after the signature over it was verified (it may be RSA-encoded).
    expect((await t3(server, app(), 'notice', [], { t: 1, sign: false })).body).toEqual(
      err(T3_MESSAGES.SIGNATURE_REQUIRED),
    );
    expect((await t3(server, app(), 'notice', [], { t: 1, sign: 'f'.repeat(32) })).body).toEqual(
      err(T3_MESSAGES.SIGNATURE_INVALID),
    );
    expect((await t3(server, app(), 'notice', [], { t: 1 })).body).toEqual(
      err(T3_MESSAGES.TIMESTAMP_INVALID),
    );
  });
});
