import { describe, expect, it, vi } from 'vitest';
import {
  createAlphabetCodec,
  createSessionClient,
  createT3Client,
  createVerify,
  KamiAbortError,
  KamiApiError,
  KamiConnectionError,
  KamiError,
  KamiRateLimitError,
  type KamiResponseError,
  KamiValidationError,
  KamiVerificationError,
  T3_MESSAGES,
  type Transport,
  type VerifyOptions,
} from '../src';
import { type FakeEncoding, loginReply, ok, scriptedTransport, type T3Received, t3Handler } from './fakes';
import { loadVector, md5, rsaKey } from './helpers';

const seedFx = loadVector('seed-fixtures.json');
const signPlain = loadVector('sign-plain.json');
const ab = loadVector('alphabet-base64.json');

const APP_KEY = seedFx.t3Login.appKey as string;
const T = 1741700000;
const DATE = '202503112133';
const A = 'http://a.test';
const B = 'http://b.test';
const ROUTES = {
  login: '813B2676E9690C89',
  heartbeat: 'A1B2C3D4E5F60718',
  query: '/api/query',
  unbind: 'UNBIND0000000001',
  notice: 'NOTICE0000000001',
  version: 'VERSION000000001',
  checkUpdate: 'CHECKUPD00000001',
};

function neverTransport(): Transport & { mock: { calls: unknown[] } } {
  return vi.fn(async () => {
    throw new Error('no I/O expected');
  }) as never;
}

