// T3 login over HTTP: the seed's reply shape, every documented login error, per-app settings.
import {
  computeLoginToken,
  computeStatecode,
  formatBeijingMinute,
  KamiApiError,
  T3_MESSAGES,
} from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing';
import { type TestDatabase, testDatabase } from './db';
import { appNamed, clientFor, md5, randomImei, t3 } from './helpers';

let server: TestServer;
let store: TestDatabase;

const PRELOADED = 'BEEF'.repeat(8);

beforeAll(async () => {
  store = await testDatabase();
  server = await startTestServer({
    db: store.db,
    // Behind a (pretend) proxy: lets one test speak from several client IPs.
    server: { trustProxy: true },
    apps: [
      { name: 'no-machine-code', settings: { machineCodeCheck: false } },
      {
        name: 'forbid-empty',
        settings: { forbidEmptyDevice: true },
        cards: [{ cardStr: PRELOADED, card: { kind: 'time', type: 1 }, imei: 'BOUND-DEVICE' }],
      },
      { name: 'ip-exact', settings: { ipBinding: 'exact' } },
      { name: 'two-way', settings: { signatureCheck: 'two-way' } },
      { name: 'int-code', settings: { codeType: 'int' } },
      { name: 'custom-success', settings: { successCode: 1 } },
    ],
  });
});

afterAll(async () => {
  await server?.close();
  await store?.drop();
});

const SEED_FIELDS = [
  'code',
  'id',
  'end_time',
  'amount',
  'available',
  'token',
  'statecode',
  'safe_code',
  'time',
  'date',
  'imei',
  'change',
  'core',
];

describe('login success', () => {
  it('logs in through the SDK, which verifies token, statecode, clock and safe_code', async () => {
    const card = await server.mintCard({ type: 2 });
    const result = await clientFor(server).login(card, 'DEVICE_001');
    expect(result.amount).toBe('30天');
    expect(result.imei).toBe('DEVICE_001');
    expect(result.change).toBe(0);
    expect(result.available).toBeGreaterThan(30 * 86_400 - 5);
  });

  it("answers exactly the seed's fields in the seed's order, with the documented formulas", async () => {
    const card = await server.mintCard({ type: 2, core: '48656c6c6f' });
    const app = server.app.record;
    const res = await t3(server, app, 'login', [
      ['kami', card],
      ['imei', 'DEVICE_001'],
      ['safe_code', 'hello'],
    ]);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.raw.startsWith('{"code":"200","id":')).toBe(true);
    const b = res.body;
    expect(Object.keys(b)).toEqual(SEED_FIELDS);
    expect(b.code).toBe('200');
    expect(b.end_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(b.amount).toBe('30天');
    expect(b.safe_code).toBe('hello');
    const now = Math.floor(server.clock.now() / 1000);
    expect(b.time).toBe(now);
    expect(b.date).toBe(formatBeijingMinute(now));
    expect(b.imei).toBe('DEVICE_001');
    expect(b.change).toBe(0);
    expect(b.core).toBe('48656c6c6f');
    // The signature was checked (signatureCheck on), so the token hashes the sign text (loginToken auto).
    expect(b.token).toBe(
      computeLoginToken(md5, {
        id: b.id as number,
        appKey: app.appKey,
        endTime: String(b.end_time),
        date: String(b.date),
        signText: res.signText,
      }),
    );
    expect(b.statecode).toBe(computeStatecode(md5, String(b.token), b.time as number));
    expect(b.available).toBe(30 * 86_400);
  });

  it("echoes '' as safe_code when the request has none", async () => {
    const card = await server.mintCard();
    const res = await t3(server, server.app.record, 'login', [
      ['kami', card],
      ['imei', randomImei()],
    ]);
    expect(res.body.safe_code).toBe('');
    expect(res.body.amount).toBe('1天');
  });

  it('describes a permanent card and a count card', async () => {
    const client = clientFor(server);
    const permanent = await client.login(await server.mintCard({ type: 5 }), randomImei());
    expect(permanent.amount).toBe('永久卡');
    const count = await client.login(await server.mintCard({ uses: 3 }), 'COUNT-DEVICE');
    expect(count.amount).toContain('3');
    expect(count.available).toBe(2);
  });

  it('lets the bound device log in again', async () => {
    const card = await server.mintCard();
    const client = clientFor(server);
    await client.login(card, 'DEVICE_A');
    const again = await client.login(card, 'DEVICE_A');
    expect(again.imei).toBe('DEVICE_A');
  });

  it('a re-login changes nothing about the card: modifiedDate stays the activation time', async () => {
    const card = await server.mintCard({ type: 2 });
    const client = clientFor(server);
    await client.login(card, 'DEVICE_A');
    const activated = await server.getCard(card);
    expect(activated?.modifiedAt).toBe(server.clock.now());
    server.clock.advance({ seconds: 90 });
    const again = await client.login(card, 'DEVICE_A');
    expect(again.statecode).not.toBe('');
    const after = await server.getCard(card);
    expect(after).toEqual(activated);
    // A count card's use is a change.
    const counted = await server.mintCard({ uses: 3 });
    await client.login(counted, 'DEVICE_A');
    server.clock.advance({ seconds: 5 });
    await client.login(counted, 'DEVICE_A');
    expect((await server.getCard(counted))?.modifiedAt).toBe(server.clock.now());
  });
});

