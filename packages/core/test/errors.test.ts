import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import {
  KamiAbortError,
  KamiApiError,
  KamiConnectionError,
  KamiError,
  KamiRateLimitError,
  KamiResponseError,
  KamiTimeoutError,
  KamiValidationError,
  KamiVerificationError,
  POTATO_CODES,
  POTATO_MESSAGES,
  potatoCodeForMessage,
  potatoErrorFromEnvelope,
  T3_MESSAGES,
  T3_SESSION_MESSAGES,
  T3_SUCCESS_MESSAGES,
  t3CodeForMessage,
  t3ErrorForCode,
  t3ErrorFromMessage,
  t3SessionCodeForMessage,
} from '../src';
import { loadVector } from './helpers';

interface Entry {
  message: string;
  code: string;
  errorCode: string;
}
const mv = loadVector<{
  t3: { seed: Entry[]; other: Entry[]; success: { message: string; code: string }[] };
  potato: Entry[];
  potatoEnvelopeFallback: { serverCode: string; errorCode: string }[];
  unknownMessage: { message: string; errorCode: string };
}>('messages.json');

describe('message tables match messages.json', () => {
  it('T3_MESSAGES is exactly the seed table plus the other documented texts', () => {
    const expected = Object.fromEntries([...mv.t3.seed, ...mv.t3.other].map((e) => [e.code, e.message]));
    expect(T3_MESSAGES).toEqual(expected);
  });
  it('T3_SESSION_MESSAGES is what the catalogue says login and heartbeat answer', () => {
    const catalogue = JSON.parse(
      readFileSync(new URL('../../../spec/catalogue/t3.json', import.meta.url), 'utf8'),
    ) as { common: { errors: string[] }; endpoints: Array<{ name: string; messages: { errors: string[] } }> };
    const own = catalogue.endpoints.filter((e) => e.name === 'login' || e.name === 'heartbeat');
    expect(own).toHaveLength(2);
    const codes = new Set([...catalogue.common.errors, ...own.flatMap((e) => e.messages.errors)]);
    expect(Object.keys(T3_SESSION_MESSAGES).sort()).toEqual([...codes].sort());
    for (const [code, text] of Object.entries(T3_SESSION_MESSAGES)) {
      expect(T3_MESSAGES[code as keyof typeof T3_MESSAGES]).toBe(text);
      expect(t3SessionCodeForMessage(` ${text}`)).toBe(code);
    }
    expect(t3SessionCodeForMessage(T3_MESSAGES.USER_NOT_FOUND)).toBeUndefined();
    expect(t3CodeForMessage(T3_MESSAGES.USER_NOT_FOUND)).toBe('USER_NOT_FOUND');
  });
  it('T3_SUCCESS_MESSAGES', () => {
    expect(T3_SUCCESS_MESSAGES).toEqual(Object.fromEntries(mv.t3.success.map((e) => [e.code, e.message])));
  });
  it('POTATO_MESSAGES', () => {
    expect(POTATO_MESSAGES).toEqual(Object.fromEntries(mv.potato.map((e) => [e.code, e.message])));
    expect(POTATO_CODES).toEqual({ OK: 200, NO_DATA: 203, FORBIDDEN: 403, ERROR: 500 });
  });
  it('messages are unique within each table (the lookup is reversible)', () => {
    expect(new Set(Object.values(T3_MESSAGES)).size).toBe(Object.keys(T3_MESSAGES).length);
    expect(new Set(Object.values(POTATO_MESSAGES)).size).toBe(Object.keys(POTATO_MESSAGES).length);
  });
});

