// The `query` reply: what a card is, without changing it.
import { formatBeijingDateTime } from '@kami-verify/core';
import type { CardRecord, Fail } from '../types';
import { fail, queryState, validity, wireId } from './card-state';

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
