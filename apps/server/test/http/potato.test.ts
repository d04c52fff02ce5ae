// The potatocloud family: envelope, card objects, auth headers, three body encodings, validation.
import { computePotatoSign, POTATO_MESSAGES } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing';
import { type TestDatabase, testDatabase } from './db';
import { appNamed, clientFor, md5, potato, potatoAuth } from './helpers';

let server: TestServer;
let store: TestDatabase;
let auth: Record<string, string>;

const SECRET = 'sign-secret-123';

beforeAll(async () => {
  store = await testDatabase();
  server = await startTestServer({
    db: store.db,
    apps: [
      {
        name: 'no-api-cards',
        settings: { apiCardCreation: false },
        potatoUsers: [{ userNumber: 'u2', passWord: 'p2' }],
      },
      {
        name: 'signed',
        settings: { potatoSign: true, potatoSignSecret: SECRET },
        potatoUsers: [{ userNumber: 'u3', passWord: 'p3' }],
      },
    ],
  });
  auth = await potatoAuth(server);
});

afterAll(async () => {
  await server?.close();
  await store?.drop();
});

const CARD_FIELDS = [
  'id',
  'createdDate',
  'modifiedDate',
  'status',
  'ip',
  'appId',
  'cardStr',
  'exportState',
  'state',
  'type',
];
const fail = (code: string, message: string) => ({
  code,
  message,
  status: false,
  data: null,
  pc: null,
  time: null,
  sign: null,
});

describe('/api/login', () => {
  it('returns the envelope with apiUserToken and expireTime', async () => {
    const res = await potato(server, 'login', server.potatoUser, { askKey: server.app.askKey });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body)).toEqual(['code', 'message', 'status', 'data', 'pc', 'time', 'sign']);
    expect(res.body).toMatchObject({
      code: '200',
      message: '',
      status: true,
      pc: null,
      time: null,
      sign: null,
    });
    expect(typeof res.body.data.apiUserToken).toBe('string');
    expect(res.body.data.apiUserToken.length).toBeGreaterThanOrEqual(16);
    expect(typeof res.body.data.expireTime).toBe('number');
  });

  it('403 for a wrong password or an unknown askKey; 500 for missing fields', async () => {
    const wrong = await potato(
      server,
      'login',
      { userNumber: 'tester', passWord: 'nope' },
      { askKey: server.app.askKey },
    );
    expect(wrong.body).toEqual(fail('403', POTATO_MESSAGES.LOGIN_FAILED));
    const foreign = await potato(server, 'login', server.potatoUser, { askKey: 'unknown' });
    expect(foreign.body).toEqual(fail('403', POTATO_MESSAGES.ASK_KEY_INVALID));
    const none = await potato(server, 'login', server.potatoUser);
    expect(none.body).toEqual(fail('403', POTATO_MESSAGES.ASK_KEY_INVALID));
    const missing = await potato(server, 'login', { userNumber: 'tester' }, { askKey: server.app.askKey });
    expect(missing.body).toEqual(fail('500', POTATO_MESSAGES.BAD_REQUEST));
    const wrongType = await potato(
      server,
      'login',
      { userNumber: 1, passWord: ['x'] },
      { askKey: server.app.askKey },
    );
    expect(wrongType.body).toEqual(fail('500', POTATO_MESSAGES.BAD_REQUEST));
  });

  it("a user of another app cannot log in with this app's askKey", async () => {
    const res = await potato(
      server,
      'login',
      { userNumber: 'u2', passWord: 'p2' },
      { askKey: server.app.askKey },
    );
    expect(res.body.code).toBe('403');
  });
});

