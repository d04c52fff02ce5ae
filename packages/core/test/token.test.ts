import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkClockSkew,
  computeLoginToken,
  computeStatecode,
  KamiVerificationError,
  type LoginProof,
  verifyLoginToken,
} from '../src';
import { loadVector, md5 } from './helpers';

interface TokenCase {
  name: string;
  variant: 'basic' | 'signed';
  id: number | string;
  endTime: string;
  date: string;
  time: number;
  signText: string | null;
  tokenPreimage: string;
  token: string;
  statecode: string;
}
const tv = loadVector<{ appKey: string; cases: TokenCase[] }>('token.json');
const fixtures = loadVector('seed-fixtures.json');

function proof(c: TokenCase, over: Partial<LoginProof> = {}): LoginProof {
  return {
    id: c.id,
    end_time: c.endTime,
    token: c.token,
    statecode: c.statecode,
    time: c.time,
    date: c.date,
    ...over,
  };
}

function expectVerificationError(fn: () => void, code: string) {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(KamiVerificationError.isInstance(caught)).toBe(true);
  expect((caught as KamiVerificationError).code).toBe(code);
}

describe('computeLoginToken / computeStatecode (token.json)', () => {
  it.each(tv.cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const token = computeLoginToken(md5, {
      id: c.id,
      appKey: tv.appKey,
      endTime: c.endTime,
      date: c.date,
      signText: c.signText ?? undefined,
    });
    expect(token).toBe(c.token);
    expect(computeStatecode(md5, c.token, c.time)).toBe(c.statecode);
    expect(computeStatecode(md5, c.token, String(c.time))).toBe(c.statecode);
  });
});

