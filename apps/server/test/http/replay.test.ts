// replayProtection: the same signed bytes sent again within the timestamp window are refused
// with 验证数据已失效,请重试; without the setting they pass (T3 has no nonce). On PostgreSQL the
// signatures seen are shared by every server instance.
import { buildSignText, computeSignature, encodeForm, T3_MESSAGES } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRecord } from '../../src/domain/types';
import { SeenSignatures } from '../../src/store/seen-signatures';
import { startTestServer, type TestServer } from '../../src/testing';
import { freshPostgres, POSTGRES_ADMIN_URL, type TestDatabase, testDatabase } from './db';
import { appNamed, md5, postT3 } from './helpers';

let server: TestServer;
let store: TestDatabase;

beforeAll(async () => {
  store = await testDatabase();
  server = await startTestServer({
    db: store.db,
    settings: { replayProtection: true },
    apps: [{ name: 'open' }],
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await store?.drop();
});

/** One signed form body, fixed: sending it twice is a replay. */
function signedBody(s: TestServer, app: AppRecord, params: Array<[string, string]>): string {
  const fields: Array<[string, string]> = [...params, ['t', String(Math.floor(s.clock.now() / 1000))]];
  fields.push(['s', computeSignature(md5, buildSignText(fields, app.appKey))]);
  return encodeForm(fields);
}

describe('replayProtection', () => {
  it('refuses the same signed login a second time, and accepts a fresh one', async () => {
    const app = server.app.record;
    const card = await server.mintCard();
    const body = signedBody(server, app, [
      ['kami', card],
      ['imei', 'DEV'],
    ]);
    const first = await postT3(server, app, 'login', body);
    expect(first.body.code).toBe('200');
    const again = await postT3(server, app, 'login', body);
    expect(again.body).toMatchObject({ msg: T3_MESSAGES.TIMESTAMP_INVALID });
    server.clock.advance({ seconds: 1 }); // a new t, a new signature
    const fresh = await postT3(
      server,
      app,
      'login',
      signedBody(server, app, [
        ['kami', card],
        ['imei', 'DEV'],
      ]),
    );
    expect(fresh.body.code).toBe('200');
  });

  it('an unbind replayed is refused too', async () => {
    const app = server.app.record;
    const card = await server.mintCard({ imei: 'DEV' });
    const body = signedBody(server, app, [
      ['kami', card],
      ['imei', 'DEV'],
    ]);
    expect((await postT3(server, app, 'unbind', body)).body.code).toBe('200');
    expect((await postT3(server, app, 'unbind', body)).body).toMatchObject({
      msg: T3_MESSAGES.TIMESTAMP_INVALID,
    });
  });

  it('without the setting the same bytes pass again (the documented default)', async () => {
    const app = appNamed(server, 'open');
    const body = signedBody(server, app, []);
    expect((await postT3(server, app, 'notice', body)).status).toBe(200);
    const twice = await postT3(server, app, 'notice', body);
    expect(twice.body.code).toBe('200');
  });
});

describe('seen signatures in memory', () => {
  it('forget a signature once it expires, and stay within their bound', () => {
    const seen = new SeenSignatures(3);
    expect(seen.firstUse('a', 0, 100)).toBe(true);
    expect(seen.firstUse('a', 50, 150)).toBe(false);
    expect(seen.firstUse('a', 100, 200)).toBe(true); // expired at 100
    for (const k of ['b', 'c', 'd']) expect(seen.firstUse(k, 100, 200)).toBe(true);
    expect(seen.firstUse('a', 101, 201)).toBe(true); // evicted as the oldest beyond the bound of 3
  });
});

describe.skipIf(!POSTGRES_ADMIN_URL)('replayProtection on PostgreSQL', () => {
  it('a request accepted by one server instance is refused as a replay by another', {
    timeout: 60_000,
  }, async () => {
    const db = await freshPostgres(POSTGRES_ADMIN_URL!);
    const options = { db: db.db, settings: { replayProtection: true } };
    const a = await startTestServer(options);
    const b = await startTestServer(options);
    try {
      const body = signedBody(a, a.app.record, []);
      expect((await postT3(a, a.app.record, 'notice', body)).body.code).toBe('200');
      expect((await postT3(b, b.app.record, 'notice', body)).body).toMatchObject({
        msg: T3_MESSAGES.TIMESTAMP_INVALID,
      });
    } finally {
      await Promise.all([a.close(), b.close()]);
      await db.drop();
    }
  });
});
