// Mapping between `cards` rows and card records. Both drivers may hand bigint columns
// back as number, bigint or string (pg: string; PGlite: number, or bigint beyond 2^53), so every
// numeric column goes through num().
import type { CardRecord } from '../records';
import type { NewCard } from '../storage';

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
  'bound_region',
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

/**
 * A card's mutable columns, in one order: what a change writes (sql/card-writes.ts,
 * sql/card-write-batch.ts), with their SQL types. `guarded`: compared by a guarded write (the
 * state a decision depends on); kami_recharge's total and modify_core's core are written only.
 */
export const CARD_STATE: ReadonlyArray<{
  column: string;
  type: string;
  of: (c: CardRecord) => unknown;
  guarded: boolean;
}> = [
  { column: 'imei', type: 'text', of: (c) => c.imei, guarded: true },
  { column: 'bound_ip', type: 'text', of: (c) => c.boundIp, guarded: true },
  { column: 'activated_at', type: 'bigint', of: (c) => c.activatedAt, guarded: true },
  { column: 'expires_at', type: 'bigint', of: (c) => c.expiresAt, guarded: true },
  { column: 'uses_left', type: 'int', of: (c) => c.usesLeft, guarded: true },
  { column: 'change_count', type: 'int', of: (c) => c.change, guarded: true },
  { column: 'disabled', type: 'bool', of: (c) => c.disabled, guarded: true },
  { column: 'status', type: 'smallint', of: (c) => c.status, guarded: true },
  { column: 'modified_at', type: 'bigint', of: (c) => c.modifiedAt, guarded: true },
  { column: 'uses_total', type: 'int', of: (c) => c.usesTotal, guarded: false },
  { column: 'core', type: 'text', of: (c) => c.core, guarded: false },
  { column: 'bound_region', type: 'text', of: (c) => c.boundRegion, guarded: true },
];

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
  bound_region: string | null;
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
    boundRegion: row.bound_region ?? null,
    change: num(row.change_count),
    core: row.core ?? '',
    createdIp: row.created_ip ?? '',
    createdAt: num(row.created_at),
    modifiedAt: num(row.modified_at),
    activatedAt: numOrNull(row.activated_at),
    expiresAt: numOrNull(row.expires_at),
  };
}

/** The record of a card just inserted from `n` (what its row now holds). */
export function recordOfNewCard(n: NewCard): CardRecord {
  return {
    id: n.id,
    appId: n.appId,
    cardStr: n.cardStr,
    kind: n.kind,
    type: n.type,
    durationSeconds: n.durationSeconds,
    usesTotal: n.uses,
    usesLeft: n.uses,
    status: 1,
    disabled: false,
    imei: null,
    boundIp: null,
    boundRegion: null,
    change: 0,
    core: n.core,
    createdIp: n.createdIp,
    createdAt: n.nowMs,
    modifiedAt: n.nowMs,
    activatedAt: null,
    expiresAt: null,
  };
}