describe('login errors (HTTP 200, {code, msg})', () => {
  const expectError = async (params: Array<[string, string]>, msg: string, app = server.app.record) => {
    const res = await t3(server, app, 'login', params);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ code: app.settings.codeType === 'int' ? 201 : '201', msg });
  };

  it('卡密不可为空 without kami, or with an empty one', async () => {
    await expectError([['imei', 'X']], T3_MESSAGES.CARD_REQUIRED);
    await expectError(
      [
        ['kami', ''],
        ['imei', 'X'],
      ],
      T3_MESSAGES.CARD_REQUIRED,
    );
  });

  it('机器码不可为空 when the app checks machine codes', async () => {
    await expectError([['kami', await server.mintCard()]], T3_MESSAGES.DEVICE_REQUIRED);
  });

  it("机器码不合法,因为存在'号 for an imei with a quote", async () => {
    await expectError(
      [
        ['kami', await server.mintCard()],
        ['imei', "dev'; DROP TABLE cards; --"],
      ],
      T3_MESSAGES.DEVICE_INVALID,
    );
  });

  it('卡密不存在 for unknown, SQL-looking and deleted cards', async () => {
    await expectError(
      [
        ['kami', 'NOPE0000000000000000000000000000'],
        ['imei', 'X'],
      ],
      T3_MESSAGES.CARD_NOT_FOUND,
    );
    await expectError(
      [
        ['kami', "' OR '1'='1' --"],
        ['imei', 'X'],
      ],
      T3_MESSAGES.CARD_NOT_FOUND,
    );
    const deleted = await server.mintCard();
    await server.deleteCard(deleted);
    await expectError(
      [
        ['kami', deleted],
        ['imei', 'X'],
      ],
      T3_MESSAGES.CARD_NOT_FOUND,
    );
  });

  it('卡密被禁用 for a disabled card, and works again once enabled', async () => {
    const card = await server.mintCard({ disabled: true });
    await expectError(
      [
        ['kami', card],
        ['imei', 'X'],
      ],
      T3_MESSAGES.CARD_DISABLED,
    );
    await server.enableCard(card);
    await expect(clientFor(server).login(card, 'X')).resolves.toMatchObject({ imei: 'X' });
  });

  it('卡密已到期 once the fake clock passes the end time', async () => {
    const card = await server.mintCard({ type: 0 });
    await clientFor(server).login(card, 'EXPIRING');
    server.clock.advance({ days: 1, seconds: 1 });
    await expectError(
      [
        ['kami', card],
        ['imei', 'EXPIRING'],
      ],
      T3_MESSAGES.CARD_EXPIRED,
    );
  });

  it('卡密使用次数已达上限 after the last use of a count card', async () => {
    const card = await server.mintCard({ uses: 2 });
    const client = clientFor(server);
    await client.login(card, 'COUNTER');
    await client.login(card, 'COUNTER');
    await expectError(
      [
        ['kami', card],
        ['imei', 'COUNTER'],
      ],
      T3_MESSAGES.CARD_USES_EXHAUSTED,
    );
  });

  it('请在原设备登录 from another machine', async () => {
    const card = await server.mintCard();
    await clientFor(server).login(card, 'FIRST');
    await expectError(
      [
        ['kami', card],
        ['imei', 'SECOND'],
      ],
      T3_MESSAGES.DEVICE_MISMATCH,
    );
  });

  it('the SDK surfaces the message as a typed error', async () => {
    const error = await clientFor(server)
      .login('UNKNOWN00000000000000000000000000', 'X')
      .catch((e: unknown) => e);
    expect(KamiApiError.isInstance(error)).toBe(true);
    expect((error as KamiApiError).code).toBe('CARD_NOT_FOUND');
    expect((error as KamiApiError).serverMessage).toBe('卡密不存在');
  });
});

