// cloud_doc (云文档) over HTTP, in every value encoding: the document for the token of a live card
// or account login, token不可为空 / token无效, the end of the token with its session (unbind,
// kick, expiry), its switch, and the guess throttle on wrong tokens.
import { generateKeyPairSync } from 'node:crypto';
import { type EncodingOptions, T3_MESSAGES, T3_SUCCESS_MESSAGES } from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRecord } from '../../src/domain/types';
import { startTestServer, type TestServer } from '../../src/testing';
import { type TestDatabase, testDatabase } from './db';
import { appNamed, randomImei, t3 } from './helpers';

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
// Longer than one RSA block: the reply is encoded whatever its size.
const DOC = `# 使用说明\n第一步：登录。\n${'文档正文 · '.repeat(40)}\n"quotes" & <tags> 'apostrophes'`;
const VALIDITY = 600;

let server: TestServer;
let throttled: TestServer;
let store: TestDatabase;
let store2: TestDatabase;

beforeAll(async () => {
  store = await testDatabase();
  const settings = (encoding: EncodingOptions) => ({
    encoding,
    cloudDoc: DOC,
    statecodeValiditySeconds: VALIDITY,
  });
  server = await startTestServer({
    db: store.db,
    apps: [
      ...MODES.map((m) => ({ name: m.name, settings: settings(m.encoding) })),
      ...MODES.map((m) => ({
        name: `${m.name}-off`,
        settings: { ...settings(m.encoding), endpoints: { cloud_doc: false } },
      })),
      { name: 'empty', settings: {} },
    ],
  });
  store2 = await testDatabase();
  throttled = await startTestServer({
    db: store2.db,
    apps: [{ name: 'guarded', settings: { cloudDoc: DOC } }],
    server: { throttle: { maxFailures: 3, windowSeconds: 60 } },
  });
}, 180_000);

afterAll(async () => {
  await server?.close();
  await throttled?.close();
  await store?.drop();
  await store2?.drop();
});

const err = (msg: string) => ({ code: '201', msg });
const doc = (msg = DOC) => ({ code: '200', msg });

let n = 0;
const uniqueUser = () => `doc${process.pid}_${++n}`;

