// Transport-independent network pieces: backoff, the "never connected" classifier, Retry-After.
import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  createFetchTransport,
  errorCodes,
  KamiConnectionError,
  neverConnected,
  parseRetryAfterMs,
} from '../src';

describe('backoffMs: exponential with equal jitter', () => {
  const policy = (r: number) => ({ initialMs: 1_000, maxMs: 8_000, random: () => r });
  it('half the ceiling is fixed, the other half random; the ceiling doubles up to maxMs', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, policy(0)))).toEqual([500, 1_000, 2_000, 4_000, 4_000]);
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, policy(0.999_999)))).toEqual(
      [1_000, 2_000, 4_000, 8_000, 8_000].map((c) => expect.closeTo(c, 1)),
    );
    // Equal, not full, jitter: never less than half the ceiling.
    expect(backoffMs(3, policy(0))).toBe(2_000);
    expect(backoffMs(0, policy(1))).toBe(1_000);
  });
});

describe('neverConnected / errorCodes', () => {
  const sys = (code: string) => Object.assign(new Error(code), { code });
  it('connect-phase only when every recorded code is one', () => {
    expect(neverConnected(errorCodes(sys('ECONNREFUSED')))).toBe(true);
    expect(neverConnected(errorCodes(new TypeError('fetch failed', { cause: sys('ENOTFOUND') })))).toBe(true);
    expect(neverConnected(errorCodes(new AggregateError([sys('ECONNREFUSED'), sys('ECONNRESET')])))).toBe(
      false,
    );
    expect(neverConnected(errorCodes(sys('ECONNRESET')))).toBe(false);
    expect(neverConnected(errorCodes(new Error('no code')))).toBe(false);
    expect(errorCodes(new AggregateError([sys('EHOSTUNREACH')], 'x', { cause: sys('EAI_AGAIN') }))).toEqual([
      'EHOSTUNREACH',
      'EAI_AGAIN',
    ]);
  });

  it('the fetch transport uses it: a TLS handshake failure is connect-phase there too', async () => {
    const transport = createFetchTransport(async () => {
      throw new TypeError('fetch failed', { cause: sys('CERT_HAS_EXPIRED') });
    });
    const error = await transport({
      method: 'POST',
      url: 'https://x',
      headers: {},
      body: '',
      timeoutMs: 1_000,
    }).catch((e: unknown) => e);
    expect(KamiConnectionError.isInstance(error) && error.phase).toBe('connect');
  });
});

describe('parseRetryAfterMs', () => {
  it('seconds', () => {
    expect(parseRetryAfterMs('3')).toBe(3000);
    expect(parseRetryAfterMs('0')).toBe(0);
    expect(parseRetryAfterMs('1.5')).toBe(1500);
    expect(parseRetryAfterMs('-5')).toBe(0);
  });
  it('HTTP date', () => {
    const inTen = new Date(Date.now() + 10_000).toUTCString();
    const ms = parseRetryAfterMs(inTen)!;
    expect(ms).toBeGreaterThan(8_000);
    expect(ms).toBeLessThanOrEqual(10_000);
    expect(parseRetryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT')).toBe(0);
  });
  it('missing or junk', () => {
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
    expect(parseRetryAfterMs('')).toBeUndefined();
    expect(parseRetryAfterMs('soon')).toBeUndefined();
  });
});
