// The login rule: every refusal of the seed's table, then the card's new state, the session and
// the reply body. Pure: the storage adapter runs it inside its atomic section.
import type { Md5 } from '@kami-verify/core';
import type { AppRecord, CardRecord, Fail, LoginBody } from '../types';
import { checkExists, fail, isExhausted, isExpired, validity, wireId } from './card-state';
import { ipBindingOf, ipBindingRefusal } from './ip-binding';
import { openSession } from './session';

export interface LoginInput {
  imei: string;
  ip: string;
  /** The region string of `ip` for region IP binding (http/ip-region.ts), when the app uses it. */
  region?: string | undefined;
  /** The verified request's sign text (absent when no signature was checked); loginToken decides whether the token hashes it. */
  signText?: string | undefined;
}

export interface LoginDecision {
  ok: true;
  /** The card after this login (binding, activation, count use, modifiedAt). */
  after: CardRecord;
  /**
   * Whether the login changed the card (bound a device or IP, activated it, used a count). A
   * re-login of a bound, active time card changes nothing: `after` is then the card as it was,
   * `modifiedAt` included.
   */
  changed: boolean;
  session: { statecode: string; imei: string; expiresAt: number; createdAt: number };
  /** The card's live sessions after this login: at most this many, the oldest end. */
  sessionLimit: number;
  body: LoginBody;
}

/**
 * Every login rule: 卡密不存在, 卡密被禁用, 卡密禁止登录, 请在原设备登录, 请在原IP登录 / 请在原省内登录 /
 * 请在市内登录, 卡密已到期,
 * 卡密使用次数已达上限; on success the card's new state, the session and the reply body.
 */
export function decideLogin(
  card: CardRecord | undefined,
  app: AppRecord,
  input: LoginInput,
  nowMs: number,
  md5: Md5,
): LoginDecision | Fail {
  const settings = app.settings;
  const { imei, ip } = input;
  const now = Math.floor(nowMs / 1000);
  const bad = checkExists(card);
  if (bad || !card) return bad ?? fail('CARD_NOT_FOUND');
  if (settings.forbidEmptyDevice && !card.imei) return fail('CARD_LOGIN_FORBIDDEN');
  if (settings.machineCodeCheck && card.imei !== null && card.imei !== imei) return fail('DEVICE_MISMATCH');
  const ipRefusal = ipBindingRefusal(settings.ipBinding, card, ip, input.region);
  if (ipRefusal) return ipRefusal;
  if (isExpired(card, now)) return fail('CARD_EXPIRED');
  if (isExhausted(card)) return fail('CARD_USES_EXHAUSTED');

  const bindImei = settings.machineCodeCheck && imei !== '' ? imei : null;
  const binding = ipBindingOf(settings.ipBinding, ip, input.region);
  const state = {
    imei: card.imei ?? bindImei,
    boundIp: card.boundIp ?? binding.ip,
    boundRegion: card.boundRegion ?? binding.region,
    activatedAt: card.activatedAt ?? now,
    expiresAt:
      card.kind === 'time' && card.expiresAt === null ? now + (card.durationSeconds ?? 0) : card.expiresAt,
    usesLeft: card.kind === 'count' ? (card.usesLeft ?? 0) - 1 : card.usesLeft,
  };
  const changed =
    state.imei !== card.imei ||
    state.boundIp !== card.boundIp ||
    state.boundRegion !== card.boundRegion ||
    state.activatedAt !== card.activatedAt ||
    state.expiresAt !== card.expiresAt ||
    state.usesLeft !== card.usesLeft;
  const after: CardRecord = changed ? { ...card, ...state, modifiedAt: nowMs } : card;

  const { endTime, amount, available } = validity(after, now);
  const id = wireId(after.id);
  const { token, statecode, date, session } = openSession(app, { id, endTime }, input, nowMs, md5);
  return {
    ok: true,
    after,
    changed,
    sessionLimit: settings.maxSessionsPerCard,
    session,
    body: {
      id,
      end_time: endTime,
      amount,
      available,
      token,
      statecode,
      time: now,
      date,
      imei: after.imei ?? imei,
      change: after.change,
      core: after.core || settings.core,
    },
  };
}