describe('/api/createCardMy', () => {
  it("creates cards shaped like the seed's example", async () => {
    const res = await potato(server, 'createCardMy', { type: 1, total: 10 }, auth);
    expect(res.body).toMatchObject({
      code: '200',
      message: '',
      status: true,
      pc: null,
      time: null,
      sign: null,
    });
    const cards = res.body.data as Array<Record<string, unknown>>;
    expect(cards).toHaveLength(10);
    for (const card of cards) {
      expect(Object.keys(card)).toEqual(CARD_FIELDS);
      expect(card.id).toMatch(/^\d+$/);
      expect(card.appId).toMatch(/^\d+$/);
      expect(card.cardStr).toMatch(/^[0-9A-F]{32}$/);
      expect(card.createdDate).toBe(server.clock.now());
      expect(card.modifiedDate).toBe(server.clock.now());
      expect(card).toMatchObject({ status: 1, ip: '127.0.0.1', type: 1 });
    }
    expect(new Set(cards.map((c) => c.cardStr)).size).toBe(10);
    expect(new Set(cards.map((c) => c.id)).size).toBe(10);
    // A created card logs in through the T3 family.
    const login = await clientFor(server).login(String(cards[0]!.cardStr), 'POTATO-DEVICE');
    expect(login.amount).toBe('7天');
  });

  it('accepts urlencoded and multipart bodies with numeric strings', async () => {
    const form = await potato(
      server,
      'createCardMy',
      'type=2&total=2',
      auth,
      'application/x-www-form-urlencoded',
    );
    expect(form.body.code).toBe('200');
    expect(form.body.data).toHaveLength(2);
    expect(form.body.data[0].type).toBe(2);

    const boundary = '----kamiBoundary7MA4YWxkTrZu0gW';
    const multipart = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="type"',
      '',
      '5',
      `--${boundary}`,
      'Content-Disposition: form-data; name="total"',
      '',
      '3',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const mp = await potato(
      server,
      'createCardMy',
      multipart,
      auth,
      `multipart/form-data; boundary=${boundary}`,
    );
    expect(mp.body.code).toBe('200');
    expect(mp.body.data).toHaveLength(3);
    expect(mp.body.data[0].type).toBe(5);

    const json = await potato(server, 'createCardMy', { type: '0', total: '1' }, auth);
    expect(json.body.data).toHaveLength(1);
  });

  it('also accepts multipart built by fetch (FormData)', async () => {
    const fd = new FormData();
    fd.append('type', '3');
    fd.append('total', '1');
    const res = await fetch(`${server.url}/api/createCardMy`, { method: 'POST', headers: auth, body: fd });
    const body = (await res.json()) as { code: string; data: Array<{ type: number }> };
    expect(body.code).toBe('200');
    expect(body.data[0]!.type).toBe(3);
  });

  it('validates type 0–5 and total 1–10 (500 with the message)', async () => {
    for (const type of [-1, 6, 1.5, 'x', null, true, [1]]) {
      const res = await potato(server, 'createCardMy', { type, total: 1 }, auth);
      expect(res.body, JSON.stringify(type)).toEqual(fail('500', POTATO_MESSAGES.INVALID_TYPE));
    }
    for (const total of [0, 11, 2.5, '', 'ten', {}]) {
      const res = await potato(server, 'createCardMy', { type: 1, total }, auth);
      expect(res.body, JSON.stringify(total)).toEqual(fail('500', POTATO_MESSAGES.INVALID_TOTAL));
    }
    expect((await potato(server, 'createCardMy', { total: 1 }, auth)).body.message).toBe(
      POTATO_MESSAGES.INVALID_TYPE,
    );
    expect((await potato(server, 'createCardMy', '[1,2]', auth)).body).toEqual(
      fail('500', POTATO_MESSAGES.BAD_REQUEST),
    );
    expect((await potato(server, 'createCardMy', '{"type":', auth)).body).toEqual(
      fail('500', POTATO_MESSAGES.BAD_REQUEST),
    );
  });

  it('403 without a valid user token, or with an expired one', async () => {
    const none = await potato(server, 'createCardMy', { type: 1, total: 1 }, { askKey: server.app.askKey });
    expect(none.body).toEqual(fail('403', POTATO_MESSAGES.USER_TOKEN_INVALID));
    const bad = await potato(
      server,
      'createCardMy',
      { type: 1, total: 1 },
      { askKey: server.app.askKey, apiUserToken: 'forged' },
    );
    expect(bad.body).toEqual(fail('403', POTATO_MESSAGES.USER_TOKEN_INVALID));
    const fresh = await potatoAuth(server);
    server.clock.advance({ hours: 2, seconds: 1 });
    const expired = await potato(server, 'createCardMy', { type: 1, total: 1 }, fresh);
    expect(expired.body).toEqual(fail('403', POTATO_MESSAGES.USER_TOKEN_INVALID));
    auth = await potatoAuth(server);
  });

  it("a token only works with its own app's askKey", async () => {
    const other = appNamed(server, 'no-api-cards');
    const res = await potato(
      server,
      'createCardMy',
      { type: 1, total: 1 },
      { askKey: other.askKey, apiUserToken: auth.apiUserToken! },
    );
    expect(res.body).toEqual(fail('403', POTATO_MESSAGES.USER_TOKEN_INVALID));
  });

  it('403 未开启API生成卡密 when the app switch is off', async () => {
    const app = appNamed(server, 'no-api-cards');
    const login = await potato(server, 'login', { userNumber: 'u2', passWord: 'p2' }, { askKey: app.askKey });
    const res = await potato(
      server,
      'createCardMy',
      { type: 1, total: 1 },
      { askKey: app.askKey, apiUserToken: login.body.data.apiUserToken },
    );
    expect(res.body).toEqual(fail('403', POTATO_MESSAGES.PERMISSION_DENIED));
  });

  it('the SDK creates and lists cards', async () => {
    const client = clientFor(server);
    const cards = await client.createCardMy({ type: 4, total: 2 });
    expect(cards.map((c) => c.type)).toEqual([4, 4]);
    const list = await client.getCardMyList({ cardStr: cards[0]!.cardStr });
    expect(list.cards.map((c) => c.cardStr)).toEqual([cards[0]!.cardStr]);
  });
});

