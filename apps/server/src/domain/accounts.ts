// The account family's service methods (账号模式), over the storage port; the rules are
// rules/account.ts. Kept beside service.ts so the card methods stay readable.
import type { Storage } from '../store/storage';
import type { UserRecord } from '../store/user-records';
import type { DomainContext } from './context';
import { hashPassword, verifyPassword } from './passwords';
import type { UserLoginBody } from './rules/account';
import {
  checkUser,
  checkUserHeartbeat,
  decideRecharge,
  decideUserLogin,
  fail,
  heartbeatOk,
} from './rules/index';
import type { AppRecord, Fail, KamiService } from './types';

type AccountMethods = Pick<
  KamiService,
  | 'registerUser'
  | 'userLogin'
  | 'userHeartbeat'
  | 'recharge'
  | 'changePassword'
  | 'cancelUser'
  | 'userCore'
  | 'onlineUsers'
  | 'getUser'
  | 'setUserDisabled'
>;

// Verified against when the account does not exist, so timing does not reveal which exist.
let dummy: Promise<string> | undefined;
const dummyHash = () => {
  dummy ??= hashPassword('not a password');
  return dummy;
};

/**
 * The account if `pass` is its password (scrypt, constant-time), else 账号或密码错误 — the same
 * answer, and the same work, for an account that does not exist. A disabled one is 账号被禁用.
 */
export async function authenticateIn(
  storage: Storage,
  app: AppRecord,
  user: string,
  pass: string,
): Promise<UserRecord | Fail> {
  const found = await storage.readUser(app.id, user);
  const ok = await verifyPassword(pass, found?.passHash ?? (await dummyHash()));
  if (!found || !ok) return fail('USER_LOGIN_FAILED');
  return checkUser(found) ?? found;
}

/**
 * A change decided on the account as it is when locked; `passHash` must still be the one the
 * password was verified against (a password changed meanwhile refuses, as if it were wrong).
 */
export const sameAccount = (verified: UserRecord, now: UserRecord | undefined): now is UserRecord =>
  now !== undefined && now.id === verified.id && now.passHash === verified.passHash;

export function accountMethods(storage: Storage, ctx: DomainContext): AccountMethods {
  const { clock } = ctx;
  const authenticate = (app: AppRecord, user: string, pass: string) =>
    authenticateIn(storage, app, user, pass);

  return {
    async registerUser({ app, user, pass, email }) {
      const nowMs = clock.now();
      const created = await storage.insertUser({
        id: ctx.ids.next(),
        appId: app.id,
        username: user,
        passHash: await hashPassword(pass),
        email,
        disabled: false,
        imei: null,
        boundIp: null,
        boundRegion: null,
        change: 0,
        core: '',
        expiresAt: null,
        usesLeft: null,
        recharges: 0,
        firstLogin: null,
        createdAt: nowMs,
        modifiedAt: nowMs,
      });
      return created ? { ok: true } : fail('USER_EXISTS');
    },

    async userLogin(input) {
      const { app } = input;
      const verified = await authenticate(app, input.user, input.pass);
      if ('error' in verified) return verified;
      const nowMs = clock.now();
      return storage.withUser<{ ok: true; body: UserLoginBody } | Fail>(app.id, input.user, (now) => {
        if (!sameAccount(verified, now)) return { value: fail('USER_LOGIN_FAILED') };
        const d = decideUserLogin(now, app, input, nowMs, ctx.md5);
        if (!d.ok) return { value: d };
        return {
          value: { ok: true as const, body: d.body },
          change: {
            user: d.after,
            session: { ...d.session, userId: now.id, appId: app.id },
            sessionLimit: d.sessionLimit,
          },
        };
      });
    },

    async userHeartbeat({ app, user, statecode }) {
      const nowMs = clock.now();
      const refused = await storage.renewUserSession({
        appId: app.id,
        statecode,
        expiresAt: nowMs + app.settings.statecodeValiditySeconds * 1000,
        refusal: (found) => checkUserHeartbeat(found, user, nowMs),
      });
      return refused ?? heartbeatOk(nowMs);
    },

    async recharge({ app, user, card }) {
      const nowMs = clock.now();
      return storage.rechargeUser<{ ok: true } | Fail>(
        app.id,
        user,
        card,
        (account, cardRecord, recharged) => {
          const d = decideRecharge(account, cardRecord, recharged, nowMs);
          if (!d.ok) return { value: d };
          return { value: { ok: true as const }, change: { user: d.user, card: d.card } };
        },
      );
    },

    async changePassword({ app, user, oldpass, newpass }) {
      const verified = await authenticate(app, user, oldpass);
      if ('error' in verified) return verified;
      const passHash = await hashPassword(newpass);
      const nowMs = clock.now();
      return storage.withUser<{ ok: true } | Fail>(app.id, user, (now) => {
        if (!sameAccount(verified, now)) return { value: fail('USER_LOGIN_FAILED') };
        // Every session ends: whoever held the old password is logged out.
        return {
          value: { ok: true as const },
          change: { user: { ...now, passHash, modifiedAt: nowMs }, endSessions: true },
        };
      });
    },

    async cancelUser({ app, user, pass }) {
      const verified = await authenticate(app, user, pass);
      if ('error' in verified) return verified;
      return storage.withUser<{ ok: true } | Fail>(app.id, user, (now) => {
        if (!sameAccount(verified, now)) return { value: fail('USER_LOGIN_FAILED') };
        return { value: { ok: true as const }, change: { deleteUser: true } };
      });
    },

    async userCore({ app, user, pass }) {
      const verified = await authenticate(app, user, pass);
      if ('error' in verified) return verified;
      return { ok: true, core: verified.core || app.settings.core };
    },

    onlineUsers: ({ app }) => storage.countOnlineUsers(app.id, clock.now()),
    getUser: ({ app, user }) => storage.readUser(app.id, user),
    setUserDisabled({ app, user, disabled }) {
      const nowMs = clock.now();
      return storage.withUser(app.id, user, (now) =>
        now ? { value: true, change: { user: { ...now, disabled, modifiedAt: nowMs } } } : { value: false },
      );
    },
  };
}
