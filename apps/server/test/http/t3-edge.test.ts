// The T3 edge under hostile input: per-field length caps, the signature verified before any value
// is decoded, and one reply for every way a value fails to decrypt. Work is measured by counting
// the codec's decode calls (a wrapper around the real codec), never by timing.
import { generateKeyPairSync } from 'node:crypto';
import {
  buildSignText,
  computeSignature,
  createClientCodec,
  encodeForm,
  parseRsaPublicKey,
  T3_MESSAGES,
} from '@kami-verify/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppRecord } from '../../src/domain/types';
import { startTestServer, type TestServer } from '../../src/testing';
import { type TestDatabase, testDatabase } from './db';
import { appNamed, md5, postT3 } from './helpers';

const seen = vi.hoisted(() => ({ decoded: [] as string[] }));

vi.mock('@kami-verify/core/server', async (original) => {
  const real = await original<typeof import('@kami-verify/core/server')>();
  return {
    ...real,
    createServerCodec: (encoding: Parameters<typeof real.createServerCodec>[0]) => {
      const codec = real.createServerCodec(encoding);
      return {
        ...codec,
        mode: codec.mode,
        decodeValue: (value: string) => {
          seen.decoded.push(value);
          return codec.decodeValue(value);
        },
      };
    },
  };
});

