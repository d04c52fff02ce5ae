// The card rules of the T3 family as pure functions: no I/O, no clock, no randomness. Both store
// strategies call them (PostgreSQL inside a transaction with the card row locked; the embedded
// store on its in-memory card cache), so every rule exists exactly once.
import {
  type CardType,
  cardTypeAmount,
  computeLoginToken,
  computeStatecode,
  formatBeijingDateTime,
  formatBeijingMinute,
  type Md5,
  PERMANENT_END_TIME,
  parseBeijingDateTime,
} from '@kami-verify/core';
import type { AppRecord, CardRecord, Fail, LoginBody } from './types';

const PERMANENT_END_SECONDS = parseBeijingDateTime(PERMANENT_END_TIME) ?? 4_102_415_999;

export const fail = (error: Fail['error']): Fail => ({ ok: false, error });

/**
 * The `id` on the wire: a number when the card id is a safe integer (as in the seed's `"id": 1`),
 * otherwise the decimal string. Our snowflake ids exceed 2^53, so in practice it is a string;
 * the token hashes the same decimal text either way.
 */
export function wireId(id: string): number | string {
  const n = Number(id);
  return Number.isSafeInteger(n) && String(n) === id ? n : id;
}

export function isExpired(card: CardRecord, now: number): boolean {
  return card.kind === 'time' && card.expiresAt !== null && card.expiresAt <= now;
}

export function isExhausted(card: CardRecord): boolean {
  return card.kind === 'count' && (card.usesLeft ?? 0) <= 0;
}

/** 卡密不存在 / 卡密被禁用: the checks every card endpoint shares. */
export function checkExists(card: CardRecord | undefined): Fail | undefined {
  if (!card || card.status === 0) return fail('CARD_NOT_FOUND');
  if (card.disabled) return fail('CARD_DISABLED');
  return undefined;
}

/** end_time text, amount text and `available` of a card at `now` (unix seconds). */
export function validity(
  card: CardRecord,
  now: number,
): { endTime: string; amount: string; available: number } {
  switch (card.kind) {
    case 'time': {
      const duration = card.durationSeconds ?? 0;
      const end = card.expiresAt ?? now + duration;
      return {
        endTime: formatBeijingDateTime(end),
        amount: cardTypeAmount((card.type ?? 0) as CardType),
        available: Math.max(0, end - now),
      };
    }
    case 'permanent':
      return {
        endTime: PERMANENT_END_TIME,
        amount: cardTypeAmount(5),
        available: PERMANENT_END_SECONDS - now,
      };
    case 'count':
      // A count card never lapses by time; it reports the permanent end and the uses left.
      return {
        endTime: PERMANENT_END_TIME,
        amount: `${card.usesTotal ?? 0}次`,
        available: card.usesLeft ?? 0,
      };
  }
}

export interface LoginInput {
  imei: string;
  ip: string;
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
  body: LoginBody;
}