describe.each(MODES)('$name', ({ name }) => {
  let app: AppRecord;
  const cloudDoc = (token: string | undefined, on: AppRecord = app) =>
    t3(server, on, 'cloud_doc', token === undefined ? [] : [['token', token]]).then((r) => r.body);
  const cardLogin = async (kami: string, imei = randomImei()) => {
    const r = await t3(server, app, 'login', [
      ['kami', kami],
      ['imei', imei],
    ]);
    expect(r.body.code, JSON.stringify(r.body)).toBe('200');
    return { token: r.body.token as string, statecode: r.body.statecode as string, imei };
  };
  const mint = async () => (await server.service.mintCard({ app, card: { kind: 'permanent' } })).cardStr;

  beforeAll(() => {
    app = appNamed(server, name);
  });

  it('login → cloud_doc(login.token) answers the document', async () => {
    const login = await cardLogin(await mint());
    expect(await cloudDoc(login.token)).toEqual(doc());
    // A reply keeps exactly the catalogue's fields, in order.
    const raw = await t3(server, app, 'cloud_doc', [['token', login.token]]);
    expect(Object.keys(raw.body)).toEqual(['code', 'msg']);
  });

  it('token不可为空 without a token; token无效 for a wrong one, a statecode, or another app', async () => {
    expect(await cloudDoc(undefined)).toEqual(err(T3_MESSAGES.TOKEN_REQUIRED));
    expect(await cloudDoc('')).toEqual(err(T3_MESSAGES.TOKEN_REQUIRED));
    expect(await cloudDoc('0'.repeat(32))).toEqual(err(T3_MESSAGES.TOKEN_INVALID));
    const login = await cardLogin(await mint());
    expect(await cloudDoc(login.statecode)).toEqual(err(T3_MESSAGES.TOKEN_INVALID));
    expect(await cloudDoc(`${login.token}x`)).toEqual(err(T3_MESSAGES.TOKEN_INVALID));
    const other = appNamed(server, name === 'plain' ? 'base64' : 'plain');
    expect(await cloudDoc(login.token, other)).toEqual(err(T3_MESSAGES.TOKEN_INVALID));
    // Far beyond the catalogue's 64 bytes (encoded caps allow the codec's slack): refused before any lookup.
    expect(await cloudDoc('a'.repeat(1000))).toEqual(err(T3_MESSAGES.BAD_REQUEST));
  });

  it('token无效 once the session ends: unbind, kick, expiry; a new login gives a working token', async () => {
    const kami = await mint();
    const login = await cardLogin(kami);
    expect(await cloudDoc(login.token)).toEqual(doc());
    const unbind = await t3(server, app, 'unbind', [
      ['kami', kami],
      ['imei', login.imei],
    ]);
    expect(unbind.body.code).toBe('200');
    expect(await cloudDoc(login.token)).toEqual(err(T3_MESSAGES.TOKEN_INVALID));

    const kickedKami = await mint();
    const kicked = await cardLogin(kickedKami);
    expect(await cloudDoc(kicked.token)).toEqual(doc());
    expect(await server.service.kickSessions({ app, cardStr: kickedKami })).toBe(1);
    expect(await cloudDoc(kicked.token)).toEqual(err(T3_MESSAGES.TOKEN_INVALID));

    const expiring = await cardLogin(await mint());
    server.clock.advance({ seconds: VALIDITY + 1 });
    expect(await cloudDoc(expiring.token)).toEqual(err(T3_MESSAGES.TOKEN_INVALID));
    const fresh = await cardLogin(kami);
    expect(await cloudDoc(fresh.token)).toEqual(doc());
  });

  it('token无效 for a disabled card (self-disable ends the session, the operator disable refuses it)', async () => {
    const selfKami = await mint();
    const self = await cardLogin(selfKami);
    expect((await t3(server, app, 'disable', [['kami', selfKami]])).body.code).toBe('200');
    expect(await cloudDoc(self.token)).toEqual(err(T3_MESSAGES.TOKEN_INVALID));
    const opKami = await mint();
    const op = await cardLogin(opKami);
    await server.service.setCardDisabled({ app, cardStr: opKami, disabled: true });
    expect(await cloudDoc(op.token)).toEqual(err(T3_MESSAGES.TOKEN_INVALID));
  });

  it('an account session token: register → recharge → user_login → cloud_doc; password change ends it', async () => {
    const user = uniqueUser();
    const call = (route: Parameters<typeof t3>[2], fields: Array<[string, string]>) =>
      t3(server, app, route, fields).then((r) => r.body);
    expect(
      await call('register', [
        ['user', user],
        ['pass', 'secret-1'],
      ]),
    ).toEqual({ code: '200', msg: T3_SUCCESS_MESSAGES.REGISTER_OK });
    const card = await server.service.mintCard({ app, card: { kind: 'time', type: 0 } });
    expect(
      (
        await call('recharge', [
          ['user', user],
          ['card', card.cardStr],
        ])
      ).code,
    ).toBe('200');
    const login = await call('user_login', [
      ['user', user],
      ['pass', 'secret-1'],
      ['imei', 'DEV-1'],
    ]);
    expect(login.code).toBe('200');
    const token = login.token as string;
    expect(await cloudDoc(token)).toEqual(doc());
    expect(await cloudDoc(login.statecode as string)).toEqual(err(T3_MESSAGES.TOKEN_INVALID));
    expect(
      (
        await call('change_password', [
          ['user', user],
          ['oldpass', 'secret-1'],
          ['newpass', 'secret-2'],
        ])
      ).code,
    ).toBe('200');
    expect(await cloudDoc(token)).toEqual(err(T3_MESSAGES.TOKEN_INVALID));
  });

  it('接口未开启 when the app switches it off, whatever the token', async () => {
    const login = await cardLogin(await mint());
    const off = appNamed(server, `${name}-off`);
    expect(await cloudDoc(login.token, off)).toEqual(err(T3_MESSAGES.ENDPOINT_DISABLED));
    expect(await cloudDoc(undefined, off)).toEqual(err(T3_MESSAGES.ENDPOINT_DISABLED));
  });
});

describe('cloud_doc without a configured document', () => {
  it('answers the empty text', async () => {
    const app = appNamed(server, 'empty');
    const kami = (await server.service.mintCard({ app, card: { kind: 'permanent' } })).cardStr;
    const login = await t3(server, app, 'login', [
      ['kami', kami],
      ['imei', 'E'],
    ]);
    expect((await t3(server, app, 'cloud_doc', [['token', login.body.token as string]])).body).toEqual(
      doc(''),
    );
  });
});

describe('cloud_doc guesses', () => {
  it('wrong tokens spend the failed-attempt budget: 429 after maxFailures, even for a right one', async () => {
    const app = appNamed(throttled, 'guarded');
    const kami = (await throttled.service.mintCard({ app, card: { kind: 'permanent' } })).cardStr;
    const login = await t3(throttled, app, 'login', [
      ['kami', kami],
      ['imei', 'G'],
    ]);
    const token = login.body.token as string;
    const ask = (tok: string) => t3(throttled, app, 'cloud_doc', [['token', tok]]);
    expect((await ask(token)).body).toEqual(doc()); // a success spends nothing
    for (let i = 0; i < 3; i++)
      expect((await ask(`${i}`.repeat(32))).body).toEqual(err(T3_MESSAGES.TOKEN_INVALID));
    const blocked = await ask(token);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual({ code: 429, msg: T3_MESSAGES.RATE_LIMITED });
  });
});
