/** Card types shared by the potatocloud API, the reference server and the SDKs. */
export const CARD_TYPES = [
  { type: 0, name: '天卡', key: 'day', days: 1 },
  { type: 1, name: '周卡', key: 'week', days: 7 },
  { type: 2, name: '月卡', key: 'month', days: 30 },
  { type: 3, name: '季卡', key: 'quarter', days: 90 },
  { type: 4, name: '年卡', key: 'year', days: 365 },
  { type: 5, name: '永久卡', key: 'permanent', days: null },
] as const;

export type CardType = (typeof CARD_TYPES)[number]['type'];

export function isCardType(value: unknown): value is CardType {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 5;
}

/** Duration of a card type in seconds, or `null` for a permanent card. */
export function cardTypeDurationSeconds(type: CardType): number | null {
  const days = CARD_TYPES[type].days;
  return days === null ? null : days * 86_400;
}

/** The `amount` text the login response carries for a time card (`30天`, `永久卡`). */
export function cardTypeAmount(type: CardType): string {
  const days = CARD_TYPES[type].days;
  return days === null ? '永久卡' : `${days}天`;
}

/** Most cards a single `createCardMy` call may create. */
export const MAX_CARDS_PER_CALL = 10;
