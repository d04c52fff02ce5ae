// The card export / import format. One column list for CSV and JSON; an export imported into an
// app (of this or another server) and exported again gives the same bytes. Times are ISO 8601
// UTC (`created` with milliseconds); an empty CSV field is "none" (null in JSON).

import { type CardType, cardTypeDurationSeconds } from '@kami-verify/core';
import { parse } from 'csv-parse/sync';
import { adminCardState } from '../../domain/admin';
import { CARD_STATES } from '../../schema/admin';
import type { AdminCard, AdminCardState } from '../../store/sql/admin';
import { AdminError } from './framing';

export const EXPORT_COLUMNS = [
  'key',
  'kind',
  'type',
  'uses_total',
  'uses_left',
  'state',
  'disabled',
  'deleted',
  'device',
  'bound_ip',
  'bound_region',
  'changes',
  'first_use',
  'expiry',
  'core',
  'remark',
  'batch',
  'created',
] as const;
type Column = (typeof EXPORT_COLUMNS)[number];
/** The columns of exports made before region binding (no bound_region): they import with none bound. */
const PRE_REGION_COLUMNS: readonly Column[] = EXPORT_COLUMNS.filter((c) => c !== 'bound_region');
export type ExportRow = Record<Column, string | number | boolean | null>;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const isoSeconds = (s: number | null) =>
  s === null ? null : new Date(s * 1000).toISOString().replace('.000Z', 'Z');

export function exportRow(card: AdminCard, nowSeconds: number): ExportRow {
  return {
    key: card.cardStr,
    kind: card.kind,
    type: card.type,
    uses_total: card.usesTotal,
    uses_left: card.usesLeft,
    state: adminCardState(card, nowSeconds),
    disabled: card.disabled,
    deleted: card.status === 0,
    device: card.imei,
    bound_ip: card.boundIp,
    bound_region: card.boundRegion,
    changes: card.change,
    first_use: isoSeconds(card.activatedAt),
    expiry: isoSeconds(card.expiresAt),
    core: card.core,
    remark: card.remark,
    batch: card.batch,
    created: iso(card.createdAt),
  };
}

/**
 * One RFC 4180 field. Writing is this one rule (quote when a quote, comma or line break is in
 * it, doubling quotes); csv-stringify spent ~8x as long per row, most of an export's time.
 * Reading, where the format's corner cases are, goes through csv-parse.
 */
function field(value: string | number | boolean | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvHeader = () => `${EXPORT_COLUMNS.join(',')}\n`;

export function csvLines(rows: ExportRow[]): string {
  let out = '';
  for (const r of rows) {
    let line = field(r[EXPORT_COLUMNS[0]]);
    for (let i = 1; i < EXPORT_COLUMNS.length; i++) line += `,${field(r[EXPORT_COLUMNS[i] as Column])}`;
    out += `${line}\n`;
  }
  return out;
}

/** A card read from an import row: every stored column but the ones the server assigns. */
export type ImportRow = Omit<AdminCard, 'id' | 'appId' | 'modifiedAt'>;

const KEY = /^[0-9A-Za-z_-]{4,64}$/;
const MAX_TEXT = 500;

class RowError extends Error {
  constructor(
    readonly column: string,
    message: string,
  ) {
    super(message);
  }
}

function intOrNull(v: string, column: string, min: number, max: number): number | null {
  if (v === '') return null;
  if (!/^-?\d{1,16}$/.test(v) || Number(v) < min || Number(v) > max)
    throw new RowError(column, `must be an integer from ${min} to ${max} or empty`);
  return Number(v);
}

function bool(v: string, column: string): boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new RowError(column, 'must be true or false');
}

function time(v: string, column: string, seconds: boolean): number | null {
  if (v === '') return null;
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/.test(v) ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new RowError(column, 'must be an ISO 8601 UTC time (2026-01-31T12:00:00Z) or empty');
  if (seconds && ms % 1000 !== 0) throw new RowError(column, 'must be whole seconds');
  return seconds ? ms / 1000 : ms;
}

function text(v: string, column: string, max = MAX_TEXT): string {
  if (v.length > max || v.includes('\u0000'))
    throw new RowError(column, `must be at most ${max} characters, no NUL`);
  return v;
}