function client(transport: Transport, over: Partial<VerifyOptions> = {}) {
  return createVerify({
    baseUrl: A,
    appKey: APP_KEY,
    routes: ROUTES,
    md5,
    transport,
    now: () => T * 1000,
    createSafeCode: () => 'hello',
    ...over,
  });
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

/** A server answering every endpoint of the T3 family, in the given encoding. */
function fullServer(encoding: FakeEncoding = { mode: 'plain' }, variant: 'basic' | 'signed' = 'basic') {
  const log: T3Received[] = [];
  const handler = t3Handler(
    APP_KEY,
    encoding,
    (r) => {
      if (!r.signatureValid) return { code: 201, msg: '签名有误' };
      const path = new URL(r.request.url).pathname;
      switch (path) {
        case `/${ROUTES.login}`:
          return loginReply(APP_KEY, r, { time: T, date: DATE, variant });
        case `/${ROUTES.heartbeat}`:
          return { code: '200', msg: '在线', time: T, date: DATE };
        case ROUTES.query:
          return {
            code: 200,
            id: 1,
            state: 1,
            use: 1,
            use_time: '2026-03-11 12:00:00',
            end_time: '2026-04-10 12:00:00',
            amount: '30天',
            available: '2592000',
          };
        case `/${ROUTES.unbind}`:
          return { code: '200', msg: '解绑成功' };
        case `/${ROUTES.notice}`:
          return { code: '200', msg: '公告: 中文 😀' };
        case `/${ROUTES.version}`:
          return { code: '200', ver: '1.2.3' };
        case `/${ROUTES.checkUpdate}`:
          return r.params[0]?.[1] === '1.2.3'
            ? { code: '201', msg: '已是最新版' }
            : { code: '200', ver: '1.2.3', uplog: '修复', upurl: 'https://example.test/app.zip' };
        default:
          return { status: 404, headers: {}, body: 'not found' };
      }
    },
    log,
  );
  return { transport: scriptedTransport({ [A]: [handler], [B]: [handler] }), log };
}

describe('createVerify: option validation before any I/O', () => {
  const base = { baseUrl: A, appKey: APP_KEY, routes: ROUTES, md5 };
  it.each([
    ['no baseUrl', { baseUrl: undefined }, 'baseUrl'],
    ['empty baseUrl list', { baseUrl: [] }, 'baseUrl'],
    ['baseUrl not http(s)', { baseUrl: 'ftp://a.test' }, 'baseUrl'],
    ['baseUrl without scheme', { baseUrl: 'a.test' }, 'baseUrl'],
    ['one bad baseUrl in a list', { baseUrl: [A, 'not a url'] }, 'baseUrl'],
    ['baseUrl with spaces', { baseUrl: 'http://a .test' }, 'baseUrl'],
    ['empty appKey', { appKey: '' }, 'appKey'],
    ['md5 not a function', { md5: 'md5' }, 'md5'],
    ['transport not a function', { transport: undefined }, 'transport'],
    ['bad alphabet', { encoding: { mode: 'base64', alphabet: 'abc' } }, 'encoding'],
    ['bad RSA key', { encoding: { mode: 'rsa', publicKey: 'nope' } }, 'encoding'],
  ])('%s', (_, over, field) => {
    const transport = neverTransport();
    try {
      createVerify({ ...base, transport, ...over } as unknown as VerifyOptions);
      expect.unreachable();
    } catch (error) {
      expect(KamiValidationError.isInstance(error)).toBe(true);
      expect((error as KamiValidationError).field).toBe(field);
      expect((error as KamiValidationError).code).toBe('INVALID_ARGUMENT');
    }
    expect(transport.mock.calls).toHaveLength(0);
  });

  it('accepts a good RSA key and alphabet', () => {
    expect(() =>
      client(neverTransport(), { encoding: { mode: 'rsa', publicKey: rsaKey.publicKeySpkiPem } }),
    ).not.toThrow();
    expect(() =>
      client(neverTransport(), { encoding: { mode: 'base64', alphabet: ab.alphabets.shuffled } }),
    ).not.toThrow();
  });
});

describe('VerifyClient: argument validation before any I/O', () => {
  const cases: [string, (c: ReturnType<typeof client>) => Promise<unknown>, string][] = [
    ['login with empty kami', (c) => c.login('', 'DEVICE_001'), 'kami'],
    ['login with non-string kami', (c) => c.login(undefined as never, 'DEVICE_001'), 'kami'],
    ["login with ' in imei", (c) => c.login('KM', "DEV'ICE"), 'imei'],
    ['login with empty imei', (c) => c.login('KM', ''), 'imei'],
    ['heartbeat with empty statecode', (c) => c.heartbeat(''), 'statecode'],
    ['query with empty kami', (c) => c.query(''), 'kami'],
    ["unbind with ' in imei", (c) => c.unbind('KM', "'"), 'imei'],
    ['checkUpdate with empty version', (c) => c.checkUpdate(''), 'currentVersion'],
  ];
  it.each(cases)('%s', async (_, call, field) => {
    const transport = neverTransport();
    const error = await rejection(call(client(transport)));
    expect(KamiValidationError.isInstance(error)).toBe(true);
    expect((error as KamiValidationError).field).toBe(field);
    expect(transport.mock.calls).toHaveLength(0);
  });

  it('names an options object passed where the machine code goes (plain JavaScript)', async () => {
    const transport = neverTransport();
    const call = client(transport).login('KM', { signal: new AbortController().signal } as never);
    const error = await rejection(call);
    expect(KamiValidationError.isInstance(error)).toBe(true);
    expect((error as KamiValidationError).field).toBe('imei');
    expect((error as Error).message).toMatch(/an object was passed in its place.*\{ signal \}/);
    expect(transport.mock.calls).toHaveLength(0);
  });

  it('a missing route is a validation error', async () => {
    const transport = neverTransport();
    const c = client(transport, { routes: { login: ROUTES.login } });
    const error = await rejection(c.heartbeat('abc'));
    expect((error as KamiValidationError).field).toBe('routes.heartbeat');
    expect(transport.mock.calls).toHaveLength(0);
  });

  const potato = { askKey: 'ask', apiUserToken: 'tok' };
  it.each([
    [{ type: -1, total: 1 }, 'type'],
    [{ type: 6, total: 1 }, 'type'],
    [{ type: 2.5, total: 1 }, 'type'],
    [{ type: 1, total: 0 }, 'total'],
    [{ type: 1, total: 11 }, 'total'],
    [{ type: 1, total: 1.5 }, 'total'],
  ])('createCardMy(%j) is refused on %s', async (input, field) => {
    const transport = neverTransport();
    const error = await rejection(client(transport, { potato }).createCardMy(input));
    expect((error as KamiValidationError).field).toBe(field);
    expect(transport.mock.calls).toHaveLength(0);
  });

  it('potato calls need potato options and credentials', async () => {
    const transport = neverTransport();
    expect(
      ((await rejection(client(transport).createCardMy({ type: 1, total: 1 }))) as KamiValidationError).field,
    ).toBe('potato');
    // Rejections, never synchronous throws, from the Promise-returning methods.
    const bare = client(transport);
    for (const call of [
      () => bare.potatoLogin('u', 'p'),
      () => bare.getCardMyList(),
      () => bare.createCardMy({ type: 1, total: 1 }),
    ]) {
      let result: Promise<unknown> | undefined;
      expect(() => {
        result = call();
      }).not.toThrow();
      expect(((await rejection(result!)) as KamiValidationError).field).toBe('potato');
    }
    expect(
      (
        (await rejection(
          client(transport, { potato: { askKey: 'ask' } }).createCardMy({ type: 1, total: 1 }),
        )) as KamiValidationError
      ).field,
    ).toBe('potato.apiUserToken');
    expect(
      (
        (await rejection(
          client(transport, { potato: { askKey: '' } }).createCardMy({ type: 1, total: 1 }),
        )) as KamiValidationError
      ).field,
    ).toBe('potato.askKey');
    expect(
      (
        (await rejection(
          client(transport, { potato: { askKey: 'ask' } }).potatoLogin(),
        )) as KamiValidationError
      ).field,
    ).toBe('userNumber');
    expect(transport.mock.calls).toHaveLength(0);
  });
});

describe('login', () => {
  it('sends the seed request exactly (sign-plain.json seed-login) and returns the fields', async () => {
    const { transport, log } = fullServer();
    const result = await client(transport.transport).login('KM3Q5T7W9Y2B4D6F', 'DEVICE_001');
    const seedCase = signPlain.cases.find((c: { name: string }) => c.name === 'seed-login');
    const request = transport.calls[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`${A}/813B2676E9690C89`);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request.body).toBe(seedCase.formBody);
    expect(request.timeoutMs).toBe(10_000);
    expect(log[0]!.signatureValid).toBe(true);
    expect(result.signText).toBe(seedCase.signText);
    expect(result).toMatchObject({
      id: 1,
      endTime: '2026-04-10 12:00:00',
      amount: '30天',
      available: 2592000,
      safeCode: 'hello',
      time: T,
      date: DATE,
      imei: 'DEVICE_001',
      change: 0,
      core: '48656c6c6f',
    });
    expect(result.statecode).toBe(md5(`${result.token}${T}`));
    expect(result.raw.code).toBe('200');
  });

  it.each([
    ['consistentBasicResponse', 'auto'],
    ['consistentBasicResponse', 'basic'],
    ['consistentSignedResponse', 'auto'],
    ['consistentSignedResponse', 'signed'],
    ['intSuccessCodeResponse', 'auto'],
  ] as const)('accepts the seed reply %s with verifyToken %s', async (name, verifyToken) => {
    const reply = seedFx.t3Login[name];
    const fake = scriptedTransport({ [A]: [ok(reply)] });
    // The seed's reply time is T; the seed's date (202603111200) differs from the local minute on purpose.
    const result = await client(fake.transport, { verifyToken }).login('KM3Q5T7W9Y2B4D6F', 'DEVICE_001');
    expect(result.token).toBe(reply.token);
    expect(result.date).toBe('202603111200');
  });

  it('a signed token is refused with verifyToken basic, a basic one with signed', async () => {
    const signed = scriptedTransport({ [A]: [ok(seedFx.t3Login.consistentSignedResponse)] });
    expect(
      (
        await rejection(
          client(signed.transport, { verifyToken: 'basic' }).login('KM3Q5T7W9Y2B4D6F', 'DEVICE_001'),
        )
      ).code,
    ).toBe('TOKEN_MISMATCH');
    const basic = scriptedTransport({ [A]: [ok(seedFx.t3Login.consistentBasicResponse)] });
    expect(
      (
        await rejection(
          client(basic.transport, { verifyToken: 'signed' }).login('KM3Q5T7W9Y2B4D6F', 'DEVICE_001'),
        )
      ).code,
    ).toBe('TOKEN_MISMATCH');
  });

  it('verifyToken: false skips the token, statecode and safe_code checks', async () => {
    const fake = scriptedTransport({
      [A]: [ok({ ...seedFx.t3Login.successResponse, safe_code: 'not echoed' })],
    });
    const result = await client(fake.transport, { verifyToken: false }).login(
      'KM3Q5T7W9Y2B4D6F',
      'DEVICE_001',
    );
    expect(result.token).toBe('a1b2c3d4e5f6...');
    // The clock is a separate check: maxClockSkewSeconds: Infinity turns it off.
    const late = scriptedTransport({ [A]: [ok({ ...seedFx.t3Login.successResponse, time: T + 3600 })] });
    const c = client(late.transport, { verifyToken: false, maxClockSkewSeconds: Number.POSITIVE_INFINITY });
    await expect(c.login('KM3Q5T7W9Y2B4D6F', 'DEVICE_001')).resolves.toMatchObject({ time: T + 3600 });
  });

  it('the placeholder tokens of the seed document do not verify', async () => {
    const fake = scriptedTransport({ [A]: [ok(seedFx.t3Login.successResponse)] });
    expect((await rejection(client(fake.transport).login('KM3Q5T7W9Y2B4D6F', 'DEVICE_001'))).code).toBe(
      'TOKEN_MISMATCH',
    );
  });

  it('a token tampered by one byte → TOKEN_MISMATCH', async () => {
    const handler = t3Handler(APP_KEY, { mode: 'plain' }, (r) => {
      const reply = loginReply(APP_KEY, r, { time: T, date: DATE });
      return { ...reply, token: (reply.token[0] === 'a' ? 'b' : 'a') + reply.token.slice(1) };
    });
    const error = await rejection(client(scriptedTransport({ [A]: [handler] }).transport).login('KM', 'DEV'));
    expect(KamiVerificationError.isInstance(error)).toBe(true);
    expect(error.code).toBe('TOKEN_MISMATCH');
  });

  it('a reply signed with another APPKEY → TOKEN_MISMATCH', async () => {
    const handler = t3Handler(APP_KEY, { mode: 'plain' }, (r) =>
      loginReply('other-key', r, { time: T, date: DATE }),
    );
    expect(
      (await rejection(client(scriptedTransport({ [A]: [handler] }).transport).login('KM', 'DEV'))).code,
    ).toBe('TOKEN_MISMATCH');
  });

  it('safe_code not echoed → SAFE_CODE_MISMATCH; each login sends a fresh nonce by default', async () => {
    const handler = t3Handler(APP_KEY, { mode: 'plain' }, (r) => ({
      ...loginReply(APP_KEY, r, { time: T, date: DATE }),
      safe_code: 'x',
    }));
    expect(
      (await rejection(client(scriptedTransport({ [A]: [handler] }).transport).login('KM', 'DEV'))).code,
    ).toBe('SAFE_CODE_MISMATCH');
    const { transport, log } = fullServer();
    const c = createVerify({
      baseUrl: A,
      appKey: APP_KEY,
      routes: ROUTES,
      md5,
      transport: transport.transport,
      now: () => T * 1000,
    });
    await c.login('KM', 'DEV');
    await c.login('KM', 'DEV');
    const nonces = log.map((r) => r.params.find(([k]) => k === 'safe_code')![1]);
    expect(nonces[0]).toMatch(/^[0-9a-f]{16}$/);
    expect(nonces[1]).not.toBe(nonces[0]);
  });

  it('clock skew: default 5 s, configurable', async () => {
    const at = (replyTime: number) =>
      t3Handler(APP_KEY, { mode: 'plain' }, (r) => loginReply(APP_KEY, r, { time: replyTime, date: DATE }));
    await expect(
      client(scriptedTransport({ [A]: [at(T + 5)] }).transport).login('KM', 'DEV'),
    ).resolves.toBeDefined();
    expect(
      (await rejection(client(scriptedTransport({ [A]: [at(T + 6)] }).transport).login('KM', 'DEV'))).code,
    ).toBe('CLOCK_SKEW');
    expect(
      (await rejection(client(scriptedTransport({ [A]: [at(T - 6)] }).transport).login('KM', 'DEV'))).code,
    ).toBe('CLOCK_SKEW');
    await expect(
      client(scriptedTransport({ [A]: [at(T + 60)] }).transport, { maxClockSkewSeconds: 60 }).login(
        'KM',
        'DEV',
      ),
    ).resolves.toBeDefined();
  });

  it.each([
    ['{"code":201,"msg":"卡密已到期"}', 'CARD_EXPIRED', 201],
    ['{"code":"201","msg":"请在原设备登录"}', 'DEVICE_MISMATCH', '201'],
    ['{"code":"-1","msg":"签名有误"}', 'SIGNATURE_INVALID', '-1'],
    ['{"code":500,"msg":"数据库炸了"}', 'UNKNOWN_SERVER_ERROR', 500],
    ['{"code":201}', 'UNKNOWN_SERVER_ERROR', 201],
  ])('error body %s → %s', async (body, code, serverCode) => {
    const fake = scriptedTransport({ [A]: [ok(body)] });
    const error = await rejection(client(fake.transport).login('KM', 'DEV'));
    expect(KamiApiError.isInstance(error)).toBe(true);
    expect(error.code).toBe(code);
    expect((error as KamiApiError).serverCode).toBe(serverCode);
    expect((error as KamiApiError).serverMessage).toBe(JSON.parse(body).msg ?? '');
  });

  it('custom successCode', async () => {
    const handler = t3Handler(APP_KEY, { mode: 'plain' }, (r) =>
      loginReply(APP_KEY, r, { time: T, date: DATE, code: '1' }),
    );
    await expect(
      client(scriptedTransport({ [A]: [handler] }).transport, { successCode: 1 }).login('KM', 'DEV'),
    ).resolves.toMatchObject({
      id: 1,
    });
    // With the default success code, "1" is an error.
    const error = await rejection(client(scriptedTransport({ [A]: [handler] }).transport).login('KM', 'DEV'));
    expect(error.code).toBe('UNKNOWN_SERVER_ERROR');
  });

  it.each(['id', 'end_time', 'token', 'statecode', 'time', 'date'])(
    'missing %s → RESPONSE_MISSING_FIELD',
    async (field) => {
      const handler = t3Handler(APP_KEY, { mode: 'plain' }, (r) => {
        const reply: Record<string, unknown> = loginReply(APP_KEY, r, { time: T, date: DATE });
        delete reply[field];
        return reply;
      });
      const error = await rejection(
        client(scriptedTransport({ [A]: [handler] }).transport).login('KM', 'DEV'),
      );
      expect(error.code).toBe('RESPONSE_MISSING_FIELD');
      expect(error.message).toContain(field);
    },
  );

  it('an HTML 502 → HTTP_ERROR, and the login is not resent to another host', async () => {
    const fake = scriptedTransport({ [A]: [ok('<html>502</html>', 502)], [B]: [ok('{}')] });
    const error = await rejection(client(fake.transport, { baseUrl: [A, B] }).login('KM', 'DEV'));
    expect(error.code).toBe('HTTP_ERROR');
    expect((error as KamiResponseError).httpStatus).toBe(502);
    expect(fake.hostsCalled()).toEqual([A]);
  });

  it('invalid JSON and undecodable bodies', async () => {
    const bad = scriptedTransport({ [A]: [ok('this is not json')] });
    expect((await rejection(client(bad.transport).login('KM', 'DEV'))).code).toBe('RESPONSE_INVALID_JSON');
    const b64 = scriptedTransport({ [A]: [ok('@@@@')] });
    // '@' is in neither alphabet? pick a char outside the configured one.
    const alphabet: string = ab.alphabets.reversed;
    expect(alphabet.includes('@')).toBe(false);
    expect(
      (await rejection(client(b64.transport, { encoding: { mode: 'base64', alphabet } }).login('KM', 'DEV')))
        .code,
    ).toBe('RESPONSE_DECODE_FAILED');
  });

  it('HTTP 429 with Retry-After → KamiRateLimitError, not resent', async () => {
    const fake = scriptedTransport({
      [A]: [ok('{"code":429,"msg":"请求过于频繁,请稍后再试"}', 429, { 'retry-after': '7' })],
      [B]: [ok('{}')],
    });
    const error = await rejection(client(fake.transport, { baseUrl: [A, B] }).login('KM', 'DEV'));
    expect(KamiRateLimitError.isInstance(error)).toBe(true);
    expect((error as KamiRateLimitError).retryAfterMs).toBe(7000);
    expect(fake.hostsCalled()).toEqual([A]);
  });

  it('failover: a refused connection moves on, a reset does not', async () => {
    const { transport: good } = fullServer();
    const refused = scriptedTransport({ [A]: [{ error: 'connect' }], [B]: [(r) => good.transport(r)] });
    await expect(client(refused.transport, { baseUrl: [A, B] }).login('KM', 'DEV')).resolves.toMatchObject({
      id: 1,
    });
    expect(refused.hostsCalled()).toEqual([A, B]);

    const reset = scriptedTransport({ [A]: [{ error: 'reset' }], [B]: [(r) => good.transport(r)] });
    const error = await rejection(client(reset.transport, { baseUrl: [A, B] }).login('KM', 'DEV'));
    expect(KamiConnectionError.isInstance(error)).toBe(true);
    expect(reset.hostsCalled()).toEqual([A]);

    const timeout = scriptedTransport({ [A]: [{ error: 'timeout' }], [B]: [(r) => good.transport(r)] });
    expect((await rejection(client(timeout.transport, { baseUrl: [A, B] }).login('KM', 'DEV'))).code).toBe(
      'TIMEOUT',
    );
    expect(timeout.hostsCalled()).toEqual([A]);
  });

  it('base64 mode end to end (server decodes with Buffer)', async () => {
    const alphabet: string = ab.alphabets.shuffled;
    const { transport, log } = fullServer({ mode: 'base64', alphabet });
    const result = await client(transport.transport, { encoding: { mode: 'base64', alphabet } }).login(
      '中文卡密',
      '设备😀',
    );
    expect(log[0]!.signatureValid).toBe(true);
    expect(log[0]!.params).toEqual([
      ['kami', '中文卡密'],
      ['imei', '设备😀'],
      ['safe_code', 'hello'],
    ]);
    expect(log[0]!.t).toBe(String(T));
    expect(result.imei).toBe('设备😀');
  });

  it('RSA mode end to end, two-way token (server decrypts with node)', async () => {
    const { transport, log } = fullServer({ mode: 'rsa' }, 'signed');
    const result = await client(transport.transport, {
      encoding: { mode: 'rsa', publicKey: rsaKey.publicKeySpkiPem },
      verifyToken: 'signed',
    }).login('KM3Q5T7W9Y2B4D6F', 'DEVICE_001');
    expect(log[0]!.signatureValid).toBe(true);
    expect(result.signText).toBe(log[0]!.signText);
    expect(result.token).toBe(md5(`1${APP_KEY}${log[0]!.signText}2026-04-10 12:00:00${DATE}`));
  });
});

