import { errorCodes, KamiAbortError, KamiConnectionError, KamiTimeoutError } from '@kami-verify/core';
import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import { mapUndiciError } from '../src/net/undici-errors';

const ctx = { url: 'http://h/x', timeoutMs: 1000, aborted: false, timedOut: false };
const sysError = (code: string) => Object.assign(new Error(code), { code });

describe('mapUndiciError', () => {
  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'CERT_HAS_EXPIRED'])(
    '%s → connect phase',
    (code) => {
      const error = mapUndiciError(sysError(code), ctx);
      expect(KamiConnectionError.isInstance(error)).toBe(true);
      expect(KamiTimeoutError.isInstance(error)).toBe(false);
      expect((error as KamiConnectionError).phase).toBe('connect');
    },
  );

  it.each([
    ['ECONNRESET', sysError('ECONNRESET')],
    ['EPIPE', sysError('EPIPE')],
    ['UND_ERR_SOCKET', new errors.SocketError('other side closed')],
    ['no code', new Error('weird')],
  ])('%s → unknown phase', (_name, input) => {
    const error = mapUndiciError(input, ctx);
    expect(KamiConnectionError.isInstance(error)).toBe(true);
    expect((error as KamiConnectionError).phase).toBe('unknown');
  });

  it('connect timeout → KamiTimeoutError, connect phase; headers/body timeouts → unknown phase', () => {
    const connect = mapUndiciError(new errors.ConnectTimeoutError(), ctx);
    expect(KamiTimeoutError.isInstance(connect) && connect.phase).toBe('connect');
    for (const e of [new errors.HeadersTimeoutError(), new errors.BodyTimeoutError()]) {
      const mapped = mapUndiciError(e, ctx);
      expect(KamiTimeoutError.isInstance(mapped) && mapped.phase).toBe('unknown');
    }
  });

  it('an AggregateError (happy eyeballs) is connect-phase only if every attempt was', () => {
    const all = Object.assign(new AggregateError([sysError('ECONNREFUSED'), sysError('EHOSTUNREACH')]), {
      code: 'ECONNREFUSED',
    });
    expect((mapUndiciError(all, ctx) as KamiConnectionError).phase).toBe('connect');
    const mixed = new AggregateError([sysError('ECONNREFUSED'), sysError('ECONNRESET')]);
    expect((mapUndiciError(mixed, ctx) as KamiConnectionError).phase).toBe('unknown');
    expect(errorCodes(mixed)).toEqual(['ECONNREFUSED', 'ECONNRESET']);
  });

  it('looks into `cause` (fetch-style wrapping)', () => {
    const wrapped = new TypeError('fetch failed', { cause: sysError('ENOTFOUND') });
    expect((mapUndiciError(wrapped, ctx) as KamiConnectionError).phase).toBe('connect');
  });

  it('the caller abort wins over everything, then our deadline', () => {
    expect(
      KamiAbortError.isInstance(mapUndiciError(sysError('ECONNREFUSED'), { ...ctx, aborted: true })),
    ).toBe(true);
    const timedOut = mapUndiciError(new errors.RequestAbortedError(), { ...ctx, timedOut: true });
    expect(KamiTimeoutError.isInstance(timedOut) && timedOut.phase).toBe('unknown');
  });
});
