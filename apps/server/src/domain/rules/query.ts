// The `query` reply: what a card is, without changing it.
import { formatBeijingDateTime } from '@kami-verify/core';
import type { CardRecord, Fail } from '../types';
import { fail, queryState, validity, wireId } from './card-state';

/** The card's live sessions (storage's cardSessions) and how long a statecode lives. */
export interface QuerySessions {
  live: number;
  /** ms */
  lastExpiresAt: number | null;
  validitySeconds: number;
}

const NO_SESSIONS: QuerySessions = { live: 0, lastExpiresAt: null, validitySeconds: 0 };

/**
 * The `query` reply: a disabled or expired card is reported, not refused. `line` is how many
 * sessions the card has online now; `line_time` when one of them was last seen (its login or
 * heartbeat: the latest expiry less the statecode validity), '' when none is online.
 */
export function queryBody(
  card: CardRecord | undefined,
  now: number,
  sessions: QuerySessions = NO_SESSIONS,
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
      line: sessions.live,
      line_time:
        sessions.lastExpiresAt === null
          ? ''
          : formatBeijingDateTime(Math.floor(sessions.lastExpiresAt / 1000) - sessions.validitySeconds),
    },
  };
}
