// The card routes called with an account (t3sdk's unbind_user, ip_unbind_user, disable_user,
// modify_core_by_user, get_variable_by_user, modify_variable_by_user): same 调用码 as the card
// calls, `user` + `pass` instead of `kami`, in every value encoding.
import { generateKeyPairSync } from 'node:crypto';
import { type EncodingOptions, T3_MESSAGES, T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRecord } from '../../src/domain/types';
import { startTestServer, type TestServer } from '../../src/testing';
import { type TestDatabase, testDatabase } from './db';
import { appNamed, t3 } from './helpers';

const { publicKey, privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 1024,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const MODES: Array<{ name: string; encoding: EncodingOptions }> = [
  { name: 'plain', encoding: { mode: 'plain' } },
  {
    name: 'base64',
    encoding: {
      mode: 'base64',
      alphabet: 'ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba9876543210+/',
    },
  },
  { name: 'rsa', encoding: { mode: 'rsa', publicKey, privateKey } },
];

let server: TestServer;
let store: TestDatabase;

beforeAll(async () => {
  store = await testDatabase();
  const settings = (encoding: EncodingOptions) => ({
    encoding,
    ipBinding: 'ip' as const,
    coreMaxBytes: 8,
    variables: [
      { id: 'v1', name: '公告', value: '只读值' },
      { id: 'v2', name: '计数', value: '0', writable: true },
    ],
  });
  server = await startTestServer({
    db: store.db,
    apps: MODES.map((m) => ({ name: m.name, settings: settings(m.encoding) })),
    server: { trustProxy: true },
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await store?.drop();
});

const err = (msg: string) => ({ code: '201', msg });
const ok = (msg: string) => ({ code: '200', msg });
let n = 0;
const uniqueUser = () => `variant${process.pid}_${++n}`;

describe.each(MODES)('$name mode', ({ name }) => {
  const app = (): AppRecord => appNamed(server, name);
  const call = (route: Parameters<typeof t3>[2], params: Array<[string, string]>, ip = '203.0.113.7') =>
    t3(server, app(), route, params, { headers: { 'X-Forwarded-For': ip } }).then((r) => r.body);
  const as = (user: string, pass = 'secret-1'): Array<[string, string]> => [
    ['user', user],
    ['pass', pass],
  ];

  /** A registered account with a day of time, logged in once from DEV-1 at 203.0.113.7. */
  async function account(): Promise<string> {
    const user = uniqueUser();
    expect(await call('register', as(user))).toEqual(ok(T3_SUCCESS_MESSAGES.REGISTER_OK));
    const card = await server.service.mintCard({ app: app(), card: { kind: 'time', type: 0 } });
    await call('recharge', [
      ['user', user],
      ['card', card.cardStr],
    ]);
    expect((await call('user_login', [...as(user), ['imei', 'DEV-1']])).code).toBe('200');
    return user;
  }

  it('unbind_user: 请在原设备登录 for another device, then frees the device; 账号未绑定设备 after', async () => {
    const user = await account();
    expect(await call('unbind', [...as(user), ['imei', 'DEV-2']])).toEqual(err(T3_MESSAGES.DEVICE_MISMATCH));
    expect(await call('unbind', [...as(user, 'wrong-pw'), ['imei', 'DEV-1']])).toEqual(
      err(T3_MESSAGES.USER_LOGIN_FAILED),
    );
    expect(await call('unbind', [...as(user), ['imei', 'DEV-1']])).toEqual({
      ...ok(T3_SUCCESS_MESSAGES.UNBIND_OK),
      change: 1,
    });
    expect(await call('unbind', [...as(user), ['imei', 'DEV-1']])).toEqual(err(T3_MESSAGES.USER_NOT_BOUND));
    expect((await call('user_login', [...as(user), ['imei', 'DEV-2']])).code).toBe('200');
    expect((await server.service.getUser({ app: app(), user }))?.change).toBe(1);
  });

  it('ip_unbind_user: frees the bound IP once (账号未绑定IP after)', async () => {
    const user = await account();
    expect(await call('user_login', [...as(user), ['imei', 'DEV-1']], '198.51.100.1')).toEqual(
      err(T3_MESSAGES.IP_MISMATCH),
    );
    expect(await call('ip_unbind', as(user))).toEqual(ok(T3_SUCCESS_MESSAGES.IP_UNBIND_OK));
    expect(await call('ip_unbind', as(user))).toEqual(err(T3_MESSAGES.USER_IP_NOT_BOUND));
    expect((await call('user_login', [...as(user), ['imei', 'DEV-1']], '198.51.100.1')).code).toBe('200');
  });

  it('disable_user: the account disables itself; its sessions end; 账号被禁用 after', async () => {
    const user = await account();
    const login = await call('user_login', [...as(user), ['imei', 'DEV-1']]);
    expect(await call('disable', as(user))).toEqual(ok(T3_SUCCESS_MESSAGES.DISABLE_OK));
    expect(await call('user_heartbeat', [...as(user), ['statecode', String(login.statecode)]])).toEqual(
      err(T3_MESSAGES.STATECODE_NOT_FOUND),
    );
    expect(await call('user_login', [...as(user), ['imei', 'DEV-1']])).toEqual(
      err(T3_MESSAGES.USER_DISABLED),
    );
    expect(await call('disable', as(user))).toEqual(err(T3_MESSAGES.USER_DISABLED));
  });

  it('modify_core_by_user: get_user_core reads it back; the size limit holds', async () => {
    const user = await account();
    expect(await call('modify_core', [...as(user), ['core', '核心']])).toEqual(
      ok(T3_SUCCESS_MESSAGES.MODIFY_OK),
    );
    expect(await call('get_user_core', as(user))).toEqual(ok('核心'));
    expect(await call('modify_core', [...as(user), ['core', '九个字节超了']])).toEqual(
      err(T3_MESSAGES.DATA_TOO_LONG),
    );
    expect(await call('modify_core', [...as(user, 'wrong-pw'), ['core', 'x']])).toEqual(
      err(T3_MESSAGES.USER_LOGIN_FAILED),
    );
  });

  it('get_variable_by_user / modify_variable_by_user: for an account with a term left', async () => {
    const user = await account();
    const get = (u: string, id: string, pass = 'secret-1') =>
      call('get_variable', [...as(u, pass), ['valueid', id], ['valuename', '']]);
    expect(await get(user, 'v1')).toEqual(ok('只读值'));
    expect(await get(user, 'nope')).toEqual(err(T3_MESSAGES.VARIABLE_NOT_FOUND));
    expect(await get(user, 'v1', 'wrong-pw')).toEqual(err(T3_MESSAGES.USER_LOGIN_FAILED));
    expect(await call('modify_variable', [...as(user), ['valueid', 'v1'], ['valuecontent', 'x']])).toEqual(
      err(T3_MESSAGES.VARIABLE_READ_ONLY),
    );
    const value = `${name}-${user}`.slice(0, 8);
    expect(await call('modify_variable', [...as(user), ['valueid', 'v2'], ['valuecontent', value]])).toEqual(
      ok(T3_SUCCESS_MESSAGES.MODIFY_OK),
    );
    expect(await get(user, 'v2')).toEqual(ok(value));
    // An account that never recharged has no term: 账号未充值.
    const fresh = uniqueUser();
    await call('register', as(fresh));
    expect(await get(fresh, 'v1')).toEqual(err(T3_MESSAGES.USER_NOT_RECHARGED));
  });

  it('field errors: 账号不可为空 / 密码不可为空; without kami or user it is the card call (卡密不可为空)', async () => {
    for (const route of ['ip_unbind', 'disable', 'modify_core', 'get_variable', 'modify_variable'] as const) {
      expect(await call(route, [['user', '']]), route).toEqual(err(T3_MESSAGES.USER_REQUIRED));
      expect(await call(route, [['user', 'someone']]), route).toEqual(err(T3_MESSAGES.PASSWORD_REQUIRED));
      expect(await call(route, []), route).toEqual(err(T3_MESSAGES.CARD_REQUIRED));
    }
    expect(await call('unbind', [...as('someone')])).toEqual(err(T3_MESSAGES.DEVICE_REQUIRED));
  });
});

describe('races', () => {
  it('parallel unbind_user calls with the right device unbind once', async () => {
    const app = appNamed(server, 'plain');
    const user = uniqueUser();
    const call = (route: Parameters<typeof t3>[2], params: Array<[string, string]>) =>
      t3(server, app, route, params).then((r) => r.body);
    await call('register', [
      ['user', user],
      ['pass', 'secret-1'],
    ]);
    const card = await server.service.mintCard({ app, card: { kind: 'permanent' } });
    await call('recharge', [
      ['user', user],
      ['card', card.cardStr],
    ]);
    await call('user_login', [
      ['user', user],
      ['pass', 'secret-1'],
      ['imei', 'DEV-1'],
    ]);
    const replies = await Promise.all(
      Array.from({ length: 8 }, () =>
        call('unbind', [
          ['user', user],
          ['pass', 'secret-1'],
          ['imei', 'DEV-1'],
        ]),
      ),
    );
    expect(replies.filter((r) => r.code === '200')).toHaveLength(1);
    expect(replies.filter((r) => r.code !== '200').every((r) => r.msg === T3_MESSAGES.USER_NOT_BOUND)).toBe(
      true,
    );
    expect((await server.service.getUser({ app, user }))?.change).toBe(1);
  });
});
