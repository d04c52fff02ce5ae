// Mapping between `cards` rows and the domain / wire shapes. Both drivers may hand bigint columns
// back as number, bigint or string (pg: string; PGlite: number, or bigint beyond 2^53), so every
// numeric column goes through num().
import { type CardType, cardTypeDurationSeconds, type PotatoCard } from '@kami-verify/core';
import type { CardKind, CardRecord } from './types';

const CARD_COLUMN_NAMES = [
  'id',
  'app_id',
  'card_str',
  'kind',
  'type',
  'duration_seconds',
  'uses_total',
  'uses_left',
  'status',
  'disabled',
  'imei',
  'bound_ip',
  'change_count',
  'core',
  'created_ip',
  'created_at',
  'modified_at',
  'activated_at',
  'expires_at',
] as const;

/** The select list for a card row, optionally qualified with a table alias. */
export function cardColumns(alias?: string): string {
  return CARD_COLUMN_NAMES.map((c) => (alias ? `${alias}.${c}` : c)).join(', ');
}

export const CARD_COLUMNS = cardColumns();

export interface CardRow {
  [column: string]: unknown;
  id: string;
  app_id: string;
  card_str: string;
  kind: string;
  type: unknown;
  duration_seconds: unknown;
  uses_total: unknown;
  uses_left: unknown;
  status: unknown;
  disabled: boolean;
  imei: string | null;
  bound_ip: string | null;
  change_count: unknown;
  core: string;
  created_ip: string;
  created_at: unknown;
  modified_at: unknown;
  activated_at: unknown;
  expires_at: unknown;
}

export function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

export function toCardRecord(row: CardRow): CardRecord {
  return {
    id: String(row.id),
    appId: String(row.app_id),
    cardStr: row.card_str,
    kind: row.kind as CardRecord['kind'],
    type: numOrNull(row.type),
    durationSeconds: numOrNull(row.duration_seconds),
    usesTotal: numOrNull(row.uses_total),
    usesLeft: numOrNull(row.uses_left),
    status: num(row.status) === 0 ? 0 : 1,
    disabled: Boolean(row.disabled),
    imei: row.imei ?? null,
    boundIp: row.bound_ip ?? null,
    change: num(row.change_count),
    core: row.core ?? '',
    createdIp: row.created_ip ?? '',
    createdAt: num(row.created_at),
    modifiedAt: num(row.modified_at),
    activatedAt: numOrNull(row.activated_at),
    expiresAt: numOrNull(row.expires_at),
  };
}

/** The columns a {@link CardKind} fixes: potato type, duration and uses. */
export function kindColumns(card: CardKind): {
  kind: CardKind['kind'];
  type: number | null;
  durationSeconds: number | null;
  uses: number | null;
} {
  switch (card.kind) {
    case 'time':
      return {
        kind: 'time',
        type: card.type,
        durationSeconds: cardTypeDurationSeconds(card.type),
        uses: null,
      };
    case 'permanent':
      return { kind: 'permanent', type: 5, durationSeconds: null, uses: null };
    case 'count':
      if (!Number.isInteger(card.uses) || card.uses < 1) throw new RangeError('a count card needs uses >= 1');
      return { kind: 'count', type: null, durationSeconds: null, uses: card.uses };
  }
}

/** potatocloud type 0–4 is a time card, 5 a permanent one. */
export function kindForPotatoType(type: number): CardKind {
  if (!Number.isInteger(type) || type < 0 || type > 5)
    throw new RangeError(`card type must be 0..5, got ${type}`);
  return type === 5 ? { kind: 'permanent' } : { kind: 'time', type: type as Exclude<CardType, 5> };
}

/**
 * potatocloud `state` (undocumented; our choice): 1 unused — what createCardMy returns —,
 * 2 activated, 3 expired or used up, 0 disabled. `$now` is unix seconds.
 */
export function potatoStateSql(nowParam: string): string {
  return `(CASE WHEN disabled THEN 0
    WHEN kind = 'time' AND expires_at IS NOT NULL AND expires_at <= ${nowParam} THEN 3
    WHEN kind = 'count' AND uses_left <= 0 THEN 3
    WHEN activated_at IS NULL THEN 1 ELSE 2 END)`;
}

export function toPotatoCard(row: CardRow, state: number): PotatoCard {
  return {
    id: String(row.id),
    createdDate: num(row.created_at),
    modifiedDate: num(row.modified_at),
    status: num(row.status) === 0 ? 0 : 1,
    ip: row.created_ip ?? '',
    appId: String(row.app_id),
    cardStr: row.card_str,
    exportState: 1,
    state,
    type: numOrNull(row.type) ?? -1,
  };
}
