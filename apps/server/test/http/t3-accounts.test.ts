// The account family (账号模式) over HTTP, in every value encoding: register, user_login (token
// checked like a card login's), user_heartbeat, recharge, change_password, get_user_core,
// online_user, user_cancel, each error and its switch; register's throttle.
import { generateKeyPairSync } from 'node:crypto';
import {
  computeLoginToken,
  type EncodingOptions,
  formatBeijingMinute,
  T3_MESSAGES,
  T3_SUCCESS_MESSAGES,
} from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRecord } from '../../src/domain/types';
import { startTestServer, type TestServer } from '../../src/testing';
import { type TestDatabase, testDatabase } from './db';
import { appNamed, md5, t3 } from './helpers';
import { otherProvince, sameProvince } from './region-addresses';

const { publicKey, privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 1024,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const ALPHABET = 'ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba9876543210+/';
const MODES: Array<{ name: string; encoding: EncodingOptions }> = [
  { name: 'plain', encoding: { mode: 'plain' } },
  { name: 'base64', encoding: { mode: 'base64', alphabet: ALPHABET } },
  { name: 'rsa', encoding: { mode: 'rsa', publicKey, privateKey } },
];

let server: TestServer;
let throttled: TestServer;
let store: TestDatabase;
let store2: TestDatabase;

beforeAll(async () => {
  store = await testDatabase();
  server = await startTestServer({
    db: store.db,
    apps: [
      ...MODES.map((m) => ({ name: m.name, settings: { encoding: m.encoding } })),
      { name: 'switches', settings: { endpoints: { register: false, user_login: false } } },
      { name: 'no-device', settings: { machineCodeCheck: false } },
      { name: 'ip-bound', settings: { ipBinding: 'ip' as const } },
      { name: 'province-bound', settings: { ipBinding: 'province' as const } },
      { name: 'city-bound', settings: { ipBinding: 'city' as const } },
    ],
    server: { trustProxy: true },
  });
  store2 = await testDatabase();
  throttled = await startTestServer({
    db: store2.db,
    server: { throttle: { maxFailures: 3, windowSeconds: 60 } },
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await throttled?.close();
  await store?.drop();
  await store2?.drop();
});

const err = (msg: string) => ({ code: '201', msg });
const ok = (msg: string) => ({ code: '200', msg });

let n = 0;
const uniqueUser = () => `user${process.pid}_${++n}`;

describe.each(MODES)('$name mode', ({ name }) => {
  const app = (): AppRecord => appNamed(server, name);
  const call = (
    route: Parameters<typeof t3>[2],
    params: Array<[string, string]>,
    headers?: Record<string, string>,
  ) => t3(server, app(), route, params, headers ? { headers } : {}).then((r) => r.body);

  it('register → recharge → user_login → user_heartbeat → get_user_core → online_user → change_password → user_cancel', async () => {
    const user = uniqueUser();
    expect(
      await call('register', [
        ['user', user],
        ['pass', 'secret-1'],
        ['email', 'a@example.com'],
      ]),
    ).toEqual(ok(T3_SUCCESS_MESSAGES.REGISTER_OK));
    const card = await server.service.mintCard({ app: app(), card: { kind: 'time', type: 0 } });
    expect(
      await call('recharge', [
        ['user', user],
        ['card', card.cardStr],
      ]),
    ).toEqual(ok(T3_SUCCESS_MESSAGES.RECHARGE_OK));
    const loginReply = await t3(server, app(), 'user_login', [
      ['user', user],
      ['pass', 'secret-1'],
      ['imei', 'DEV-1'],
    ]);
    const login = loginReply.body;
    const now = Math.floor(server.clock.now() / 1000);
    expect(Object.keys(login)).toEqual([
      'code',
      'id',
      'end_time',
      'token',
      'statecode',
      'time',
      'date',
      'recharge',
      'use_time',
      'available',
      'imei',
      'change',
      'core',
    ]);
    expect(login).toMatchObject({
      code: '200',
      time: now,
      date: formatBeijingMinute(now),
      recharge: 1,
      available: 86_400,
      imei: 'DEV-1',
      change: 0,
    });
    expect(login.token).toBe(
      computeLoginToken(md5, {
        id: login.id as string,
        appKey: app().appKey,
        endTime: login.end_time as string,
        date: login.date as string,
        // The signature was checked: the token hashes the sign text (loginToken auto).
        signText: loginReply.signText,
      }),
    );
    const statecode = login.statecode as string;
    expect(
      await call('user_heartbeat', [
        ['user', user],
        ['pass', 'secret-1'],
        ['statecode', statecode],
      ]),
    ).toEqual({
      code: '200',
      msg: T3_SUCCESS_MESSAGES.HEARTBEAT_ONLINE,
      time: now,
      date: formatBeijingMinute(now),
    });
    expect(
      await call('get_user_core', [
        ['user', user],
        ['pass', 'secret-1'],
      ]),
    ).toEqual(ok(''));
    expect(Number((await call('online_user', [])).msg)).toBeGreaterThanOrEqual(1);
    expect(
      await call('change_password', [
        ['user', user],
        ['oldpass', 'secret-1'],
        ['newpass', 'secret-2'],
      ]),
    ).toEqual(ok(T3_SUCCESS_MESSAGES.PASSWORD_CHANGED));
    expect(
      await call('user_heartbeat', [
        ['user', user],
        ['pass', 'secret-2'],
        ['statecode', statecode],
      ]),
    ).toEqual(err(T3_MESSAGES.STATECODE_NOT_FOUND));
    expect(
      await call('user_cancel', [
        ['user', user],
        ['pass', 'secret-1'],
      ]),
    ).toEqual(err(T3_MESSAGES.USER_LOGIN_FAILED));
    expect(
      await call('user_cancel', [
        ['user', user],
        ['pass', 'secret-2'],
      ]),
    ).toEqual(ok(T3_SUCCESS_MESSAGES.USER_CANCELLED));
    expect(
      await call('user_login', [
        ['user', user],
        ['pass', 'secret-2'],
        ['imei', 'DEV-1'],
      ]),
    ).toEqual(err(T3_MESSAGES.USER_LOGIN_FAILED));
  });

  it('register errors: 账号不可为空, 密码不可为空, 账号格式有误, 密码长度, 邮箱格式有误, 账号已存在', async () => {
    const user = uniqueUser();
    expect(await call('register', [['pass', 'secret-1']])).toEqual(err(T3_MESSAGES.USER_REQUIRED));
    expect(await call('register', [['user', user]])).toEqual(err(T3_MESSAGES.PASSWORD_REQUIRED));
    expect(
      await call('register', [
        ['user', "it's"],
        ['pass', 'secret-1'],
      ]),
    ).toEqual(err(T3_MESSAGES.USER_INVALID));
    expect(
      await call('register', [
        ['user', user],
        ['pass', '12345'],
      ]),
    ).toEqual(err(T3_MESSAGES.PASSWORD_INVALID));
    expect(
      await call('register', [
        ['user', user],
        ['pass', 'secret-1'],
        ['email', 'nope'],
      ]),
    ).toEqual(err(T3_MESSAGES.EMAIL_INVALID));
    expect(
      (
        await call('register', [
          ['user', user],
          ['pass', 'secret-1'],
        ])
      ).code,
    ).toBe('200');
    expect(
      await call('register', [
        ['user', user],
        ['pass', 'secret-1'],
      ]),
    ).toEqual(err(T3_MESSAGES.USER_EXISTS));
  });

  it('user_login errors: fields, 账号未充值, 请在原设备登录, 账号被禁用, 账号已到期', async () => {
    const user = uniqueUser();
    await call('register', [
      ['user', user],
      ['pass', 'secret-1'],
    ]);
    const login = (pass: string, imei?: string) =>
      call('user_login', [
        ['user', user],
        ['pass', pass],
        ...(imei ? [['imei', imei] as [string, string]] : []),
      ]);
    expect(await call('user_login', [['pass', 'x']])).toEqual(err(T3_MESSAGES.USER_REQUIRED));
    expect(await call('user_login', [['user', user]])).toEqual(err(T3_MESSAGES.PASSWORD_REQUIRED));
    expect(await login('secret-1')).toEqual(err(T3_MESSAGES.DEVICE_REQUIRED));
    expect(await login('secret-1', "a'b")).toEqual(err(T3_MESSAGES.DEVICE_INVALID));
    expect(await login('secret-1', 'D1')).toEqual(err(T3_MESSAGES.USER_NOT_RECHARGED));
    const card = await server.service.mintCard({ app: app(), card: { kind: 'time', type: 0 } });
    await call('recharge', [
      ['user', user],
      ['card', card.cardStr],
    ]);
    expect((await login('secret-1', 'D1')).code).toBe('200');
    expect(await login('secret-1', 'D2')).toEqual(err(T3_MESSAGES.DEVICE_MISMATCH));
    await server.service.setUserDisabled({ app: app(), user, disabled: true });
    expect(await login('secret-1', 'D1')).toEqual(err(T3_MESSAGES.USER_DISABLED));
    await server.service.setUserDisabled({ app: app(), user, disabled: false });
    server.clock.advance({ seconds: 86_401 });
    expect(await login('secret-1', 'D1')).toEqual(err(T3_MESSAGES.USER_EXPIRED));
  });

  it('recharge errors: 账号不可为空, 卡密不可为空, 卡密不存在, 卡密被禁用, 卡密已被使用, 账号不存在', async () => {
    const user = uniqueUser();
    await call('register', [
      ['user', user],
      ['pass', 'secret-1'],
    ]);
    expect(await call('recharge', [['card', 'X']])).toEqual(err(T3_MESSAGES.USER_REQUIRED));
    expect(await call('recharge', [['user', user]])).toEqual(err(T3_MESSAGES.CARD_REQUIRED));
    expect(
      await call('recharge', [
        ['user', user],
        ['card', 'NO-SUCH-CARD'],
      ]),
    ).toEqual(err(T3_MESSAGES.CARD_NOT_FOUND));
    const disabled = await server.service.mintCard({ app: app(), card: { kind: 'permanent' } });
    await server.service.setCardDisabled({ app: app(), cardStr: disabled.cardStr, disabled: true });
    expect(
      await call('recharge', [
        ['user', user],
        ['card', disabled.cardStr],
      ]),
    ).toEqual(err(T3_MESSAGES.CARD_DISABLED));
    const card = await server.service.mintCard({ app: app(), card: { kind: 'permanent' } });
    expect(
      await call('recharge', [
        ['user', 'ghost-user'],
        ['card', card.cardStr],
      ]),
    ).toEqual(err(T3_MESSAGES.USER_NOT_FOUND));
    expect(
      (
        await call('recharge', [
          ['user', user],
          ['card', card.cardStr],
        ])
      ).code,
    ).toBe('200');
    expect(
      await call('recharge', [
        ['user', user],
        ['card', card.cardStr],
      ]),
    ).toEqual(err(T3_MESSAGES.CARD_ALREADY_USED));
  });

  it('change_password / user_cancel / get_user_core / user_heartbeat field errors', async () => {
    expect(
      await call('change_password', [
        ['user', 'someone'],
        ['oldpass', 'secret-1'],
      ]),
    ).toEqual(err(T3_MESSAGES.NEW_PASSWORD_REQUIRED));
    expect(
      await call('change_password', [
        ['user', 'someone'],
        ['oldpass', 'secret-1'],
        ['newpass', '123'],
      ]),
    ).toEqual(err(T3_MESSAGES.PASSWORD_INVALID));
    expect(
      await call('change_password', [
        ['user', 'someone'],
        ['oldpass', 'secret-1'],
        ['newpass', 'secret-2'],
      ]),
    ).toEqual(err(T3_MESSAGES.USER_LOGIN_FAILED));
    expect(await call('user_cancel', [['user', 'someone']])).toEqual(err(T3_MESSAGES.PASSWORD_REQUIRED));
    expect(await call('get_user_core', [['pass', 'x']])).toEqual(err(T3_MESSAGES.USER_REQUIRED));
    expect(
      await call('user_heartbeat', [
        ['user', 'someone'],
        ['pass', 'x'],
      ]),
    ).toEqual(err(T3_MESSAGES.STATECODE_REQUIRED));
  });
});

describe('switches and settings', () => {
  it('接口未开启 for a switched-off account endpoint', async () => {
    const app = appNamed(server, 'switches');
    expect(
      (
        await t3(server, app, 'register', [
          ['user', 'abc'],
          ['pass', 'secret-1'],
        ])
      ).body,
    ).toEqual(err(T3_MESSAGES.ENDPOINT_DISABLED));
    expect(
      (
        await t3(server, app, 'user_login', [
          ['user', 'abc'],
          ['pass', 'secret-1'],
        ])
      ).body,
    ).toEqual(err(T3_MESSAGES.ENDPOINT_DISABLED));
  });

  it('machineCodeCheck off: no imei needed, none bound', async () => {
    const app = appNamed(server, 'no-device');
    const user = uniqueUser();
    await t3(server, app, 'register', [
      ['user', user],
      ['pass', 'secret-1'],
    ]);
    const card = await server.service.mintCard({ app, card: { kind: 'permanent' } });
    await t3(server, app, 'recharge', [
      ['user', user],
      ['card', card.cardStr],
    ]);
    const res = await t3(server, app, 'user_login', [
      ['user', user],
      ['pass', 'secret-1'],
    ]);
    expect(res.body).toMatchObject({ code: '200', imei: '', end_time: '2099-12-31 23:59:59' });
  });

  it("ipBinding 'ip': 请在原IP登录 from another address (via the trusted proxy header)", async () => {
    const app = appNamed(server, 'ip-bound');
    const user = uniqueUser();
    await t3(server, app, 'register', [
      ['user', user],
      ['pass', 'secret-1'],
    ]);
    const card = await server.service.mintCard({ app, card: { kind: 'permanent' } });
    await t3(server, app, 'recharge', [
      ['user', user],
      ['card', card.cardStr],
    ]);
    const from = (ip: string) =>
      t3(
        server,
        app,
        'user_login',
        [
          ['user', user],
          ['pass', 'secret-1'],
          ['imei', 'D'],
        ],
        {
          headers: { 'X-Forwarded-For': ip },
        },
      ).then((r) => r.body);
    expect((await from('203.0.113.7')).code).toBe('200');
    expect((await from('203.0.113.7')).code).toBe('200');
    expect(await from('198.51.100.9')).toEqual(err(T3_MESSAGES.IP_MISMATCH));
  });
});

describe('throttle', () => {
  it('register spends the budget on every attempt; user_login on failures', async () => {
    const app = throttled.app.record;
    const reg = (user: string) =>
      t3(throttled, app, 'register', [
        ['user', user],
        ['pass', 'secret-1'],
      ]);
    for (let i = 0; i < 3; i++) expect((await reg(`burst${i}`)).body.code).toBe('200');
    const fourth = await reg('burst3');
    expect(fourth.status).toBe(429);
    expect(Number(fourth.headers.get('retry-after'))).toBeGreaterThan(0);
    throttled.clock.advance({ seconds: 61 });
    const login = () =>
      t3(throttled, app, 'user_login', [
        ['user', 'burst0'],
        ['pass', 'wrong-pw'],
        ['imei', 'D'],
      ]);
    for (let i = 0; i < 3; i++) expect((await login()).body).toEqual(err(T3_MESSAGES.USER_LOGIN_FAILED));
    expect((await login()).status).toBe(429);
  });
});

describe('region IP binding (ip2region database)', () => {
  async function account(appName: string) {
    const app = appNamed(server, appName);
    const user = uniqueUser();
    await t3(server, app, 'register', [
      ['user', user],
      ['pass', 'secret-1'],
    ]);
    const card = await server.service.mintCard({ app, card: { kind: 'permanent' } });
    await t3(server, app, 'recharge', [
      ['user', user],
      ['card', card.cardStr],
    ]);
    return (ip: string) =>
      t3(
        server,
        app,
        'user_login',
        [
          ['user', user],
          ['pass', 'secret-1'],
          ['imei', 'D'],
        ],
        {
          headers: { 'X-Forwarded-For': ip },
        },
      ).then((r) => r.body);
  }

  it('the database places the candidate addresses as the test needs', () => {
    expect(sameProvince).toBeDefined();
    expect(otherProvince).toBeDefined();
  });

  it("'province': another city of the province passes, another province is 请在原省内登录", async () => {
    const [a, b] = sameProvince ?? [];
    const c = otherProvince;
    const login = await account('province-bound');
    expect((await login(a?.ip ?? '')).code).toBe('200');
    expect((await login(b?.ip ?? '')).code).toBe('200');
    expect(await login(c?.ip ?? '')).toEqual(err(T3_MESSAGES.PROVINCE_MISMATCH));
  });

  it("'city': another city is 请在市内登录", async () => {
    const [a, b] = sameProvince ?? [];
    const login = await account('city-bound');
    expect((await login(a?.ip ?? '')).code).toBe('200');
    expect((await login(a?.ip ?? '')).code).toBe('200');
    expect(await login(b?.ip ?? '')).toEqual(err(T3_MESSAGES.CITY_MISMATCH));
  });

  it('private and loopback addresses have no region: nothing is bound, nothing refused', async () => {
    const login = await account('city-bound');
    expect((await login('10.1.2.3')).code).toBe('200');
    expect((await login('127.0.0.1')).code).toBe('200');
    const [a, b] = sameProvince ?? [];
    // The first placed address binds; a private one afterwards is still not refused.
    expect((await login(a?.ip ?? '')).code).toBe('200');
    expect((await login('192.168.0.9')).code).toBe('200');
    expect(await login(b?.ip ?? '')).toEqual(err(T3_MESSAGES.CITY_MISMATCH));
  });
});