function cardOf(r: Record<string, string>): ImportRow {
  const key = r.key ?? '';
  if (!KEY.test(key)) throw new RowError('key', 'must be 4–64 letters, digits, - or _');
  const kind = r.kind;
  if (kind !== 'time' && kind !== 'permanent' && kind !== 'count')
    throw new RowError('kind', 'must be one of "time", "permanent", "count"');
  const type = intOrNull(r.type ?? '', 'type', 0, 5);
  const usesTotal = intOrNull(r.uses_total ?? '', 'uses_total', 1, 1_000_000);
  const usesLeft = intOrNull(r.uses_left ?? '', 'uses_left', 0, 1_000_000);
  let durationSeconds: number | null = null;
  if (kind === 'time') {
    if (type === null || type > 4) throw new RowError('type', 'a time card has type 0–4');
    durationSeconds = cardTypeDurationSeconds(type as CardType);
  } else if (kind === 'permanent' && type !== 5) throw new RowError('type', 'a permanent card has type 5');
  else if (kind === 'count' && type !== null) throw new RowError('type', 'a count card has no type');
  if (kind === 'count') {
    if (usesTotal === null) throw new RowError('uses_total', 'a count card needs uses_total');
    if (usesLeft === null || usesLeft > usesTotal)
      throw new RowError('uses_left', 'must be from 0 to uses_total');
  } else {
    if (usesTotal !== null) throw new RowError('uses_total', `a ${kind} card has no uses`);
    if (usesLeft !== null) throw new RowError('uses_left', `a ${kind} card has no uses`);
  }
  if (!(CARD_STATES as readonly string[]).includes(r.state ?? ''))
    throw new RowError('state', `must be one of ${CARD_STATES.join(', ')}`);
  const device = text(r.device ?? '', 'device', 200);
  const boundIp = text(r.bound_ip ?? '', 'bound_ip', 100);
  const boundRegion = text(r.bound_region ?? '', 'bound_region', 200);
  const change = intOrNull(r.changes ?? '', 'changes', 0, 1_000_000_000);
  if (change === null) throw new RowError('changes', 'must be an integer');
  const activatedAt = time(r.first_use ?? '', 'first_use', true);
  const expiresAt = time(r.expiry ?? '', 'expiry', true);
  if (expiresAt !== null && kind !== 'time') throw new RowError('expiry', 'only time cards expire');
  if (expiresAt !== null && activatedAt === null) throw new RowError('expiry', 'needs first_use');
  const core = r.core ?? '';
  if (!/^([0-9a-fA-F]{2})*$/.test(core) || core.length > 10_000)
    throw new RowError('core', 'must be hex text');
  const createdAt = time(r.created ?? '', 'created', false);
  if (createdAt === null) throw new RowError('created', 'is required');
  const deleted = bool(r.deleted ?? '', 'deleted');
  const card: ImportRow = {
    cardStr: key,
    kind,
    type,
    durationSeconds,
    usesTotal,
    usesLeft,
    status: deleted ? 0 : 1,
    disabled: bool(r.disabled ?? '', 'disabled'),
    imei: device === '' ? null : device,
    boundIp: boundIp === '' ? null : boundIp,
    boundRegion: boundRegion === '' ? null : boundRegion,
    change,
    core,
    createdIp: '',
    createdAt,
    activatedAt,
    expiresAt,
    remark: text(r.remark ?? '', 'remark'),
    batch: text(r.batch ?? '', 'batch', 100),
  };
  return card;
}

/**
 * Parses and validates a whole CSV export (header first). Errors name the row (the header is row
 * 1) and the column. Keys must be unique within the file.
 */
export function parseImport(csv: string): ImportRow[] {
  let records: string[][];
  try {
    records = parse(csv, { relax_column_count: false, skip_empty_lines: true, bom: true });
  } catch (error) {
    const e = error as { lines?: number; message?: string };
    throw new AdminError(
      400,
      `row ${e.lines ?? '?'}: ${e.message ?? 'not valid CSV'}`,
      `row ${e.lines ?? '?'}`,
    );
  }
  const [header, ...rows] = records;
  const columns = [EXPORT_COLUMNS, PRE_REGION_COLUMNS].find((list) => header?.join(',') === list.join(','));
  if (!columns) throw new AdminError(400, `row 1: the header must be ${EXPORT_COLUMNS.join(',')}`, 'row 1');
  const seen = new Map<string, number>();
  return rows.map((values, i) => {
    const row = i + 2;
    const record = Object.fromEntries(columns.map((c, j) => [c, values[j] ?? '']));
    try {
      const card = cardOf(record);
      const first = seen.get(card.cardStr);
      if (first !== undefined) throw new RowError('key', `repeats the key of row ${first}`);
      seen.set(card.cardStr, row);
      return card;
    } catch (error) {
      if (!(error instanceof RowError)) throw error;
      throw new AdminError(
        400,
        `row ${row}, column ${error.column}: ${error.message}`,
        `row ${row}:${error.column}`,
      );
    }
  });
}

export type { AdminCardState };