const { publicKey, privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 1024,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const RSA = { mode: 'rsa', publicKey, privateKey } as const;
const BLOCK = 256; // hex characters of one 1024-bit block

let server: TestServer;
let store: TestDatabase;

beforeAll(async () => {
  store = await testDatabase();
  server = await startTestServer({
    db: store.db,
    apps: [
      { name: 'rsa', settings: { encoding: RSA } },
      { name: 'rsa-unsigned', settings: { encoding: RSA, signatureCheck: 'off' } },
    ],
  });
});

afterAll(async () => {
  await server?.close();
  await store?.drop();
});

beforeEach(() => {
  seen.decoded.length = 0;
});

const now = () => String(Math.floor(server.clock.now() / 1000));
const codecOf = (app: AppRecord) => createClientCodec(app.settings.encoding);
/** Valid hex, whole blocks, never decrypted by anything: the shape of a costly request. */
const junkBlocks = (blocks: number) => '1F'.repeat((BLOCK / 2) * blocks);

/** Fields in order, `t` appended encoded, then `s` over them (or the given raw `s`). */
function signed(app: AppRecord, fields: Array<[string, string]>, s?: string): string {
  const codec = codecOf(app);
  const all: Array<[string, string]> = [...fields, ['t', codec.encodeValue(now())]];
  all.push(['s', s ?? codec.encodeValue(computeSignature(md5, buildSignText(all, app.appKey)))]);
  return encodeForm(all);
}

describe('signature before decoding (RSA, signatures on)', () => {
  it('a 60 KB request with a bad signature is refused with no RSA decode at all', async () => {
    const app = appNamed(server, 'rsa');
    const body = signed(app, [['kami', junkBlocks(234)]], junkBlocks(1));
    expect(body.length).toBeGreaterThan(60_000);
    const res = await postT3(server, app, 'login', body);
    expect(res.body.msg).toBe(T3_MESSAGES.BAD_REQUEST);
    expect(seen.decoded).toEqual([]);
  });

  it('many fields each within its cap, bad signature: only s is decoded, once', async () => {
    const app = appNamed(server, 'rsa');
    const codec = codecOf(app);
    const fields: Array<[string, string]> = [];
    for (let i = 0; i < 200; i++) fields.push(['kami', codec.encodeValue(`CARD-${i}`)]);
    const badS = codec.encodeValue('0'.repeat(32));
    const body = signed(app, fields, badS);
    expect(body.length).toBeGreaterThan(50_000);
    const res = await postT3(server, app, 'query', body);
    expect(res.body.msg).toBe(T3_MESSAGES.SIGNATURE_INVALID);
    expect(seen.decoded).toEqual([badS]);
  });

  it('an s longer than one block is refused unread', async () => {
    const app = appNamed(server, 'rsa');
    const res = await postT3(server, app, 'query', signed(app, [], junkBlocks(2)));
    expect(res.body.msg).toBe(T3_MESSAGES.BAD_REQUEST);
    expect(seen.decoded).toEqual([]);
  });

  it('a good request decodes s, t and the endpoint’s own fields: no duplicates, no extras', async () => {
    const app = appNamed(server, 'rsa');
    const codec = codecOf(app);
    const kami = codec.encodeValue('NO-SUCH-CARD');
    const body = signed(app, [
      ['kami', kami],
      ['kami', codec.encodeValue('SECOND')],
      ['extra', junkBlocks(3)],
    ]);
    const res = await postT3(server, app, 'query', body);
    expect(res.body.msg).toBe(T3_MESSAGES.CARD_NOT_FOUND);
    expect(seen.decoded).toHaveLength(3); // s, t, kami
    expect(seen.decoded[2]).toBe(kami);
  });
});

describe('signatures off: the caps bound the work', () => {
  it('a 60 KB request decodes at most the endpoint’s fields, each within its cap', async () => {
    const app = appNamed(server, 'rsa-unsigned');
    const codec = codecOf(app);
    const fields: Array<[string, string]> = [
      ['kami', codec.encodeValue('NO-SUCH-CARD')],
      ['imei', codec.encodeValue('DEVICE')],
      ['safe_code', codec.encodeValue('nonce')],
    ];
    for (let i = 0; i < 220; i++) fields.push([i % 2 ? 'kami' : `junk${i}`, junkBlocks(1)]);
    fields.push(['t', codec.encodeValue(now())]);
    const body = encodeForm(fields);
    expect(body.length).toBeGreaterThan(55_000);
    const res = await postT3(server, app, 'login', body);
    expect(res.body.msg).toBe(T3_MESSAGES.CARD_NOT_FOUND);
    // t + kami + imei + safe_code, one block each: the bound, whatever else the body holds.
    expect(seen.decoded).toHaveLength(4);
    expect(seen.decoded.every((v) => v.length <= 2 * BLOCK)).toBe(true);
  });

  it('a field over its cap is refused before anything is decoded', async () => {
    const app = appNamed(server, 'rsa-unsigned');
    const codec = codecOf(app);
    // The kami cap is 64 bytes: one RSA block. 118 bytes take two.
    const res = await postT3(
      server,
      app,
      'query',
      encodeForm([
        ['kami', codec.encodeValue('K'.repeat(118))],
        ['t', codec.encodeValue(now())],
      ]),
    );
    expect(res.body.msg).toBe(T3_MESSAGES.BAD_REQUEST);
    expect(seen.decoded).toEqual([]);
    const atCap = encodeForm([
      ['kami', codec.encodeValue('K'.repeat(64))],
      ['t', codec.encodeValue(now())],
    ]);
    expect((await postT3(server, app, 'query', atCap)).body.msg).toBe(T3_MESSAGES.CARD_NOT_FOUND);
  });
});

describe('every decryption failure gets the same reply', () => {
  const { n, e } = parseRsaPublicKey(publicKey);
  const raw = (em: number[]): string => {
    const bytes = new Uint8Array(128);
    bytes.set(em.slice(0, 2), 0);
    bytes.fill(0x11, 2, 120);
    bytes.set(em.slice(2), 120);
    let x = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
    let y = 1n;
    for (let k = e; k > 0n; k >>= 1n, x = (x * x) % n) if (k & 1n) y = (y * x) % n;
    return y.toString(16).padStart(BLOCK, '0').toUpperCase();
  };
  const broken: Record<string, string> = {
    'not hex': 'ZZ'.repeat(BLOCK / 2),
    'odd length': `${'1F'.repeat(BLOCK / 2 - 1)}0`,
    'half a block': '1F'.repeat(BLOCK / 4),
    'block ≥ n': 'FF'.repeat(BLOCK / 2),
    'type-1 padding': raw([0, 1, 0, 0x41]),
    'no separator': raw([0, 2, 0x11, 0x11]),
    'bad UTF-8': raw([0, 2, 0, 0xff, 0xfe]),
    NUL: raw([0, 2, 0, 0x41, 0]),
  };

  it('for a value: one body, byte for byte (请求参数有误)', async () => {
    const app = appNamed(server, 'rsa');
    const replies = new Set<string>();
    for (const [name, value] of Object.entries(broken)) {
      const res = await postT3(server, app, 'query', signed(app, [['kami', value]]));
      expect(res.body.msg, name).toBe(T3_MESSAGES.BAD_REQUEST);
      replies.add(`${res.status} ${res.raw}`);
    }
    expect(replies.size).toBe(1);
  });

  it('for s: the same 签名有误 as a wrong signature', async () => {
    const app = appNamed(server, 'rsa');
    const codec = codecOf(app);
    const replies = new Set<string>();
    for (const s of [...Object.values(broken), codec.encodeValue('f'.repeat(32))]) {
      const res = await postT3(server, app, 'notice', signed(app, [], s));
      expect(res.body.msg).toBe(T3_MESSAGES.SIGNATURE_INVALID);
      replies.add(`${res.status} ${res.raw}`);
    }
    expect(replies.size).toBe(1);
  });
});
