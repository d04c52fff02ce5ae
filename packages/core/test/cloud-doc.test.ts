// cloudDoc(token): the request t3sdk's get_cloud_doc sends (token, t, s on the cloud_doc route),
// the reply's msg as `content`, in every encoding; refusals as typed errors; argument checks.
import { describe, expect, it, vi } from 'vitest';
import { createVerify, KamiError, KamiValidationError, type Transport, type VerifyOptions } from '../src';
import { type FakeEncoding, ok, scriptedTransport, type T3Received, t3Handler } from './fakes';
import { loadVector, md5, rsaKey } from './helpers';

const APP_KEY = 'cloud-doc-app-key';
const A = 'http://a.test';
const B = 'http://b.test';
const ROUTE = 'CLOUDDOC00000001';
const TOKEN = md5('a login token');
const DOC = '云文档 📄\n第一章: "quotes" & <tags>';
const alphabet: string = loadVector('alphabet-base64.json').alphabets.shuffled;

function client(transport: Transport, over: Partial<VerifyOptions> = {}) {
  return createVerify({
    baseUrl: A,
    appKey: APP_KEY,
    routes: { cloudDoc: ROUTE },
    md5,
    transport,
    now: () => 1741700000 * 1000,
    ...over,
  });
}

function docServer(encoding: FakeEncoding) {
  const log: T3Received[] = [];
  const handler = t3Handler(
    APP_KEY,
    encoding,
    (r) => {
      if (!r.signatureValid) return { code: 201, msg: '签名有误' };
      if (new URL(r.request.url).pathname !== `/${ROUTE}`) return { status: 404, headers: {}, body: '' };
      const token = r.params.find(([k]) => k === 'token')?.[1];
      if (!token) return { code: 201, msg: 'token不可为空' };
      return token === TOKEN ? { code: '200', msg: DOC } : { code: 201, msg: 'token无效' };
    },
    log,
  );
  return { transport: scriptedTransport({ [A]: [handler], [B]: [handler] }), log };
}

async function rejection(promise: Promise<unknown>): Promise<KamiError> {
  try {
    await promise;
  } catch (error) {
    expect(KamiError.isInstance(error)).toBe(true);
    return error as KamiError;
  }
  throw new Error('expected a rejection');
}

const MODES: Array<{ name: string; fake: FakeEncoding; encoding: VerifyOptions['encoding'] }> = [
  { name: 'plain', fake: { mode: 'plain' }, encoding: { mode: 'plain' } },
  { name: 'base64', fake: { mode: 'base64', alphabet }, encoding: { mode: 'base64', alphabet } },
  { name: 'rsa', fake: { mode: 'rsa' }, encoding: { mode: 'rsa', publicKey: rsaKey.publicKeySpkiPem } },
];

describe.each(MODES)('cloudDoc ($name)', ({ fake, encoding }) => {
  it('sends token (then t, s) to the cloud_doc route and returns msg as content', async () => {
    const { transport, log } = docServer(fake);
    const result = await client(transport.transport, { encoding }).cloudDoc(TOKEN);
    expect(result).toEqual({ content: DOC, raw: { code: '200', msg: DOC } });
    expect(log).toHaveLength(1);
    expect(log[0]!.params).toEqual([['token', TOKEN]]);
    expect(log[0]!.signatureValid).toBe(true);
    expect(log[0]!.t).toBe('1741700000');
    expect(transport.calls[0]!.url).toBe(`${A}/${ROUTE}`);
  });

  it('token无效 → TOKEN_INVALID', async () => {
    const { transport } = docServer(fake);
    const error = await rejection(client(transport.transport, { encoding }).cloudDoc('f'.repeat(32)));
    expect(error.code).toBe('TOKEN_INVALID');
    expect(error.message).toContain('token无效');
  });
});

describe('cloudDoc', () => {
  it('an empty document is the empty content; a reply without msg too', async () => {
    const empty = scriptedTransport({ [A]: [ok({ code: 200, msg: '' }), ok({ code: 200 })] });
    await expect(client(empty.transport).cloudDoc(TOKEN)).resolves.toMatchObject({ content: '' });
    await expect(client(empty.transport).cloudDoc(TOKEN)).resolves.toMatchObject({ content: '' });
  });

  it('typed errors for the server refusals: TOKEN_REQUIRED, ENDPOINT_DISABLED', async () => {
    const required = scriptedTransport({ [A]: [ok({ code: 201, msg: 'token不可为空' })] });
    expect((await rejection(client(required.transport).cloudDoc(TOKEN))).code).toBe('TOKEN_REQUIRED');
    const off = scriptedTransport({ [A]: [ok({ code: 201, msg: '接口未开启' })] });
    expect((await rejection(client(off.transport).cloudDoc(TOKEN))).code).toBe('ENDPOINT_DISABLED');
  });

  it('checks its argument before any I/O', async () => {
    const never = vi.fn(async () => {
      throw new Error('no I/O expected');
    }) as unknown as Transport;
    for (const bad of ['', undefined, 42, { signal: undefined }]) {
      const error = await rejection(client(never).cloudDoc(bad as string));
      expect(error).toBeInstanceOf(KamiValidationError);
      expect((error as KamiValidationError).field).toBe('token');
    }
    expect(never).not.toHaveBeenCalled();
  });

  it('is idempotent: a reset is resent to the next host', async () => {
    const { transport: good } = docServer({ mode: 'plain' });
    const fake = scriptedTransport({ [A]: [{ error: 'reset' }], [B]: [(r) => good.transport(r)] });
    await expect(client(fake.transport, { baseUrl: [A, B] }).cloudDoc(TOKEN)).resolves.toMatchObject({
      content: DOC,
    });
    expect(fake.hostsCalled()).toEqual([A, B]);
  });
});