describe('app settings', () => {
  it('machineCodeCheck off: no imei needed', async () => {
    const app = appNamed(server, 'no-machine-code');
    const card = await server.service.mintCard({ app, card: { kind: 'time', type: 0 } });
    const res = await t3(server, app, 'login', [['kami', card.cardStr]]);
    expect(res.body.code).toBe('200');
  });

  it('forbidEmptyDevice: 卡密禁止登录 for an unbound card; a bound card logs in', async () => {
    const app = appNamed(server, 'forbid-empty');
    const card = await server.service.mintCard({ app, card: { kind: 'time', type: 0 } });
    const res = await t3(server, app, 'login', [
      ['kami', card.cardStr],
      ['imei', 'ANY'],
    ]);
    expect(res.body).toEqual({ code: '201', msg: T3_MESSAGES.CARD_LOGIN_FORBIDDEN });
    const ok = await clientFor(server, app).login(PRELOADED, 'BOUND-DEVICE');
    expect(ok.imei).toBe('BOUND-DEVICE');
  });

  it('ipBinding exact: 请在原IP登录 from another address; off by default', async () => {
    const app = appNamed(server, 'ip-exact');
    const card = (await server.service.mintCard({ app, card: { kind: 'time', type: 0 } })).cardStr;
    const params: Array<[string, string]> = [
      ['kami', card],
      ['imei', 'IPDEV'],
    ];
    expect(
      (await t3(server, app, 'login', params, { headers: { 'x-forwarded-for': '203.0.113.7' } })).body.code,
    ).toBe('200');
    expect(
      (await t3(server, app, 'login', params, { headers: { 'x-forwarded-for': '203.0.113.7' } })).body.code,
    ).toBe('200');
    const moved = await t3(server, app, 'login', params, { headers: { 'x-forwarded-for': '198.51.100.9' } });
    expect(moved.body).toEqual({ code: '201', msg: T3_MESSAGES.IP_MISMATCH });

    const plainCard = await server.mintCard();
    const p2: Array<[string, string]> = [
      ['kami', plainCard],
      ['imei', 'IPDEV'],
    ];
    await t3(server, server.app.record, 'login', p2, { headers: { 'x-forwarded-for': '203.0.113.7' } });
    const other = await t3(server, server.app.record, 'login', p2, {
      headers: { 'x-forwarded-for': '198.51.100.9' },
    });
    expect(other.body.code).toBe('200');
  });

  it('two-way signature: the token includes the sign text', async () => {
    const app = appNamed(server, 'two-way');
    const card = (await server.service.mintCard({ app, card: { kind: 'time', type: 0 } })).cardStr;
    const res = await t3(server, app, 'login', [
      ['kami', card],
      ['imei', 'TWO'],
    ]);
    const b = res.body;
    const input = {
      id: b.id as number,
      appKey: app.appKey,
      endTime: String(b.end_time),
      date: String(b.date),
    };
    expect(b.token).toBe(computeLoginToken(md5, { ...input, signText: res.signText }));
    expect(b.token).not.toBe(computeLoginToken(md5, input));
    // The SDK's strict "signed" variant accepts it; the basic formula alone does not.
    const card2 = (await server.service.mintCard({ app, card: { kind: 'time', type: 0 } })).cardStr;
    await expect(clientFor(server, app, { verifyToken: 'signed' }).login(card2, 'TWO')).resolves.toBeTruthy();
    const card3 = (await server.service.mintCard({ app, card: { kind: 'time', type: 0 } })).cardStr;
    await expect(clientFor(server, app, { verifyToken: 'basic' }).login(card3, 'TWO')).rejects.toMatchObject({
      code: 'TOKEN_MISMATCH',
    });
  });

  it('codeType int: integer codes on success and error', async () => {
    const app = appNamed(server, 'int-code');
    const card = (await server.service.mintCard({ app, card: { kind: 'time', type: 0 } })).cardStr;
    const ok = await t3(server, app, 'login', [
      ['kami', card],
      ['imei', 'INT'],
    ]);
    expect(ok.raw.startsWith('{"code":200,')).toBe(true);
    const bad = await t3(server, app, 'login', [['imei', 'INT']]);
    expect(bad.body).toEqual({ code: 201, msg: T3_MESSAGES.CARD_REQUIRED });
    await expect(clientFor(server, app).login(card, 'INT')).resolves.toBeTruthy();
  });

  it('a custom success code is what success replies carry', async () => {
    const app = appNamed(server, 'custom-success');
    const card = (await server.service.mintCard({ app, card: { kind: 'time', type: 0 } })).cardStr;
    const ok = await t3(server, app, 'login', [
      ['kami', card],
      ['imei', 'C'],
    ]);
    expect(ok.body.code).toBe('1');
    await expect(clientFor(server, app).login(card, 'C')).resolves.toBeTruthy();
  });
});
