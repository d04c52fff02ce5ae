// Operator changes to a card. Sessions of a disabled card stay (their heartbeats answer 卡密被禁用,
// which tells the user why); a deleted card's sessions end.
import type { CardRecord } from '../types';

/** The card disabled or enabled, or undefined when there is no such (undeleted) card. */
export function decideDisable(
  card: CardRecord | undefined,
  disabled: boolean,
  nowMs: number,
): CardRecord | undefined {
  if (!card || card.status === 0) return undefined;
  return { ...card, disabled, modifiedAt: nowMs };
}

/** Soft delete (status 0, as potatocloud reports it): the row and its history stay. */
export function decideDelete(card: CardRecord | undefined, nowMs: number): CardRecord | undefined {
  if (!card || card.status === 0) return undefined;
  return { ...card, status: 0, modifiedAt: nowMs };
}

/**
 * Operator unbind: clears the bound device, IP and region and ends the card's sessions. Unlike the
 * client's unbind it is not counted toward the card's `change` limit.
 */
export function decideOperatorUnbind(card: CardRecord | undefined, nowMs: number): CardRecord | undefined {
  if (!card || card.status === 0) return undefined;
  return { ...card, imei: null, boundIp: null, boundRegion: null, modifiedAt: nowMs };
}

export type ExpiryRefusal = 'not-found' | 'not-a-time-card' | 'not-activated';

/**
 * A time card's expiry set (unix seconds) or moved. Only an activated time card has one: an unused
 * card's expiry starts at its first login, permanent and count cards never expire by time.
 */
export function decideExpiry(
  card: CardRecord | undefined,
  change: { expiresAt?: number | undefined; extendSeconds?: number | undefined },
  nowMs: number,
): CardRecord | ExpiryRefusal {
  if (!card || card.status === 0) return 'not-found';
  if (card.kind !== 'time') return 'not-a-time-card';
  if (card.activatedAt === null || card.expiresAt === null) return 'not-activated';
  const expiresAt =
    change.expiresAt !== undefined
      ? change.expiresAt
      : Math.max(0, card.expiresAt + (change.extendSeconds ?? 0));
  return { ...card, expiresAt, modifiedAt: nowMs };
}