describe('other T3 endpoints', () => {
  it("heartbeat sends (kami and) statecode in the catalogue's order, checks the clock", async () => {
    const { transport, log } = fullServer();
    const c = client(transport.transport);
    await expect(c.heartbeat('sc123')).resolves.toMatchObject({ msg: '在线', time: T, date: DATE });
    await c.heartbeat('sc123', { kami: 'KM' });
    expect(log.map((r) => r.params)).toEqual([
      [['statecode', 'sc123']],
      [
        ['kami', 'KM'],
        ['statecode', 'sc123'],
      ],
    ]);
    expect(log.every((r) => r.signatureValid)).toBe(true);
    expect(transport.calls[0]!.url).toBe(`${A}/A1B2C3D4E5F60718`);
    const skewed = scriptedTransport({ [A]: [ok({ code: 200, msg: '在线', time: T - 100, date: DATE })] });
    expect((await rejection(client(skewed.transport).heartbeat('sc'))).code).toBe('CLOCK_SKEW');
    const noTime = scriptedTransport({ [A]: [ok({ code: 200, msg: '在线' })] });
    expect((await rejection(client(noTime.transport).heartbeat('sc'))).code).toBe('RESPONSE_MISSING_FIELD');
    const gone = scriptedTransport({ [A]: [ok({ code: 201, msg: '状态码不存在' })] });
    expect((await rejection(client(gone.transport).heartbeat('sc'))).code).toBe('STATECODE_NOT_FOUND');
  });

  it('heartbeat (idempotent) fails over on 503 and retries', async () => {
    vi.useFakeTimers();
    try {
      const { transport: good } = fullServer();
      const fake = scriptedTransport({ [A]: [ok('', 503)], [B]: [ok('', 503), (r) => good.transport(r)] });
      const pending = client(fake.transport, { baseUrl: [A, B] }).heartbeat('sc');
      await vi.runAllTimersAsync();
      await expect(pending).resolves.toMatchObject({ msg: '在线' });
      expect(fake.hostsCalled()).toEqual([A, B, A, B]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('query, unbind, notice, version, checkUpdate', async () => {
    const { transport, log } = fullServer();
    const c = client(transport.transport);
    await expect(c.query('KM')).resolves.toMatchObject({
      id: 1,
      state: 1,
      use: 1,
      useTime: '2026-03-11 12:00:00',
      endTime: '2026-04-10 12:00:00',
      amount: '30天',
      available: 2592000,
    });
    expect(transport.calls.at(-1)!.url).toBe(`${A}/api/query`);
    await expect(c.unbind('KM', 'DEV')).resolves.toMatchObject({ msg: '解绑成功' });
    await expect(c.notice()).resolves.toMatchObject({ msg: '公告: 中文 😀' });
    await expect(c.version()).resolves.toMatchObject({ version: '1.2.3' });
    await expect(c.checkUpdate('1.0.0')).resolves.toEqual({
      latest: false,
      version: '1.2.3',
      uplog: '修复',
      upurl: 'https://example.test/app.zip',
      raw: expect.any(Object),
    });
    await expect(c.checkUpdate('1.2.3')).resolves.toMatchObject({ latest: true, msg: '已是最新版' });
    expect(log.every((r) => r.signatureValid)).toBe(true);
    expect(log.find((r) => new URL(r.request.url).pathname === `/${ROUTES.notice}`)!.params).toEqual([]);
  });

  it('version without ver → RESPONSE_MISSING_FIELD; checkUpdate error → typed', async () => {
    const noVer = scriptedTransport({ [A]: [ok({ code: 200 })] });
    expect((await rejection(client(noVer.transport).version())).code).toBe('RESPONSE_MISSING_FIELD');
    const off = scriptedTransport({ [A]: [ok({ code: 201, msg: '接口未开启' })] });
    expect((await rejection(client(off.transport).checkUpdate('1.0.0'))).code).toBe('ENDPOINT_DISABLED');
  });

  it('unbind is not idempotent: a reset is not resent', async () => {
    const fake = scriptedTransport({ [A]: [{ error: 'reset' }], [B]: [ok({ code: 200, msg: '解绑成功' })] });
    await rejection(client(fake.transport, { baseUrl: [A, B] }).unbind('KM', 'DEV'));
    expect(fake.hostsCalled()).toEqual([A]);
  });

  it('timeouts: client default, client option and per call', async () => {
    const { transport } = fullServer();
    await client(transport.transport).notice();
    await client(transport.transport, { timeoutMs: 3000 }).notice();
    await client(transport.transport, { timeoutMs: 3000 }).notice({ timeoutMs: 500 });
    expect(transport.calls.map((c) => c.timeoutMs)).toEqual([10_000, 3000, 500]);
  });

  it('trailing slashes of baseUrl are dropped', async () => {
    const { transport } = fullServer();
    await client(transport.transport, { baseUrl: `${A}//` }).notice();
    expect(transport.calls[0]!.url).toBe(`${A}/${ROUTES.notice}`);
  });
});

describe('AbortSignal', () => {
  it('a per-call signal reaches the transport and an abort surfaces as KamiAbortError', async () => {
    const controller = new AbortController();
    const transport: Transport = (request) =>
      new Promise((_, reject) => {
        request.signal!.addEventListener('abort', () =>
          reject(new KamiAbortError({ cause: request.signal!.reason })),
        );
      });
    const pending = client(transport).login('KM', 'DEV', { signal: controller.signal });
    controller.abort();
    const error = await rejection(pending);
    expect(KamiAbortError.isInstance(error)).toBe(true);
    expect(error.code).toBe('ABORTED');
  });

  it('the client-wide signal is used when no per-call signal is given', async () => {
    const controller = new AbortController();
    const { transport } = fullServer();
    const c = client(transport.transport, { signal: controller.signal });
    await c.notice();
    expect(transport.calls[0]!.signal).toBe(controller.signal);
    const own = new AbortController();
    await c.notice({ signal: own.signal });
    expect(transport.calls[1]!.signal).toBe(own.signal);
  });
});

describe('potatocloud client', () => {
  const seed = seedFx.potatoCreateCardMy;
  const NOW_MS = 1675926123437;

  function potatoServer(opts: { token?: string; secret?: string; expireFirst?: boolean } = {}) {
    const token = opts.token ?? 'tok-1';
    let expired = opts.expireFirst ?? false;
    const handler = (request: {
      url: string;
      headers: Record<string, string>;
      body?: string | undefined;
    }) => {
      const path = new URL(request.url).pathname;
      const body = JSON.parse(request.body ?? '{}');
      if (request.headers.askKey !== 'ask')
        return ok({ code: '403', message: 'askKey无效', status: false, data: null });
      if (opts.secret) {
        if (request.headers.sign !== md5(`${opts.secret}${request.headers.time}`)) {
          return ok({ code: '403', message: '签名有误', status: false, data: null });
        }
      }
      if (path === '/api/login') {
        if (body.userNumber !== 'u' || body.passWord !== 'p')
          return ok({ code: '500', message: '账号或密码错误', status: false, data: null });
        expired = false;
        return ok({ code: '200', message: '', status: true, data: { apiUserToken: token } });
      }
      if (request.headers.apiUserToken !== token || expired) {
        expired = false;
        return ok({ code: '403', message: '用户令牌无效或登录已超时', status: false, data: null });
      }
      if (path === '/api/createCardMy') {
        expect(body).toEqual(seed.request);
        return ok(seed.response);
      }
      if (path === '/api/getCardMyList')
        return ok({
          code: 200,
          message: '',
          status: true,
          data: { list: seed.response.data.slice(0, 2), total: 2 },
        });
      return ok('', 404);
    };
    return scriptedTransport({ [A]: [handler] });
  }

  it('createCardMy {type:1,total:10} returns the seed cards, with askKey/apiUserToken/time/sign headers', async () => {
    const fake = potatoServer({ secret: 'S3cr3t!' });
    const c = client(fake.transport, {
      now: () => NOW_MS,
      potato: { askKey: 'ask', apiUserToken: 'tok-1', signSecret: 'S3cr3t!' },
    });
    const cards = await c.createCardMy(seed.request);
    expect(cards).toEqual(seed.response.data);
    const request = fake.calls[0]!;
    expect(request.url).toBe(`${A}${seed.path}`);
    expect(request.body).toBe(seed.requestJson);
    expect(request.headers).toEqual({
      'content-type': 'application/json',
      askKey: 'ask',
      apiUserToken: 'tok-1',
      time: String(NOW_MS),
      sign: md5(`S3cr3t!${NOW_MS}`),
    });
  });

  it('logs in first with userNumber/passWord, and again once when the token expired', async () => {
    const fake = potatoServer({ expireFirst: false });
    const c = client(fake.transport, { potato: { askKey: 'ask', userNumber: 'u', passWord: 'p' } });
    await c.createCardMy(seed.request);
    expect(fake.calls.map((r) => new URL(r.url).pathname)).toEqual(['/api/login', '/api/createCardMy']);
    expect(fake.calls[0]!.headers.apiUserToken).toBeUndefined();

    const stale = potatoServer();
    const c2 = client(stale.transport, {
      potato: { askKey: 'ask', apiUserToken: 'old', userNumber: 'u', passWord: 'p' },
    });
    await c2.createCardMy(seed.request);
    expect(stale.calls.map((r) => new URL(r.url).pathname)).toEqual([
      '/api/createCardMy',
      '/api/login',
      '/api/createCardMy',
    ]);
  });

  it('potatoLogin returns the token; bad credentials → LOGIN_FAILED', async () => {
    const fake = potatoServer({ token: 'tok-xyz' });
    await expect(client(fake.transport, { potato: { askKey: 'ask' } }).potatoLogin('u', 'p')).resolves.toBe(
      'tok-xyz',
    );
    const error = await rejection(
      client(fake.transport, { potato: { askKey: 'ask' } }).potatoLogin('u', 'wrong'),
    );
    expect(error.code).toBe('LOGIN_FAILED');
  });

  it('an expired token without credentials → USER_TOKEN_INVALID', async () => {
    const fake = potatoServer();
    const error = await rejection(
      client(fake.transport, { potato: { askKey: 'ask', apiUserToken: 'old' } }).createCardMy(seed.request),
    );
    expect(error.code).toBe('USER_TOKEN_INVALID');
    expect((error as KamiApiError).serverCode).toBe('403');
  });

  it('getCardMyList reads list/records/array shapes', async () => {
    const fake = potatoServer();
    const res = await client(fake.transport, {
      potato: { askKey: 'ask', apiUserToken: 'tok-1' },
    }).getCardMyList({ p: 1, s: 2 });
    expect(res.cards).toHaveLength(2);
    expect(res.total).toBe(2);
    expect(JSON.parse(fake.calls[0]!.body!)).toEqual({ p: 1, s: 2 });
    for (const data of [{ records: [seed.response.data[0]] }, [seed.response.data[0]]]) {
      const f = scriptedTransport({ [A]: [ok({ code: '200', message: '', status: true, data })] });
      const r = await client(f.transport, { potato: { askKey: 'ask', apiUserToken: 't' } }).getCardMyList();
      expect(r.cards).toHaveLength(1);
    }
  });

  it('envelope errors and bad bodies', async () => {
    const run = async (outcome: ReturnType<typeof ok>) =>
      rejection(
        client(scriptedTransport({ [A]: [outcome] }).transport, {
          potato: { askKey: 'ask', apiUserToken: 't' },
        }).createCardMy(seed.request),
      );
    expect((await run(ok({ code: '403', message: '未开启API生成卡密', status: false }))).code).toBe(
      'PERMISSION_DENIED',
    );
    expect((await run(ok({ code: 403, message: '', status: false }))).code).toBe('PERMISSION_DENIED');
    expect((await run(ok({ code: '500', message: '生成条数有误,单次最多10条', status: false }))).code).toBe(
      'INVALID_TOTAL',
    );
    expect((await run(ok({ code: '500', message: 'boom', status: false }))).code).toBe('SERVER_ERROR');
    expect((await run(ok('not json'))).code).toBe('RESPONSE_INVALID_JSON');
    expect((await run(ok('<html>', 502))).code).toBe('HTTP_ERROR');
    expect((await run(ok({ message: 'no code' }))).code).toBe('RESPONSE_MISSING_FIELD');
    expect((await run(ok({ code: '200', message: '', status: true, data: null }))).code).toBe(
      'RESPONSE_MISSING_FIELD',
    );
    const limited = await run(
      ok({ code: '500', message: '请求过于频繁,请稍后再试' }, 429, { 'retry-after': '2' }),
    );
    expect(KamiRateLimitError.isInstance(limited)).toBe(true);
    expect((limited as KamiRateLimitError).retryAfterMs).toBe(2000);
  });

  it('createCardMy is not resent after a reset; a separate potato baseUrl is used', async () => {
    const P = 'http://p.test';
    const fake = scriptedTransport({ [P]: [{ error: 'reset' }], [A]: [ok('{}')] });
    await rejection(
      client(fake.transport, { potato: { baseUrl: [P, A], askKey: 'ask', apiUserToken: 't' } }).createCardMy(
        seed.request,
      ),
    );
    expect(fake.hostsCalled()).toEqual([P]);
  });
});

describe('createT3Client (codec injected)', () => {
  it('behaves like createVerify for the T3 family, with any codec', async () => {
    const alphabet: string = ab.alphabets.shuffled;
    const { transport, log } = fullServer({ mode: 'base64', alphabet });
    const t3 = createT3Client({
      baseUrl: A,
      appKey: APP_KEY,
      routes: ROUTES,
      md5,
      transport: transport.transport,
      now: () => T * 1000,
      createSafeCode: () => 'hello',
      codec: createAlphabetCodec(alphabet),
    });
    await expect(t3.login('中文卡密', 'DEVICE_001')).resolves.toMatchObject({ id: 1, safeCode: 'hello' });
    await expect(t3.heartbeat('sc')).resolves.toMatchObject({ msg: '在线' });
    expect(log.every((r) => r.signatureValid)).toBe(true);
    expect('createCardMy' in t3).toBe(false);
  });

  it('defaults to the plain codec and sends the seed request', async () => {
    const { transport } = fullServer();
    const t3 = createT3Client({
      baseUrl: A,
      appKey: APP_KEY,
      routes: ROUTES,
      md5,
      transport: transport.transport,
      now: () => T * 1000,
      createSafeCode: () => 'hello',
    });
    await t3.login('KM3Q5T7W9Y2B4D6F', 'DEVICE_001');
    expect(transport.calls[0]!.body).toBe(signPlain.cases[0].formBody);
  });

  it('validates options and the codec before any I/O', () => {
    const transport = neverTransport();
    const base = { baseUrl: A, appKey: APP_KEY, routes: ROUTES, md5, transport };
    for (const [over, field] of [
      [{ codec: { mode: 'plain' } }, 'codec'],
      [{ baseUrl: 'nope' }, 'baseUrl'],
      [{ appKey: '' }, 'appKey'],
    ] as const) {
      try {
        createT3Client({ ...base, ...over } as never);
        expect.unreachable();
      } catch (error) {
        expect((error as KamiValidationError).field).toBe(field);
      }
    }
    expect(transport.mock.calls).toHaveLength(0);
  });
});

describe('createSessionClient (login and heartbeat only)', () => {
  const base = () => ({
    baseUrl: A,
    appKey: APP_KEY,
    routes: ROUTES,
    md5,
    now: () => T * 1000,
    createSafeCode: () => 'hello',
  });

  it('has exactly login and heartbeat', () => {
    const session = createSessionClient({ ...base(), transport: neverTransport() });
    expect(Object.keys(session).sort()).toEqual(['heartbeat', 'login']);
  });

  it('sends the same bytes and returns the same results as createT3Client and createVerify', async () => {
    const results = [];
    for (const make of [
      (transport: Transport) => createSessionClient({ ...base(), transport }),
      (transport: Transport) => createT3Client({ ...base(), transport }),
      (transport: Transport) => client(transport),
    ]) {
      const { transport } = fullServer();
      const c = make(transport.transport);
      const login = await c.login('KM3Q5T7W9Y2B4D6F', 'DEVICE_001');
      const beat = await c.heartbeat(login.statecode, { kami: 'KM3Q5T7W9Y2B4D6F' });
      results.push({ login, beat, sent: transport.calls.map((r) => [r.url, r.body]) });
    }
    expect(results[0]!.sent[0]![1]).toBe(signPlain.cases[0].formBody);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });

  it('verifies replies and types errors like the full client', async () => {
    const alphabet: string = ab.alphabets.shuffled;
    const { transport, log } = fullServer({ mode: 'base64', alphabet }, 'signed');
    const session = createSessionClient({
      ...base(),
      transport: transport.transport,
      codec: createAlphabetCodec(alphabet),
    });
    await expect(session.login('中文卡密', 'DEVICE_001')).resolves.toMatchObject({
      id: 1,
      safeCode: 'hello',
    });
    await expect(session.heartbeat('sc')).resolves.toMatchObject({ msg: '在线', time: T });
    expect(log.every((r) => r.signatureValid)).toBe(true);

    // A request signed with another APPKEY is refused by the server (签名有误).
    const forged = fullServer();
    const wrongKey = createSessionClient({
      ...base(),
      appKey: 'another-app-key',
      transport: forged.transport.transport,
    });
    expect((await rejection(wrongKey.login('KM3Q5T7W9Y2B4D6F', 'DEVICE_001'))).code).toBe(
      'SIGNATURE_INVALID',
    );

    // Server messages become typed errors; a reply outside the clock window is refused.
    const refusing = scriptedTransport({ [A]: [ok(JSON.stringify({ code: 201, msg: '状态码不存在' }))] });
    const gone = await rejection(
      createSessionClient({ ...base(), transport: refusing.transport }).heartbeat('sc'),
    );
    expect(KamiApiError.isInstance(gone) && gone.code).toBe('STATECODE_NOT_FOUND');
    const late = scriptedTransport({ [A]: [ok(JSON.stringify({ code: 200, msg: '在线', time: T + 60 }))] });
    const skew = await rejection(
      createSessionClient({ ...base(), transport: late.transport }).heartbeat('sc'),
    );
    expect(KamiVerificationError.isInstance(skew) && skew.code).toBe('CLOCK_SKEW');
  });

  it("knows the messages its two calls answer; another endpoint's text is UNKNOWN_SERVER_ERROR, kept", async () => {
    const reply = (msg: string) =>
      scriptedTransport({ [A]: [ok(JSON.stringify({ code: 201, msg }))] }).transport;
    const rate = await rejection(
      createSessionClient({ ...base(), transport: reply(T3_MESSAGES.RATE_LIMITED) }).login('c', 'd'),
    );
    expect(KamiRateLimitError.isInstance(rate)).toBe(true);
    const missing = await rejection(
      createSessionClient({ ...base(), transport: reply(T3_MESSAGES.ENDPOINT_NOT_FOUND) }).login('c', 'd'),
    );
    expect(missing.code).toBe('ENDPOINT_NOT_FOUND');
    // 变量不存在 is a variables reply: the full client names it, the session client keeps the text.
    const full = await rejection(
      createT3Client({ ...base(), transport: reply(T3_MESSAGES.VARIABLE_NOT_FOUND) }).login('c', 'd'),
    );
    expect(full.code).toBe('VARIABLE_NOT_FOUND');
    const lean = await rejection(
      createSessionClient({ ...base(), transport: reply(T3_MESSAGES.VARIABLE_NOT_FOUND) }).login('c', 'd'),
    );
    expect(KamiApiError.isInstance(lean) && [lean.code, lean.serverMessage]).toEqual([
      'UNKNOWN_SERVER_ERROR',
      T3_MESSAGES.VARIABLE_NOT_FOUND,
    ]);
  });

  it('validates options, the codec and arguments before any I/O', async () => {
    const transport = neverTransport();
    for (const [over, field] of [
      [{ codec: { mode: 'plain' } }, 'codec'],
      [{ baseUrl: 'nope' }, 'baseUrl'],
      [{ appKey: '' }, 'appKey'],
      [{ md5: 'md5' }, 'md5'],
      [{ transport: undefined }, 'transport'],
    ] as const) {
      try {
        createSessionClient({ ...base(), transport, ...over } as never);
        expect.unreachable();
      } catch (error) {
        expect((error as KamiValidationError).field).toBe(field);
      }
    }
    const session = createSessionClient({ ...base(), transport, routes: { login: ROUTES.login } });
    expect((await rejection(session.login('card', "DEV'ICE"))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(session.heartbeat(''))).code).toBe('INVALID_ARGUMENT');
    const noRoute = (await rejection(session.heartbeat('sc'))) as KamiValidationError;
    expect(noRoute.field).toBe('routes.heartbeat');
    expect(transport.mock.calls).toHaveLength(0);
  });
});
