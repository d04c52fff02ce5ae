// What a card is at a moment: existence, expiry, uses, and the texts and numbers the protocol
// reports for it. Every endpoint and both storage engines read a card through these.
import {
  type CardType,
  cardTypeAmount,
  formatBeijingDateTime,
  PERMANENT_END_TIME,
  parseBeijingDateTime,
} from '@kami-verify/core';
import type { CardRecord, Fail } from '../types';

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

/**
 * A card's phase at `now` (unix seconds). `query`'s state text and potatocloud's `state` number
 * are two names for it; a count card only counts as used up once it was used.
 */
export type CardPhase = 'disabled' | 'ended' | 'unused' | 'active';

export function cardPhase(card: CardRecord, now: number): CardPhase {
  if (card.disabled) return 'disabled';
  if (isExpired(card, now) || (card.activatedAt !== null && isExhausted(card))) return 'ended';
  return card.activatedAt === null ? 'unused' : 'active';
}

const QUERY_STATE = { disabled: '已禁用', ended: '已到期', unused: '未使用', active: '已使用' } as const;
/** potatocloud `state` (undocumented; our choice): 1 unused — what createCardMy returns —, 2 activated, 3 expired or used up, 0 disabled. */
export const POTATO_STATE = { disabled: 0, ended: 3, unused: 1, active: 2 } as const;

export function queryState(card: CardRecord, now: number): (typeof QUERY_STATE)[CardPhase] {
  return QUERY_STATE[cardPhase(card, now)];
}

export function potatoState(card: CardRecord, now: number): number {
  return POTATO_STATE[cardPhase(card, now)];
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
