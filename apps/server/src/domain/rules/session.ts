// What a successful login opens, card or account alike: the token over the reply's own fields
// (with the verified sign text when loginToken says so), its statecode, and the session.
import { computeLoginToken, computeStatecode, formatBeijingMinute, type Md5 } from '@kami-verify/core';
import type { AppRecord } from '../types';
import { tokenSignText } from './requests';

export interface OpenedSession {
  token: string;
  statecode: string;
  /** Unix seconds: the reply's `time`. */
  time: number;
  /** yyyyMMddHHmm, Beijing: the reply's `date`, which the token hashes. */
  date: string;
  session: { statecode: string; imei: string; expiresAt: number; createdAt: number };
}

export function openSession(
  app: AppRecord,
  holder: { id: number | string; endTime: string },
  input: { imei: string; signText?: string | undefined },
  nowMs: number,
  md5: Md5,
): OpenedSession {
  const time = Math.floor(nowMs / 1000);
  const date = formatBeijingMinute(time);
  const token = computeLoginToken(md5, {
    id: holder.id,
    appKey: app.appKey,
    endTime: holder.endTime,
    date,
    signText: tokenSignText(app, input.signText),
  });
  // Two logins in the same second yield the same statecode: the session is renewed, not doubled.
  const statecode = computeStatecode(md5, token, time);
  return {
    token,
    statecode,
    time,
    date,
    session: {
      statecode,
      imei: input.imei,
      expiresAt: nowMs + app.settings.statecodeValiditySeconds * 1000,
      createdAt: nowMs,
    },
  };
}
