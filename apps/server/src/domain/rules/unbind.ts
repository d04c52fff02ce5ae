// The unbind rule (the client's own unbind, counted toward the card's limit).
import type { AppRecord, CardRecord, Fail } from '../types';
import { checkExists, fail } from './card-state';

/** Unbind rules: 卡密不存在, 卡密被禁用, 卡密未绑定, 请在原设备登录, 解绑次数已达上限. */
export function decideUnbind(
  card: CardRecord | undefined,
  app: AppRecord,
  imei: string,
  nowMs: number,
): { ok: true; after: CardRecord; endSessions: boolean } | Fail {
  const bad = checkExists(card);
  if (bad || !card) return bad ?? fail('CARD_NOT_FOUND');
  if (card.imei === null) return fail('CARD_NOT_BOUND');
  if (imei !== '' && imei !== card.imei) return fail('DEVICE_MISMATCH');
  if (card.change >= app.settings.unbindLimit) return fail('UNBIND_LIMIT_REACHED');
  return {
    ok: true,
    after: {
      ...card,
      imei: null,
      boundIp: null,
      boundRegion: null,
      change: card.change + 1,
      modifiedAt: nowMs,
    },
    endSessions: app.settings.unbindEndsSessions,
  };
}