describe('verifyLoginToken', () => {
  const basic = tv.cases.find((c) => c.name === 'seed-basic')!;
  const signed = tv.cases.find((c) => c.name === 'seed-signed-plain')!;
  const now = basic.time;

  it.each(tv.cases.map((c) => [c.name, c] as const))(
    'accepts %s with the matching variant and auto',
    (_, c) => {
      const signText = c.signText ?? undefined;
      const base = { appKey: tv.appKey, signText, nowSeconds: c.time };
      expect(() => verifyLoginToken(md5, proof(c), { ...base, variant: c.variant })).not.toThrow();
      expect(() => verifyLoginToken(md5, proof(c), base)).not.toThrow();
      expect(() => verifyLoginToken(md5, proof(c), { ...base, variant: 'auto' })).not.toThrow();
    },
  );

  it('a basic token is refused in signed-only mode, and a signed token in basic-only mode', () => {
    expectVerificationError(
      () =>
        verifyLoginToken(md5, proof(basic), {
          appKey: tv.appKey,
          signText: signed.signText!,
          variant: 'signed',
          nowSeconds: now,
        }),
      'TOKEN_MISMATCH',
    );
    expectVerificationError(
      () =>
        verifyLoginToken(md5, proof(signed), {
          appKey: tv.appKey,
          signText: signed.signText!,
          variant: 'basic',
          nowSeconds: now,
        }),
      'TOKEN_MISMATCH',
    );
    // The signed variant needs the sign text.
    expectVerificationError(
      () => verifyLoginToken(md5, proof(signed), { appKey: tv.appKey, nowSeconds: now }),
      'TOKEN_MISMATCH',
    );
  });

  it("uses the reply's own date, not the local minute (seed: time and date disagree)", () => {
    const seed = fixtures.t3Login.consistentBasicResponse;
    expect(() =>
      verifyLoginToken(
        md5,
        { ...seed, safe_code: seed.safe_code },
        { appKey: fixtures.t3Login.appKey, nowSeconds: seed.time },
      ),
    ).not.toThrow();
    const seedSigned = fixtures.t3Login.consistentSignedResponse;
    expect(() =>
      verifyLoginToken(md5, seedSigned, {
        appKey: fixtures.t3Login.appKey,
        signText: fixtures.t3Login.signTextOfRequest,
        nowSeconds: seedSigned.time,
      }),
    ).not.toThrow();
  });

  it('accepts an uppercase token and statecode', () => {
    expect(() =>
      verifyLoginToken(
        md5,
        proof(basic, { token: basic.token.toUpperCase(), statecode: basic.statecode.toUpperCase() }),
        {
          appKey: tv.appKey,
          nowSeconds: now,
        },
      ),
    ).not.toThrow();
  });

  it('tampering any single character of the token, id, end_time, date or appKey → TOKEN_MISMATCH', () => {
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === '0' ? '1' : '0') + s.slice(i + 1);
    for (let i = 0; i < basic.token.length; i++) {
      expectVerificationError(
        () =>
          verifyLoginToken(md5, proof(basic, { token: flip(basic.token, i) }), {
            appKey: tv.appKey,
            nowSeconds: now,
          }),
        'TOKEN_MISMATCH',
      );
    }
    expectVerificationError(
      () => verifyLoginToken(md5, proof(basic, { id: 2 }), { appKey: tv.appKey, nowSeconds: now }),
      'TOKEN_MISMATCH',
    );
    expectVerificationError(
      () =>
        verifyLoginToken(md5, proof(basic, { end_time: '2026-04-10 12:00:01' }), {
          appKey: tv.appKey,
          nowSeconds: now,
        }),
      'TOKEN_MISMATCH',
    );
    expectVerificationError(
      () =>
        verifyLoginToken(md5, proof(basic, { date: '202603111201' }), { appKey: tv.appKey, nowSeconds: now }),
      'TOKEN_MISMATCH',
    );
    expectVerificationError(
      () => verifyLoginToken(md5, proof(basic), { appKey: `${tv.appKey}!`, nowSeconds: now }),
      'TOKEN_MISMATCH',
    );
    expectVerificationError(
      () =>
        verifyLoginToken(md5, proof(signed), {
          appKey: tv.appKey,
          signText: flip(signed.signText!, 0),
          variant: 'signed',
          nowSeconds: now,
        }),
      'TOKEN_MISMATCH',
    );
  });

  it('a statecode that is not md5(token + time) → STATECODE_MISMATCH', () => {
    expectVerificationError(
      () =>
        verifyLoginToken(md5, proof(basic, { statecode: md5(`${basic.token}${basic.time + 1}`) }), {
          appKey: tv.appKey,
          nowSeconds: now,
        }),
      'STATECODE_MISMATCH',
    );
  });

  it('checks the safe_code echo when one was sent', () => {
    const opts = { appKey: tv.appKey, nowSeconds: now, safeCode: 'nonce-123' };
    expect(() => verifyLoginToken(md5, proof(basic, { safe_code: 'nonce-123' }), opts)).not.toThrow();
    expectVerificationError(
      () => verifyLoginToken(md5, proof(basic, { safe_code: 'nonce-124' }), opts),
      'SAFE_CODE_MISMATCH',
    );
    expectVerificationError(
      () => verifyLoginToken(md5, proof(basic, { safe_code: undefined }), opts),
      'SAFE_CODE_MISMATCH',
    );
    // Nothing sent: nothing checked.
    expect(() =>
      verifyLoginToken(md5, proof(basic, { safe_code: 'anything' }), { appKey: tv.appKey, nowSeconds: now }),
    ).not.toThrow();
  });

  it('clock skew: default 5 s either way, configurable, Infinity disables', () => {
    const at = (nowSeconds: number, maxClockSkewSeconds?: number) => () =>
      verifyLoginToken(md5, proof(basic), { appKey: tv.appKey, nowSeconds, maxClockSkewSeconds });
    expect(at(now + 5)).not.toThrow();
    expect(at(now - 5)).not.toThrow();
    expectVerificationError(at(now + 6), 'CLOCK_SKEW');
    expectVerificationError(at(now - 6), 'CLOCK_SKEW');
    expect(at(now + 30, 30)).not.toThrow();
    expectVerificationError(at(now + 31, 30), 'CLOCK_SKEW');
    expectVerificationError(at(now + 1, 0), 'CLOCK_SKEW');
    expect(at(now, 0)).not.toThrow();
    expect(at(now + 10 ** 9, Number.POSITIVE_INFINITY)).not.toThrow();
    // The skew check runs first: a skewed reply is refused even with a good token.
    expectVerificationError(at(now + 3600), 'CLOCK_SKEW');
  });

  it('works for random ids, appKeys, dates and sign texts (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.nat(), fc.string({ minLength: 1, maxLength: 10 })),
        fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }),
        fc.option(fc.string({ unit: 'grapheme', maxLength: 80 }), { nil: undefined }),
        fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }),
        (id, appKey, signText, time) => {
          const endTime = '2030-01-01 00:00:00';
          const date = '203001010000';
          // Independent preimage.
          const token = md5(`${id}${appKey}${signText ?? ''}${endTime}${date}`);
          expect(computeLoginToken(md5, { id, appKey, endTime, date, signText })).toBe(token);
          const statecode = md5(`${token}${time}`);
          verifyLoginToken(
            md5,
            { id, end_time: endTime, token, statecode, time, date },
            { appKey, signText, nowSeconds: time },
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('checkClockSkew', () => {
  it('accepts string times and rejects non-numbers', () => {
    expect(() => checkClockSkew('1741700000', 1741700003, 5)).not.toThrow();
    expectVerificationError(() => checkClockSkew('abc', 1741700000, 5), 'CLOCK_SKEW');
    expectVerificationError(
      () => checkClockSkew(Number.NaN, 1741700000, Number.POSITIVE_INFINITY),
      'CLOCK_SKEW',
    );
  });
  it('the message carries the official SDK wording', () => {
    try {
      checkClockSkew(100, 200, 5);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toContain('时间戳校验失败');
    }
  });
});