describe('T3 message → typed error', () => {
  const all = [...mv.t3.seed, ...mv.t3.other];
  it.each(all.map((e) => [e.message, e] as const))('%s', (_, e) => {
    expect(t3CodeForMessage(e.message)).toBe(e.code);
    expect(t3CodeForMessage(` ${e.message}\n`)).toBe(e.code);
    const error = t3ErrorFromMessage(e.message, { serverCode: '201', httpStatus: 200, retryAfterMs: 1500 });
    expect(error.code).toBe(e.errorCode);
    expect(error.serverMessage).toBe(e.message);
    expect(error.message).toBe(e.message);
    expect(error.serverCode).toBe('201');
    expect(error.httpStatus).toBe(200);
    expect(error).toBeInstanceOf(KamiApiError);
    expect(error).toBeInstanceOf(KamiError);
    expect(error).toBeInstanceOf(Error);
    expect(KamiApiError.isInstance(error)).toBe(true);
    expect(KamiError.isInstance(error)).toBe(true);
    expect(KamiConnectionError.isInstance(error)).toBe(false);
    if (e.code === 'RATE_LIMITED') {
      expect(error).toBeInstanceOf(KamiRateLimitError);
      expect(KamiRateLimitError.isInstance(error)).toBe(true);
      expect((error as KamiRateLimitError).retryAfterMs).toBe(1500);
    } else {
      expect(KamiRateLimitError.isInstance(error)).toBe(false);
      expect(error.name).toBe('KamiApiError');
    }
  });

  it('an unknown message → UNKNOWN_SERVER_ERROR keeping the text', () => {
    expect(t3CodeForMessage(mv.unknownMessage.message)).toBeUndefined();
    const error = t3ErrorFromMessage(mv.unknownMessage.message, { serverCode: 500, httpStatus: 200 });
    expect(error.code).toBe(mv.unknownMessage.errorCode);
    expect(error.serverMessage).toBe(mv.unknownMessage.message);
    expect(error.message).toBe(mv.unknownMessage.message);
    expect(error.serverCode).toBe(500);
  });

  it('t3ErrorForCode types a message the caller already looked up', () => {
    const limited = t3ErrorForCode('RATE_LIMITED', T3_MESSAGES.RATE_LIMITED, {
      httpStatus: 200,
      retryAfterMs: 10,
    });
    expect(KamiRateLimitError.isInstance(limited) && limited.retryAfterMs).toBe(10);
    const unknown = t3ErrorForCode(undefined, '别的', { serverCode: 201, httpStatus: 200 });
    expect([unknown.code, unknown.serverMessage]).toEqual(['UNKNOWN_SERVER_ERROR', '别的']);
  });

  it('an empty message still gives a readable error', () => {
    const error = t3ErrorFromMessage('', { httpStatus: 200 });
    expect(error.code).toBe('UNKNOWN_SERVER_ERROR');
    expect(error.message).toBe('UNKNOWN_SERVER_ERROR');
    expect(error.serverMessage).toBe('');
  });

  it('HTTP 429 is a rate-limit error whatever the text', () => {
    const error = t3ErrorFromMessage('slow down', { httpStatus: 429, retryAfterMs: 2000 });
    expect(error).toBeInstanceOf(KamiRateLimitError);
    expect(error.code).toBe('RATE_LIMITED');
    expect((error as KamiRateLimitError).retryAfterMs).toBe(2000);
    expect(error.serverMessage).toBe('slow down');
  });
});

describe('potato message → typed error', () => {
  it.each(mv.potato.map((e) => [e.message, e] as const))('%s', (_, e) => {
    expect(potatoCodeForMessage(e.message)).toBe(e.code);
    for (const serverCode of ['403', 500, '200x']) {
      const error = potatoErrorFromEnvelope(e.message, { serverCode, httpStatus: 200 });
      expect(error.code).toBe(e.errorCode);
      expect(error.serverMessage).toBe(e.message);
      expect(error.serverCode).toBe(serverCode);
      expect(KamiApiError.isInstance(error)).toBe(true);
      expect(KamiRateLimitError.isInstance(error)).toBe(e.code === 'RATE_LIMITED');
    }
  });

  it.each(mv.potatoEnvelopeFallback.map((e) => [e.serverCode, e] as const))(
    'unknown text with envelope code %s',
    (_, e) => {
      const error = potatoErrorFromEnvelope(mv.unknownMessage.message, {
        serverCode: e.serverCode,
        httpStatus: 200,
      });
      expect(error.code).toBe(e.errorCode);
      expect(error.serverMessage).toBe(mv.unknownMessage.message);
      // The numeric form of the code maps the same.
      expect(potatoErrorFromEnvelope('', { serverCode: Number(e.serverCode), httpStatus: 200 }).code).toBe(
        e.errorCode,
      );
    },
  );

  it('HTTP 429 → KamiRateLimitError with Retry-After', () => {
    const error = potatoErrorFromEnvelope('', { serverCode: '500', httpStatus: 429, retryAfterMs: 3000 });
    expect(error).toBeInstanceOf(KamiRateLimitError);
    expect((error as KamiRateLimitError).retryAfterMs).toBe(3000);
  });
});

