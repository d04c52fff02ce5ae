// The card-family calls made with an account instead of a card: t3sdk's unbind_user,
// ip_unbind_user, disable_user, modify_core_by_user, get_variable_by_user and
// modify_variable_by_user, on the same 调用码 as the card calls. The service picks these when a
// request carries `user` + `pass` (rules/credential.ts); the rules are the cards' own.
import type { Storage, UserChange } from '../store/storage';
import type { UserRecord } from '../store/user-records';
import { authenticateIn, sameAccount } from './accounts';
import type { DomainContext } from './context';
import { fail, unbindDevice, unbindIp, userTermRefusal } from './rules/index';
import type { AppRecord, Fail } from './types';

type Account = { app: AppRecord; user: string; pass: string };
type Decided<T> = { value: T | Fail; change?: UserChange };

export function accountVariants(storage: Storage, ctx: DomainContext) {
  const { clock } = ctx;

  /** Authenticates, then decides on the locked account (a password changed meanwhile refuses). */
  async function changeAccount<T>(
    { app, user, pass }: Account,
    decide: (account: UserRecord, nowMs: number) => Decided<T>,
  ): Promise<T | Fail> {
    const verified = await authenticateIn(storage, app, user, pass);
    if ('error' in verified) return verified;
    const nowMs = clock.now();
    return storage.withUser<T | Fail>(app.id, user, (now) =>
      sameAccount(verified, now) ? decide(now, nowMs) : { value: fail('USER_LOGIN_FAILED') },
    );
  }

  return {
    /** unbind_user: the card unbind rule over the account (账号未绑定设备). */
    unbind(input: Account & { imei: string }) {
      return changeAccount<{ ok: true; change: number }>(input, (account, nowMs) => {
        const d = unbindDevice(account, input.app, input.imei, nowMs, 'USER_NOT_BOUND');
        if (!d.ok) return { value: d };
        return {
          value: { ok: true, change: d.after.change },
          change: { user: d.after, endSessions: d.endSessions },
        };
      });
    },
    /** ip_unbind_user: clears the account's bound IP or region (账号未绑定IP). */
    ipUnbind(input: Account) {
      return changeAccount<{ ok: true }>(input, (account, nowMs) => {
        const d = unbindIp(account, nowMs, 'USER_IP_NOT_BOUND');
        return d.ok ? { value: { ok: true }, change: { user: d.after } } : { value: d };
      });
    },
    /** disable_user: the account disables itself (账号被禁用 after); its sessions end. */
    disable(input: Account) {
      return changeAccount<{ ok: true }>(input, (account, nowMs) => ({
        value: { ok: true },
        change: { user: { ...account, disabled: true, modifiedAt: nowMs }, endSessions: true },
      }));
    },
    /** modify_core_by_user: the account's core data (size checked by the caller's rule). */
    modifyCore(input: Account & { core: string }) {
      return changeAccount<{ ok: true }>(input, (account, nowMs) => ({
        value: { ok: true },
        change: { user: { ...account, core: input.core, modifiedAt: nowMs } },
      }));
    },
    /** The cloud variables by account: the password, enabled, and a term left (as for login). */
    async usable({ app, user, pass }: Account): Promise<Fail | undefined> {
      const verified = await authenticateIn(storage, app, user, pass);
      if ('error' in verified) return verified;
      return userTermRefusal(verified, Math.floor(clock.now() / 1000));
    },
  };
}
