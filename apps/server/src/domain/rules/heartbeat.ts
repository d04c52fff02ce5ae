// The heartbeat rule: which statecode may be renewed, and the reply's time fields.
import { formatBeijingMinute } from '@kami-verify/core';
import type { CardRecord, Fail } from '../types';
import { checkExists, fail, isExpired } from './card-state';

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