describe('error classes', () => {
  const samples = [
    ['KamiError', new KamiError('SERVER_ERROR', 'x'), KamiError],
    ['KamiApiError', new KamiApiError('CARD_EXPIRED', '卡密已到期', { httpStatus: 200 }), KamiApiError],
    ['KamiRateLimitError', new KamiRateLimitError('', { httpStatus: 429 }), KamiRateLimitError],
    ['KamiConnectionError', new KamiConnectionError('down', { phase: 'connect' }), KamiConnectionError],
    ['KamiTimeoutError', new KamiTimeoutError('slow'), KamiTimeoutError],
    ['KamiAbortError', new KamiAbortError(), KamiAbortError],
    [
      'KamiResponseError',
      new KamiResponseError('HTTP_ERROR', 'HTTP 502', { httpStatus: 502, body: 'x'.repeat(2000) }),
      KamiResponseError,
    ],
    ['KamiVerificationError', new KamiVerificationError('TOKEN_MISMATCH', 'bad'), KamiVerificationError],
    ['KamiValidationError', new KamiValidationError('kami', 'empty'), KamiValidationError],
  ] as const;

  it.each(samples)('%s: name, code and isInstance of exactly its own line', (name, error) => {
    expect(error.name).toBe(name);
    expect(KamiError.isInstance(error)).toBe(true);
    const classes = samples.map(([, , cls]) => cls);
    for (const cls of classes) {
      expect(cls.isInstance(error)).toBe(error instanceof cls);
    }
  });

  it('codes and details', () => {
    expect(new KamiConnectionError('x').phase).toBe('unknown');
    expect(new KamiConnectionError('x').code).toBe('NETWORK_ERROR');
    expect(new KamiTimeoutError('x').code).toBe('TIMEOUT');
    expect(new KamiTimeoutError('x', { phase: 'connect' }).phase).toBe('connect');
    expect(new KamiAbortError().code).toBe('ABORTED');
    expect(new KamiValidationError('f', 'm').code).toBe('INVALID_ARGUMENT');
    expect(new KamiValidationError('f', 'm', 'NOT_ALLOWED_IN_BROWSER').code).toBe('NOT_ALLOWED_IN_BROWSER');
    expect(new KamiValidationError('f', 'm').field).toBe('f');
    const cause = new Error('root');
    expect(new KamiConnectionError('x', { cause }).cause).toBe(cause);
    expect(new KamiError('SERVER_ERROR', 'x').cause).toBeUndefined();
    const response = new KamiResponseError('HTTP_ERROR', 'HTTP 502', {
      httpStatus: 502,
      body: 'y'.repeat(2000),
    });
    expect(response.body).toHaveLength(512);
    expect(response.httpStatus).toBe(502);
  });

  it('isInstance rejects non-errors and foreign errors', () => {
    for (const value of [null, undefined, 0, 'KamiError', {}, new Error('x'), { code: 'TIMEOUT' }]) {
      expect(KamiError.isInstance(value)).toBe(false);
      expect(KamiApiError.isInstance(value)).toBe(false);
    }
  });

  it('isInstance works across copies of the package (brand via Symbol.for)', () => {
    const brand = Symbol.for('kami-verify.error');
    // Simulate an error built by a second copy of core: a different class, the same global
    // brand (its value copied from a genuine instance, so the test does not assume its format).
    const brandOf = (error: KamiError) => (error as unknown as Record<symbol, unknown>)[brand];
    class OtherCopyTimeout extends Error {
      readonly code = 'TIMEOUT';
      readonly phase = 'unknown';
    }
    const foreign = new OtherCopyTimeout('timed out elsewhere');
    Object.defineProperty(foreign, brand, { value: brandOf(new KamiTimeoutError('x')) });
    expect(foreign instanceof KamiTimeoutError).toBe(false);
    expect(KamiError.isInstance(foreign)).toBe(true);
    expect(KamiTimeoutError.isInstance(foreign)).toBe(true);
    expect(KamiConnectionError.isInstance(foreign)).toBe(true);
    expect(KamiApiError.isInstance(foreign)).toBe(false);

    const foreignRate = Object.defineProperty({ code: 'RATE_LIMITED' }, brand, {
      value: brandOf(new KamiRateLimitError('', { httpStatus: 429 })),
    });
    expect(KamiApiError.isInstance(foreignRate)).toBe(true);
    expect(KamiRateLimitError.isInstance(foreignRate)).toBe(true);
    expect(KamiTimeoutError.isInstance(foreignRate)).toBe(false);

    const foreignApi = Object.defineProperty({}, brand, {
      value: brandOf(new KamiApiError('CARD_EXPIRED', '卡密已到期', { httpStatus: 200 })),
    });
    expect(KamiApiError.isInstance(foreignApi)).toBe(true);
    expect(KamiRateLimitError.isInstance(foreignApi)).toBe(false);

    // A local symbol with the same description is not the brand.
    const fake = Object.defineProperty({}, Symbol('kami-verify.error'), {
      value: brandOf(new KamiApiError('CARD_EXPIRED', '', { httpStatus: 200 })),
    });
    expect(KamiError.isInstance(fake)).toBe(false);
  });

  it('isInstance works across a genuinely separate module instance of errors.ts', async () => {
    vi.resetModules();
    const copy = (await import('../src/errors')) as typeof import('../src/errors');
    expect(copy.KamiApiError).not.toBe(KamiApiError);
    const theirs = new copy.KamiRateLimitError('请求过于频繁,请稍后再试', {
      httpStatus: 429,
      retryAfterMs: 1000,
    });
    expect(theirs instanceof KamiApiError).toBe(false);
    expect(KamiRateLimitError.isInstance(theirs)).toBe(true);
    expect(KamiApiError.isInstance(theirs)).toBe(true);
    expect(KamiError.isInstance(theirs)).toBe(true);
    expect(KamiConnectionError.isInstance(theirs)).toBe(false);
    const ours = new KamiTimeoutError('x');
    expect(copy.KamiConnectionError.isInstance(ours)).toBe(true);
    expect(copy.KamiTimeoutError.isInstance(ours)).toBe(true);
    expect(copy.KamiAbortError.isInstance(ours)).toBe(false);
  });

  it('isInstance survives subclasses and renamed classes (minifiers)', () => {
    const Renamed = class extends KamiApiError {};
    Object.defineProperty(Renamed, 'name', { value: 'e' });
    const error = new Renamed('CARD_EXPIRED', '卡密已到期', { httpStatus: 200 });
    expect(KamiApiError.isInstance(error)).toBe(true);
    expect(KamiError.isInstance(error)).toBe(true);
    expect(KamiRateLimitError.isInstance(error)).toBe(false);
  });

  it('the brand is not enumerable and survives JSON-free inspection', () => {
    const error = new KamiApiError('CARD_EXPIRED', '卡密已到期', { httpStatus: 200 });
    expect(Object.keys(error)).not.toContain(Symbol.for('kami-verify.error'));
    expect(Object.getOwnPropertySymbols(error)).toContain(Symbol.for('kami-verify.error'));
  });
});