describe('potato signature (app setting)', () => {
  const app = () => appNamed(server, 'signed');
  const signed = (time: number | string, sign?: string) => ({
    askKey: app().askKey,
    time: String(time),
    sign: sign ?? computePotatoSign(md5, SECRET, time),
  });

  it('accepts md5(secret + time) within the window', async () => {
    const res = await potato(
      server,
      'login',
      { userNumber: 'u3', passWord: 'p3' },
      signed(server.clock.now()),
    );
    expect(res.body.code).toBe('200');
    const token = res.body.data.apiUserToken as string;
    const cards = await potato(
      server,
      'createCardMy',
      { type: 0, total: 1 },
      { ...signed(server.clock.now()), apiUserToken: token },
    );
    expect(cards.body.code).toBe('200');
  });

  it('签名参数不可为空 / 签名有误 / 时间戳已失效', async () => {
    const body = { userNumber: 'u3', passWord: 'p3' };
    expect((await potato(server, 'login', body, { askKey: app().askKey })).body).toEqual(
      fail('403', POTATO_MESSAGES.SIGNATURE_REQUIRED),
    );
    expect((await potato(server, 'login', body, signed(server.clock.now(), 'a'.repeat(32)))).body).toEqual(
      fail('403', POTATO_MESSAGES.SIGNATURE_INVALID),
    );
    expect((await potato(server, 'login', body, signed(server.clock.now() - 301_000))).body).toEqual(
      fail('403', POTATO_MESSAGES.TIMESTAMP_INVALID),
    );
    expect((await potato(server, 'login', body, signed('soon'))).body).toEqual(
      fail('403', POTATO_MESSAGES.TIMESTAMP_INVALID),
    );
  });

  it('the SDK signs when given the secret', async () => {
    const client = clientFor(server, app(), {
      potato: { askKey: app().askKey, userNumber: 'u3', passWord: 'p3', signSecret: SECRET },
    });
    await expect(client.createCardMy({ type: 1, total: 1 })).resolves.toHaveLength(1);
  });
});

describe('/api/getCardMyList', () => {
  it('pages with {list, total, p, s} and filters by cardStr, type, state', async () => {
    const first = await potato(server, 'getCardMyList', { p: 1, s: 5 }, auth);
    expect(first.body.code).toBe('200');
    expect(Object.keys(first.body.data)).toEqual(['list', 'total', 'p', 's']);
    expect(first.body.data.list).toHaveLength(5);
    expect(first.body.data).toMatchObject({ p: 1, s: 5 });
    const total = first.body.data.total as number;
    expect(total).toBeGreaterThanOrEqual(15);
    for (const card of first.body.data.list) expect(Object.keys(card)).toEqual(CARD_FIELDS);

    const last = await potato(server, 'getCardMyList', { p: Math.ceil(total / 5), s: 5 }, auth);
    expect(last.body.data.list.length).toBe(total % 5 === 0 ? 5 : total % 5);
    const beyond = await potato(server, 'getCardMyList', { p: 1000, s: 5 }, auth);
    expect(beyond.body.data).toMatchObject({ list: [], total });

    const one = first.body.data.list[0];
    const byStr = await potato(server, 'getCardMyList', { cardStr: one.cardStr }, auth);
    expect(byStr.body.data.list.map((c: { cardStr: string }) => c.cardStr)).toEqual([one.cardStr]);
    const byType = await potato(server, 'getCardMyList', { type: 5, s: 100 }, auth);
    expect(byType.body.data.list.length).toBeGreaterThan(0);
    expect(byType.body.data.list.every((c: { type: number }) => c.type === 5)).toBe(true);
    const byState = await potato(
      server,
      'getCardMyList',
      'state=1&s=3',
      auth,
      'application/x-www-form-urlencoded',
    );
    expect(byState.body.code).toBe('200');
    const defaults = await potato(server, 'getCardMyList', {}, auth);
    expect(defaults.body.data).toMatchObject({ p: 1, s: 10 });
  });

  it('500 请求参数有误 for bad paging or filters', async () => {
    for (const body of [
      { p: 0 },
      { s: 0 },
      { s: 101 },
      { p: 'x' },
      { type: 9 },
      { cardStr: 5 },
      { state: 'on' },
    ]) {
      expect((await potato(server, 'getCardMyList', body, auth)).body, JSON.stringify(body)).toEqual(
        fail('500', POTATO_MESSAGES.BAD_REQUEST),
      );
    }
  });

  it('only lists the caller app’s cards', async () => {
    const app = appNamed(server, 'signed');
    const mine = await potato(server, 'getCardMyList', { s: 100 }, auth);
    const ids = new Set(mine.body.data.list.map((c: { appId: string }) => c.appId));
    expect(ids.size).toBe(1);
    expect(ids.has(app.id)).toBe(false);
  });
});

describe('routing', () => {
  it('unknown /api endpoints: 404 in the envelope', async () => {
    const res = await potato(server, 'deleteEverything', {}, auth);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('404');
    expect(res.body.status).toBe(false);
  });
});
