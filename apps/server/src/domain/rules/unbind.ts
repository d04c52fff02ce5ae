// The unbind rules (the client's own unbind, counted toward the limit), for a card and for an
// account (账号模式: t3sdk's unbind_user / ip_unbind_user): one rule over what both bind.
import type { T3MessageCode } from '@kami-verify/core';
import type { AppRecord, CardRecord, Fail } from '../types';
import { checkExists, fail } from './card-state';

/** What a login binds (a card or an account): device, IP or region, and the unbind count. */
interface Bound {
  imei: string | null;
  boundIp: string | null;
  boundRegion: string | null;
  change: number;
  modifiedAt: number;
}

/**
 * Unbinding a device: `notBound` (卡密未绑定设备 / 账号未绑定设备), 请在原设备登录 for another
 * device, 解绑次数已达上限; then device, IP and region are free and `change` counts one more.
 */
export function unbindDevice<T extends Bound>(
  holder: T,
  app: AppRecord,
  imei: string,
  nowMs: number,
  notBound: T3MessageCode,
): { ok: true; after: T; endSessions: boolean } | Fail {
  if (holder.imei === null) return fail(notBound);
  if (imei !== '' && imei !== holder.imei) return fail('DEVICE_MISMATCH');
  if (holder.change >= app.settings.unbindLimit) return fail('UNBIND_LIMIT_REACHED');
  return {
    ok: true,
    after: {
      ...holder,
      imei: null,
      boundIp: null,
      boundRegion: null,
      change: holder.change + 1,
      modifiedAt: nowMs,
    },
    endSessions: app.settings.unbindEndsSessions,
  };
}

/** ip_unbind: clears the bound IP or region (`notBound`, 卡密未绑定IP / 账号未绑定IP, when neither). */
export function unbindIp<T extends Bound>(
  holder: T,
  nowMs: number,
  notBound: T3MessageCode,
): { ok: true; after: T } | Fail {
  if (holder.boundIp === null && holder.boundRegion === null) return fail(notBound);
  return { ok: true, after: { ...holder, boundIp: null, boundRegion: null, modifiedAt: nowMs } };
}

/** Card unbind: 卡密不存在, 卡密被禁用, then {@link unbindDevice}. */
export function decideUnbind(
  card: CardRecord | undefined,
  app: AppRecord,
  imei: string,
  nowMs: number,
): { ok: true; after: CardRecord; endSessions: boolean } | Fail {
  const bad = checkExists(card);
  if (bad || !card) return bad ?? fail('CARD_NOT_FOUND');
  return unbindDevice(card, app, imei, nowMs, 'CARD_NOT_BOUND');
}
