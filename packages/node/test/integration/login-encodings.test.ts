import { generateKeyPairSync } from 'node:crypto';
import { startTestServer, type TestServerOptions } from '@kami-verify/server/testing';
import { describe, expect, it } from 'vitest';
import { computeStatecode, KamiVerificationError, nodeMd5 } from '../../src/index';
import { clientFor, onCleanup } from './helpers';

function rsaEncoding() {
  // 1024 bits: the key size whose 117-byte chunks the hosted service's RSA mode assumes.
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 1024,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { mode: 'rsa' as const, publicKey, privateKey };
}

const ALPHABET = 'Zyx0123456789+/ABCDEFGHIJKLMNOPQRSTUVWXYabcdefghijklmnopqrstuvwz';

const MODES: Array<[string, () => TestServerOptions]> = [
  ['plain, "code": "200", signature on', () => ({ encoding: { mode: 'plain' } })],
  [
    'base64 alphabet, "code": 200, two-way signature',
    () => ({
      encoding: { mode: 'base64', alphabet: ALPHABET },
      settings: { codeType: 'int', signatureCheck: 'two-way' },
    }),
  ],
  [
    'RSA 1024, two-way signature',
    () => ({ encoding: rsaEncoding(), settings: { signatureCheck: 'two-way' } }),
  ],
];

describe.each(MODES)('login in %s', (_name, options) => {
  it('verifies token and statecode, then beats and queries', async () => {
    const server = await startTestServer(options());
    onCleanup(() => server.close());
    const card = await server.mintCard({ type: 1 });
    const client = clientFor(server);

    const session = await client.login(card, 'MACHINE-A');
    expect(session).toMatchObject({ kami: card, machineCode: 'MACHINE-A', imei: 'MACHINE-A', amount: '7天' });
    expect(session.token).toMatch(/^[0-9a-f]{32}$/i);
    expect(session.statecode.toLowerCase()).toBe(
      computeStatecode(nodeMd5, session.token.toLowerCase(), session.time),
    );
    expect(session.expiresAt!.getTime()).toBe((session.time + 7 * 86_400) * 1000);

    await expect(session.heartbeat()).resolves.toMatchObject({ msg: '在线', time: session.time });
    await expect(client.query(card)).resolves.toMatchObject({ endTime: session.endTime, line: 1 });
  });
});

describe('token formulas', () => {
  it('a two-way app fails a client that only accepts the basic formula (TOKEN_MISMATCH)', async () => {
    const server = await startTestServer({ settings: { signatureCheck: 'two-way' } });
    onCleanup(() => server.close());
    const card = await server.mintCard();
    const error = await clientFor(server, { verifyToken: 'basic' })
      .login(card, 'M')
      .catch((e: unknown) => e);
    expect(KamiVerificationError.isInstance(error) && error.code).toBe('TOKEN_MISMATCH');
    await expect(clientFor(server, { verifyToken: 'signed' }).login(card, 'M')).resolves.toBeDefined();
  });

  it('a client with the wrong APPKEY is refused by the server (签名有误)', async () => {
    const server = await startTestServer();
    onCleanup(() => server.close());
    const card = await server.mintCard();
    await expect(clientFor(server, { appKey: 'not-the-key' }).login(card, 'M')).rejects.toMatchObject({
      code: 'SIGNATURE_INVALID',
    });
  });
});
