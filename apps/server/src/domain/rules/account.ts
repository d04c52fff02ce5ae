// The account rules (账号模式): field checks of each account endpoint, login (mirrors the card
// login: disabled, device, IP, expiry, then the session and the token), heartbeat and recharge.
// Pure: the service runs them inside the adapters' atomic sections.
import {
  computeLoginToken,
  computeStatecode,
  formatBeijingDateTime,
  formatBeijingMinute,
  type Md5,
  PERMANENT_END_TIME,
  parseBeijingDateTime,
} from '@kami-verify/core';
import type { AppRecord, CardRecord, Fail, UserRecord, UserSessionRecord } from '../types';
import { checkExists, fail, wireId } from './card-state';
import { ipBindingOf, ipBindingRefusal } from './ip-binding';
import { tokenSignText } from './requests';

const PERMANENT_END_SECONDS = parseBeijingDateTime(PERMANENT_END_TIME) ?? 4_102_415_999;

type Values = ReadonlyMap<string, string>;
const present = (value: string | undefined): value is string => value !== undefined && value !== '';

/** Usernames: 3–32 of letters, digits and `_@.-` (no quotes, no spaces, nothing to confuse a log). */
const USERNAME = /^[A-Za-z0-9_@.-]{3,32}$/;
/** Passwords: 6–64 characters (scrypt takes any length; the cap bounds the work per request). */
const PASSWORD_MIN = 6;
const PASSWORD_MAX = 64;
const EMAIL = /^[^\s@'"<>]{1,64}@[^\s@'"<>]{1,190}\.[A-Za-z0-9-]{1,63}$/;

function passwordRefusal(pass: string): Fail | undefined {
  const n = [...pass].length;
  return n < PASSWORD_MIN || n > PASSWORD_MAX ? fail('PASSWORD_INVALID') : undefined;
}

/** user + pass (every account endpoint that authenticates): 账号不可为空, 密码不可为空. */
export function userPassFields(values: Values): { user: string; pass: string } | Fail {
  const user = values.get('user');
  const pass = values.get('pass');
  if (!present(user)) return fail('USER_REQUIRED');
  if (!present(pass)) return fail('PASSWORD_REQUIRED');
  return { user, pass };
}

/** register: user, pass and an optional email, each checked for form. */
export function registerFields(values: Values): { user: string; pass: string; email: string } | Fail {
  const fields = userPassFields(values);
  if ('error' in fields) return fields;
  if (!USERNAME.test(fields.user)) return fail('USER_INVALID');
  const bad = passwordRefusal(fields.pass);
  if (bad) return bad;
  const email = values.get('email') ?? '';
  if (email !== '' && !EMAIL.test(email)) return fail('EMAIL_INVALID');
  return { ...fields, email };
}

/** user_login: user, pass and (when the app binds devices) imei, without `'`. */
export function userLoginFields(
  app: AppRecord,
  values: Values,
): { user: string; pass: string; imei: string } | Fail {
  const fields = userPassFields(values);
  if ('error' in fields) return fields;
  const imei = values.get('imei');
  if (app.settings.machineCodeCheck && !present(imei)) return fail('DEVICE_REQUIRED');
  if (imei?.includes("'")) return fail('DEVICE_INVALID');
  return { ...fields, imei: imei ?? '' };
}

/** user_heartbeat: user, pass, statecode. */
export function userHeartbeatFields(
  values: Values,
): { user: string; pass: string; statecode: string } | Fail {
  const fields = userPassFields(values);
  if ('error' in fields) return fields;
  const statecode = values.get('statecode');
  return present(statecode) ? { ...fields, statecode } : fail('STATECODE_REQUIRED');
}

/** recharge: user and card (the card key, 卡密不可为空). */
export function userRechargeFields(values: Values): { user: string; card: string } | Fail {
  const user = values.get('user');
  const card = values.get('card');
  if (!present(user)) return fail('USER_REQUIRED');
  if (!present(card)) return fail('CARD_REQUIRED');
  return { user, card };
}

/** change_password: user, oldpass, newpass (the new one checked for form). */
export function changePasswordFields(
  values: Values,
): { user: string; oldpass: string; newpass: string } | Fail {
  const user = values.get('user');
  const oldpass = values.get('oldpass');
  const newpass = values.get('newpass');
  if (!present(user)) return fail('USER_REQUIRED');
  if (!present(oldpass)) return fail('PASSWORD_REQUIRED');
  if (!present(newpass)) return fail('NEW_PASSWORD_REQUIRED');
  return passwordRefusal(newpass) ?? { user, oldpass, newpass };
}

/** Whether the account can log in by time at `now`; permanent is a far end. */
function hasTime(user: UserRecord, now: number): boolean {
  return user.expiresAt !== null && user.expiresAt > now;
}

/**
 * Whether the account has a term to use at `now`: 账号未充值 before any recharge, 账号已到期 when
 * its time ran out, 账号使用次数已达上限 when its count uses did. Login, and the cloud variables
 * by account, refuse on it.
 */
export function userTermRefusal(user: UserRecord, now: number): Fail | undefined {
  if (hasTime(user, now)) return undefined;
  if (user.expiresAt === null && user.usesLeft === null) return fail('USER_NOT_RECHARGED');
  if (user.usesLeft === null) return fail('USER_EXPIRED');
  if (user.usesLeft <= 0) return fail('USER_USES_EXHAUSTED');
  return undefined;
}

/** end_time and available of an account: by time when it has time left, else by its uses. */
export function userValidity(user: UserRecord, now: number): { endTime: string; available: number } {
  if (hasTime(user, now) || user.usesLeft === null)
    return {
      endTime: user.expiresAt === null ? '' : formatBeijingDateTime(user.expiresAt),
      available: Math.max(0, (user.expiresAt ?? now) - now),
    };
  return { endTime: PERMANENT_END_TIME, available: user.usesLeft };
}

/** The account checks every authenticated account endpoint shares beyond the password. */
export function checkUser(user: UserRecord | undefined): Fail | undefined {
  if (!user) return fail('USER_LOGIN_FAILED');
  if (user.disabled) return fail('USER_DISABLED');
  return undefined;
}

export interface UserLoginInput {
  imei: string;
  ip: string;
  /** The region string for region IP binding (domain/ip-region), when the app uses it. */
  region?: string | undefined;
  /** The verified request's sign text (absent when no signature was checked); loginToken decides whether the token hashes it. */
  signText?: string | undefined;
}

export interface UserLoginDecision {
  ok: true;
  after: UserRecord;
  session: Omit<UserSessionRecord, 'userId' | 'appId'>;
  sessionLimit: number;
  body: UserLoginBody;
}

/** The success fields of user_login, in the order t3sdk reads them (code added by HTTP). */
export interface UserLoginBody {
  id: number | string;
  end_time: string;
  token: string;
  statecode: string;
  time: number;
  date: string;
  recharge: number;
  use_time: string;
  available: number;
  imei: string;
  change: number;
  core: string;
}

/**
 * Account login, after the password matched: 账号被禁用, 请在原设备登录, 请在原IP登录 /
 * 请在原省内登录 / 请在市内登录, 账号未充值, 账号已到期 / 账号使用次数已达上限; then the binding,
 * a use of count time when the account has no time left, the session and the reply (token and
 * statecode exactly as a card login's, over the account id).
 */
export function decideUserLogin(
  user: UserRecord | undefined,
  app: AppRecord,
  input: UserLoginInput,
  nowMs: number,
  md5: Md5,
): UserLoginDecision | Fail {
  const settings = app.settings;
  const now = Math.floor(nowMs / 1000);
  const bad = checkUser(user);
  if (bad || !user) return bad ?? fail('USER_LOGIN_FAILED');
  const { imei, ip } = input;
  if (settings.machineCodeCheck && user.imei !== null && user.imei !== imei) return fail('DEVICE_MISMATCH');
  const ipRefusal = ipBindingRefusal(settings.ipBinding, user, ip, input.region);
  if (ipRefusal) return ipRefusal;
  const termRefusal = userTermRefusal(user, now);
  if (termRefusal) return termRefusal;
  const byTime = hasTime(user, now);
  const binding = ipBindingOf(settings.ipBinding, ip, input.region);
  const after: UserRecord = {
    ...user,
    imei: user.imei ?? (settings.machineCodeCheck && imei !== '' ? imei : null),
    boundIp: user.boundIp ?? binding.ip,
    boundRegion: user.boundRegion ?? binding.region,
    usesLeft: byTime ? user.usesLeft : (user.usesLeft ?? 0) - 1,
    firstLogin: user.firstLogin ?? now,
    modifiedAt: nowMs,
  };
  const { endTime, available } = userValidity(after, now);
  const id = wireId(after.id);
  const date = formatBeijingMinute(now);
  const token = computeLoginToken(md5, {
    id,
    appKey: app.appKey,
    endTime,
    date,
    signText: tokenSignText(app, input.signText),
  });
  const statecode = computeStatecode(md5, token, now);
  return {
    ok: true,
    after,
    sessionLimit: settings.maxSessionsPerCard,
    session: {
      statecode,
      imei,
      expiresAt: nowMs + settings.statecodeValiditySeconds * 1000,
      createdAt: nowMs,
    },
    body: {
      id,
      end_time: endTime,
      token,
      statecode,
      time: now,
      date,
      recharge: after.recharges,
      use_time: formatBeijingDateTime(after.firstLogin ?? now),
      available,
      imei: after.imei ?? imei,
      change: after.change,
      core: after.core || settings.core,
    },
  };
}

/** user_heartbeat / heartbeat_any: the session must be live and the account's, and usable. */
export function checkUserHeartbeat(
  found: { session: UserSessionRecord; user: UserRecord } | undefined,
  username: string | null,
  nowMs: number,
): Fail | undefined {
  if (!found || found.session.expiresAt <= nowMs) return fail('STATECODE_NOT_FOUND');
  if (username !== null && found.user.username !== username) return fail('STATECODE_NOT_FOUND');
  if (found.user.disabled) return fail('USER_DISABLED');
  const now = Math.floor(nowMs / 1000);
  // A session bought with a count use lives on; one bought with time ends with the time.
  if (found.user.usesLeft === null && (found.user.expiresAt ?? 0) <= now) return fail('USER_EXPIRED');
  return undefined;
}

/**
 * Recharge: the card must exist (卡密不存在), be enabled (卡密被禁用) and never used — neither
 * logged in with nor recharged before (卡密已被使用); the account must exist (账号不存在). The
 * account gains the card's time (from now, or from its end while it still runs), its uses, or
 * permanence; the card leaves the pool (status 0: as a card it no longer exists).
 */
export function decideRecharge(
  user: UserRecord | undefined,
  card: CardRecord | undefined,
  recharged: boolean,
  nowMs: number,
): { ok: true; user: UserRecord; card: CardRecord } | Fail {
  if (recharged) return fail('CARD_ALREADY_USED');
  const bad = checkExists(card);
  if (bad || !card) return bad ?? fail('CARD_NOT_FOUND');
  if (card.activatedAt !== null || card.imei !== null) return fail('CARD_ALREADY_USED');
  if (!user) return fail('USER_NOT_FOUND');
  const now = Math.floor(nowMs / 1000);
  const next: UserRecord = { ...user, recharges: user.recharges + 1, modifiedAt: nowMs };
  switch (card.kind) {
    case 'time': {
      const from = user.expiresAt !== null && user.expiresAt > now ? user.expiresAt : now;
      next.expiresAt = Math.min(PERMANENT_END_SECONDS, from + (card.durationSeconds ?? 0));
      break;
    }
    case 'permanent':
      next.expiresAt = PERMANENT_END_SECONDS;
      break;
    case 'count':
      next.usesLeft = Math.max(0, user.usesLeft ?? 0) + (card.usesLeft ?? card.usesTotal ?? 0);
      break;
  }
  return {
    ok: true,
    user: next,
    card: { ...card, status: 0, activatedAt: now, modifiedAt: nowMs },
  };
}