/**
 * Every login rule: 卡密不存在, 卡密被禁用, 卡密禁止登录, 请在原设备登录, 请在原IP登录, 卡密已到期,
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
  if (settings.ipBinding === 'exact' && card.boundIp !== null && card.boundIp !== ip)
    return fail('IP_MISMATCH');
  if (isExpired(card, now)) return fail('CARD_EXPIRED');
  if (isExhausted(card)) return fail('CARD_USES_EXHAUSTED');

  const bindImei = settings.machineCodeCheck && imei !== '' ? imei : null;
  const bindIp = settings.ipBinding === 'exact' && ip !== '' ? ip : null;
  const state = {
    imei: card.imei ?? bindImei,
    boundIp: card.boundIp ?? bindIp,
    activatedAt: card.activatedAt ?? now,
    expiresAt:
      card.kind === 'time' && card.expiresAt === null ? now + (card.durationSeconds ?? 0) : card.expiresAt,
    usesLeft: card.kind === 'count' ? (card.usesLeft ?? 0) - 1 : card.usesLeft,
  };
  const changed =
    state.imei !== card.imei ||
    state.boundIp !== card.boundIp ||
    state.activatedAt !== card.activatedAt ||
    state.expiresAt !== card.expiresAt ||
    state.usesLeft !== card.usesLeft;
  const after: CardRecord = changed ? { ...card, ...state, modifiedAt: nowMs } : card;

  const { endTime, amount, available } = validity(after, now);
  const id = wireId(after.id);
  const date = formatBeijingMinute(now);
  const token = computeLoginToken(md5, {
    id,
    appKey: app.appKey,
    endTime,
    date,
    signText: settings.signatureCheck === 'two-way' ? input.signText : undefined,
  });
  // Two logins of one card in the same second yield the same statecode: renew, do not fail.
  const statecode = computeStatecode(md5, token, now);
  return {
    ok: true,
    after,
    changed,
    session: {
      statecode,
      imei,
      expiresAt: nowMs + settings.statecodeValiditySeconds * 1000,
      createdAt: nowMs,
    },
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

/**
 * Whether a session may be renewed: 状态码不存在 when it is unknown, expired, of another card than
 * `kami`; then the card checks (卡密不存在, 卡密被禁用, 卡密已到期). `sessionExpiresAt` in ms.
 */
export function checkHeartbeat(
  session: { expiresAt: number } | undefined,
  card: CardRecord | undefined,
  kami: string | null,
  nowMs: number,
): Fail | undefined {
  if (!session || session.expiresAt <= nowMs || !card) return fail('STATECODE_NOT_FOUND');
  if (kami !== null && card.cardStr !== kami) return fail('STATECODE_NOT_FOUND');
  const bad = checkExists(card);
  if (bad) return bad;
  if (isExpired(card, Math.floor(nowMs / 1000))) return fail('CARD_EXPIRED');
  return undefined;
}

export function heartbeatOk(nowMs: number): { ok: true; time: number; date: string } {
  const now = Math.floor(nowMs / 1000);
  return { ok: true, time: now, date: formatBeijingMinute(now) };
}

function queryState(card: CardRecord, now: number): '未使用' | '已使用' | '已禁用' | '已到期' {
  if (card.disabled) return '已禁用';
  if (isExpired(card, now) || (card.activatedAt !== null && isExhausted(card))) return '已到期';
  return card.activatedAt === null ? '未使用' : '已使用';
}

/** The `query` reply: a disabled or expired card is reported, not refused. */
export function queryBody(
  card: CardRecord | undefined,
  now: number,
): { ok: true; body: Record<string, unknown> } | Fail {
  if (!card || card.status === 0) return fail('CARD_NOT_FOUND');
  const v = validity(card, now);
  const activated = card.activatedAt !== null;
  return {
    ok: true,
    body: {
      id: wireId(card.id),
      state: queryState(card, now),
      use: activated ? 1 : 0,
      use_time: activated ? formatBeijingDateTime(card.activatedAt ?? 0) : '',
      // A time card's clock starts at first login: before it, end_time is '' and available the full term.
      end_time: card.kind === 'time' && !activated ? '' : v.endTime,
      amount: v.amount,
      available: v.available,
    },
  };
}

/** Unbind rules: 卡密不存在, 卡密被禁用, 卡密未绑定, 请在原设备登录, 解绑次数已达上限. */
export function decideUnbind(
  card: CardRecord | undefined,
  app: AppRecord,
  imei: string,
  nowMs: number,
): { ok: true; after: CardRecord } | Fail {
  const bad = checkExists(card);
  if (bad || !card) return bad ?? fail('CARD_NOT_FOUND');
  if (card.imei === null) return fail('CARD_NOT_BOUND');
  if (imei !== '' && imei !== card.imei) return fail('DEVICE_MISMATCH');
  if (card.change >= app.settings.unbindLimit) return fail('UNBIND_LIMIT_REACHED');
  return {
    ok: true,
    after: { ...card, imei: null, boundIp: null, change: card.change + 1, modifiedAt: nowMs },
  };
}
