import { timingSafeEqualString } from '../bytes';
import { KamiVerificationError } from '../errors';
import type { Md5 } from '../hash';

/**
 * `token = md5(id + APPKEY + end_time + date)`; with the two-way signature setup the sign text
 * (APPKEY included) sits between: `md5(id + APPKEY + signText + end_time + date)`.
 */
export function computeLoginToken(
  md5: Md5,
  input: {
    id: string | number;
    appKey: string;
    endTime: string;
    date: string;
    signText?: string | undefined;
  },
): string {
  return md5(`${input.id}${input.appKey}${input.signText ?? ''}${input.endTime}${input.date}`);
}

/** `statecode = md5(token + time)`, `time` being the response's unix seconds. */
export function computeStatecode(md5: Md5, token: string, time: string | number): string {
  return md5(`${token}${time}`);
}

/** Which token formula the client accepts: `auto` accepts either (both need the APPKEY). */
export type TokenVariant = 'auto' | 'basic' | 'signed';

export interface LoginProof {
  id: string | number;
  end_time: string;
  token: string;
  statecode: string;
  time: string | number;
  date: string;
  safe_code?: string | undefined;
}

export interface VerifyLoginOptions {
  appKey: string;
  /** The sign text of the request that got this reply (needed for the two-way variant). */
  signText?: string | undefined;
  variant?: TokenVariant;
  /** The local clock, unix seconds. */
  nowSeconds: number;
  /** Largest allowed |time − now|; default 5 s like the official SDKs. `Infinity` disables. */
  maxClockSkewSeconds?: number;
  /** The `safe_code` we sent, if any; the reply must echo it. */
  safeCode?: string | undefined;
}

/**
 * Checks a login reply: clock skew against the reply's own `time`, token from the reply's own
 * `date` (never the local minute, which may have rolled over), statecode, and the safe_code echo.
 * Throws {@link KamiVerificationError}.
 */
export function verifyLoginToken(md5: Md5, reply: LoginProof, options: VerifyLoginOptions): void {
  checkClockSkew(reply.time, options.nowSeconds, options.maxClockSkewSeconds ?? 5);
  const variant = options.variant ?? 'auto';
  const base = { id: reply.id, appKey: options.appKey, endTime: reply.end_time, date: reply.date };
  const token = String(reply.token).toLowerCase();
  // The two-way formula is only computed when the basic one did not match (which formula an app
  // uses is no secret; the token comparison itself stays constant-time).
  const matches =
    (variant !== 'signed' && timingSafeEqualString(computeLoginToken(md5, base), token)) ||
    (variant !== 'basic' &&
      options.signText !== undefined &&
      timingSafeEqualString(computeLoginToken(md5, { ...base, signText: options.signText }), token));
  if (!matches) {
    throw new KamiVerificationError(
      'TOKEN_MISMATCH',
      'token校验失败: the reply was not produced with this APPKEY',
    );
  }
  if (
    !timingSafeEqualString(computeStatecode(md5, token, reply.time), String(reply.statecode).toLowerCase())
  ) {
    throw new KamiVerificationError('STATECODE_MISMATCH', 'statecode does not match md5(token + time)');
  }
  if (options.safeCode !== undefined && reply.safe_code !== options.safeCode) {
    throw new KamiVerificationError('SAFE_CODE_MISMATCH', 'safe_code was not echoed unchanged');
  }
}

/** Throws `CLOCK_SKEW` (时间戳校验失败) when a reply's `time` is too far from the local clock. */
export function checkClockSkew(time: string | number, nowSeconds: number, maxSkewSeconds: number): void {
  const t = Number(time);
  if (!Number.isFinite(t) || Math.abs(t - nowSeconds) > maxSkewSeconds) {
    throw new KamiVerificationError(
      'CLOCK_SKEW',
      `时间戳校验失败: reply time ${String(time)} is more than ${maxSkewSeconds}s from local ${nowSeconds}`,
    );
  }
}
