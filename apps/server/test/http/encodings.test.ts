// The three value encodings end to end: the SDK against the server, and raw bodies.
import { generateKeyPairSync } from 'node:crypto';
import {
  buildSignText,
  computeSignature,
  createClientCodec,
  type EncodingOptions,
  encodeForm,
  T3_MESSAGES,
} from '@kami-verify/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../src/testing';
import { type TestDatabase, testDatabase } from './db';
import { appNamed, clientFor, md5, postT3, t3 } from './helpers';

let server: TestServer;
let store: TestDatabase;

const { publicKey, privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 1024,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const ALPHABET = 'ZYXWVUTSRQPONMLKJIHGFEDCBAzyxwvutsrqponmlkjihgfedcba9876543210+/';

const MODES: Array<{ name: string; encoding: EncodingOptions; codeType?: 'int' }> = [
  { name: 'plain', encoding: { mode: 'plain' } },
  { name: 'base64', encoding: { mode: 'base64', alphabet: ALPHABET } },
  { name: 'rsa', encoding: { mode: 'rsa', publicKey, privateKey } },
  { name: 'base64-int', encoding: { mode: 'base64', alphabet: ALPHABET }, codeType: 'int' },
];

beforeAll(async () => {
  store = await testDatabase();
  server = await startTestServer({
    db: store.db,
    apps: MODES.map((m) => ({
      name: m.name,
      settings: {
        encoding: m.encoding,
        notice: '通知',
        version: '2.0.0',
        update: { version: '2.0.0', uplog: 'log', upurl: 'https://example.com' },
        ...(m.codeType ? { codeType: m.codeType } : {}),
      },
    })),
  });
});

afterAll(async () => {
  await server?.close();
  await store?.drop();
});

describe.each(MODES)('$name mode', ({ name }) => {
  it('runs every endpoint through the SDK', async () => {
    const app = appNamed(server, name);
    const card = (await server.service.mintCard({ app, card: { kind: 'time', type: 2 } })).cardStr;
    const client = clientFor(server, app);
    const login = await client.login(card, 'ENC-DEVICE');
    expect(login.amount).toBe('30天');
    expect((await client.heartbeat(login.statecode, { kami: card })).msg).toBe('在线');
    expect((await client.query(card)).amount).toBe('30天');
    expect((await client.notice()).msg).toBe('通知');
    expect((await client.version()).version).toBe('2.0.0');
    expect((await client.checkUpdate('2.0.0')).latest).toBe(true);
    expect((await client.unbind(card, 'ENC-DEVICE')).msg).toBe('解绑成功');
    // Non-ASCII survives the codec both ways.
    const cjk = await client.login(card, '设备-二号');
    expect(cjk.imei).toBe('设备-二号');
  });

  it('encodes error replies too, and decodes to the documented message', async () => {
    const app = appNamed(server, name);
    const res = await t3(server, app, 'login', [
      ['kami', 'NOT-A-CARD'],
      ['imei', 'X'],
    ]);
    if (name !== 'plain') expect(res.raw.trim().startsWith('{')).toBe(false);
    expect(res.body.msg).toBe(T3_MESSAGES.CARD_NOT_FOUND);
    expect(res.body.code).toBe(name === 'base64-int' ? 201 : '201');
  });
});

describe('undecodable values', () => {
  it('签名有误 when s itself does not decode', async () => {
    for (const name of ['base64', 'rsa']) {
      const app = appNamed(server, name);
      const res = await t3(server, app, 'notice', [], { sign: 'ZZ-not-hex' });
      expect(res.body.msg, name).toBe(T3_MESSAGES.SIGNATURE_INVALID);
    }
  });

  it('验证数据已失效,请重试 when a correctly signed t does not decode', async () => {
    const app = appNamed(server, 'rsa');
    const codec = createClientCodec(app.settings.encoding);
    const fields: Array<[string, string]> = [['t', '0102']];
    fields.push(['s', codec.encodeValue(computeSignature(md5, buildSignText(fields, app.appKey)))]);
    const res = await postT3(server, app, 'notice', encodeForm(fields));
    expect(res.body.msg).toBe(T3_MESSAGES.TIMESTAMP_INVALID);
  });

  it('请求参数有误 when a correctly signed value does not decode', async () => {
    for (const name of ['base64', 'rsa']) {
      const app = appNamed(server, name);
      const codec = createClientCodec(app.settings.encoding);
      // Sign over a raw value the server cannot decode: the signature is fine, the value is not.
      const fields: Array<[string, string]> = [
        ['kami', 'XYZ'],
        ['t', codec.encodeValue(String(Math.floor(server.clock.now() / 1000)))],
      ];
      fields.push(['s', codec.encodeValue(computeSignature(md5, buildSignText(fields, app.appKey)))]);
      const res = await postT3(server, app, 'query', encodeForm(fields));
      expect(res.body.msg, name).toBe(T3_MESSAGES.BAD_REQUEST);
    }
  });

  it('a plain-mode client talking to an encoded app gets a clean error, not a 500', async () => {
    const app = appNamed(server, 'base64');
    const res = await fetch(`${server.url}/${app.routes.login}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `kami=ABC&imei=X&t=${Math.floor(server.clock.now() / 1000)}&s=${'0'.repeat(32)}`,
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(createClientCodec(app.settings.encoding).decodeResponse(text)).toContain('"code":"201"');
  });

  it('an unknown route answers plain JSON whatever the encoding', async () => {
    const res = await fetch(`${server.url}/0000000000000000`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ code: 404, msg: T3_MESSAGES.ENDPOINT_NOT_FOUND });
  });
});
