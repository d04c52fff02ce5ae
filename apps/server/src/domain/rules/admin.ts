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
