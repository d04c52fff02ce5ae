// SQL of the operator surface (http/admin): admin tokens, the audit log, hourly login counters,
// card pages and exports with their labels, card import, sessions and counts. Shared by both
// adapters; the tables of tokens, audit and counters are cached by neither.
import { numberArrayLiteral, textArrayLiteral } from '../array-literal';
import type { CardRecord } from '../records';
import type { SessionRecord } from '../storage';
import type { Queryable } from '../types';
import { CARD_COLUMNS, type CardRow, num, numOrNull, toCardRecord } from './card-rows';
import { potatoStateSql } from './cards';

export type AdminScope = 'read' | 'full';

export interface AdminTokenRecord {
  id: string;
  name: string;
  /** sha-256 of the secret, hex. */
  hash: string;
  scope: AdminScope;
  /** App ids the token is limited to; null = every app. */
  apps: string[] | null;
  createdAt: number;
  revokedAt: number | null;
}

export interface AuditEntry {
  id: string;
  at: number;
  tokenId: string | null;
  tokenName: string | null;
  action: string;
  target: string | null;
  params: Record<string, unknown> | null;
  ip: string;
  status: number;
  result: string | null;
}

/** A card with its operator labels. */
export interface AdminCard extends CardRecord {
  remark: string;
  batch: string;
}

/** The phases a listing filters on (domain/rules/card-state.ts), plus deleted cards. */
export type AdminCardState = 'unused' | 'active' | 'ended' | 'disabled' | 'deleted';

export interface AdminCardQuery {
  appId: string;
  limit: number;
  /** Keyset cursor: cards strictly after this (created_at, id), ascending. */
  after?: { createdAt: number; id: string } | undefined;
  state?: AdminCardState | undefined;
  /** Without `state`: deleted cards too (exports). */
  includeDeleted?: boolean | undefined;
  kind?: CardRecord['kind'] | undefined;
  batch?: string | undefined;
  bound?: boolean | undefined;
  /** Unix seconds: time cards whose expiry is set and earlier. */
  expiringBefore?: number | undefined;
  nowSeconds: number;
}

/** A card as imported: every column given. */
export interface ImportedCard extends AdminCard {}

export interface HourCount {
  appId: string;
  /** Start of the hour, ms. */
  hour: number;
  logins: number;
  failures: number;
}

const POTATO_OF: Record<Exclude<AdminCardState, 'deleted'>, number> = {
  disabled: 0,
  ended: 3,
  unused: 1,
  active: 2,
};

/** One keyset page of cards, ascending by (created_at, id) (the index cards_app_created_idx). */
export async function selectAdminCards(db: Queryable, q: AdminCardQuery): Promise<AdminCard[]> {
  const params: unknown[] = [q.appId];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = ['app_id = $1'];
  if (q.state === 'deleted') where.push('status = 0');
  else if (q.state !== undefined || !q.includeDeleted) {
    where.push('status = 1');
    if (q.state !== undefined)
      where.push(`${potatoStateSql(`${p(q.nowSeconds)}::bigint`)} = ${p(POTATO_OF[q.state])}::int`);
  }
  if (q.kind !== undefined) where.push(`kind = ${p(q.kind)}::text`);
  if (q.batch !== undefined) where.push(`batch = ${p(q.batch)}::text`);
  if (q.bound === true) where.push('imei IS NOT NULL');
  if (q.bound === false) where.push('imei IS NULL');
  if (q.expiringBefore !== undefined)
    where.push(`expires_at IS NOT NULL AND expires_at < ${p(q.expiringBefore)}::bigint`);
  if (q.after) where.push(`(created_at, id) > (${p(q.after.createdAt)}::bigint, ${p(q.after.id)}::text)`);
  const res = await db.query<CardRow & { remark: string; batch: string }>(
    `SELECT ${CARD_COLUMNS}, remark, batch FROM cards WHERE ${where.join(' AND ')}
     ORDER BY created_at, id LIMIT ${p(q.limit)}::int`,
    params,
  );
  return res.rows.map((row) => ({ ...toCardRecord(row), remark: row.remark, batch: row.batch }));
}

export async function selectAdminCard(
  db: Queryable,
  appId: string,
  cardStr: string,
): Promise<AdminCard | undefined> {
  const res = await db.query<CardRow & { remark: string; batch: string }>(
    `SELECT ${CARD_COLUMNS}, remark, batch FROM cards WHERE app_id = $1 AND card_str = $2`,
    [appId, cardStr],
  );
  const row = res.rows[0];
  return row ? { ...toCardRecord(row), remark: row.remark, batch: row.batch } : undefined;
}

/** Card strings of `appId` among `cardStrs` that exist already. */
export async function existingCardStrs(db: Queryable, appId: string, cardStrs: string[]): Promise<string[]> {
  const res = await db.query<{ card_str: string }>(
    `SELECT card_str FROM cards WHERE app_id = $1 AND card_str = ANY($2::text[])`,
    [appId, textArrayLiteral(cardStrs)],
  );
  return res.rows.map((r) => r.card_str);
}

/** Inserts fully described cards (an import); fails on an existing card string. */
export function insertImportedCards(db: Queryable, cards: readonly ImportedCard[]) {
  const col = <K extends keyof ImportedCard>(k: K) => cards.map((c) => c[k]);
  const bools = (k: 'disabled') => textArrayLiteral(cards.map((c) => (c[k] ? 't' : 'f')));
  return db.query(
    `INSERT INTO cards (id, app_id, card_str, kind, type, duration_seconds, uses_total, uses_left, status, disabled,
       imei, bound_ip, change_count, core, created_ip, created_at, modified_at, activated_at, expires_at, remark, batch,
       bound_region)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::bigint[], $7::int[],
       $8::int[], $9::smallint[], $10::bool[], $11::text[], $12::text[], $13::int[], $14::text[], $15::text[],
       $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::text[], $21::text[], $22::text[])`,
    [
      textArrayLiteral(col('id')),
      textArrayLiteral(col('appId')),
      textArrayLiteral(col('cardStr')),
      textArrayLiteral(col('kind')),
      numberArrayLiteral(col('type')),
      numberArrayLiteral(col('durationSeconds')),
      numberArrayLiteral(col('usesTotal')),
      numberArrayLiteral(col('usesLeft')),
      numberArrayLiteral(col('status')),
      bools('disabled'),
      // Nullable text: plain arrays (the literal builder has no NULL for text).
      col('imei'),
      col('boundIp'),
      numberArrayLiteral(col('change')),
      textArrayLiteral(col('core')),
      textArrayLiteral(col('createdIp')),
      numberArrayLiteral(col('createdAt')),
      numberArrayLiteral(col('modifiedAt')),
      numberArrayLiteral(col('activatedAt')),
      numberArrayLiteral(col('expiresAt')),
      textArrayLiteral(col('remark')),
      textArrayLiteral(col('batch')),
      col('boundRegion'),
    ],
  );
}

/** Undeleted cards of an app per potatocloud state (0 disabled, 1 unused, 2 active, 3 ended) and deleted ones. */
export async function countCardsByState(
  db: Queryable,
  appId: string,
  nowSeconds: number,
): Promise<Record<AdminCardState, number>> {
  const res = await db.query<{ state: unknown; n: unknown }>(
    `SELECT CASE WHEN status = 0 THEN -1 ELSE ${potatoStateSql('$2::bigint')} END AS state, count(*) AS n
     FROM cards WHERE app_id = $1 GROUP BY 1`,
    [appId, nowSeconds],
  );
  const out: Record<AdminCardState, number> = { unused: 0, active: 0, ended: 0, disabled: 0, deleted: 0 };
  const name: Record<number, AdminCardState> = {
    [-1]: 'deleted',
    0: 'disabled',
    1: 'unused',
    2: 'active',
    3: 'ended',
  };
  for (const row of res.rows) {
    const state = name[num(row.state)];
    if (state) out[state] = num(row.n);
  }
  return out;
}

interface SessionRow {
  [column: string]: unknown;
  statecode: string;
  card_id: string;
  app_id: string;
  imei: string;
  expires_at: unknown;
  created_at: unknown;
  card_str: string;
}

/** Live sessions of an app (or one card of it), oldest first, at most `limit`. */
export async function selectSessions(
  db: Queryable,
  q: { appId: string; cardStr?: string | undefined; nowMs: number; limit: number },
): Promise<Array<SessionRecord & { cardStr: string }>> {
  const res = await db.query<SessionRow>(
    `SELECT s.statecode, s.card_id, s.app_id, s.imei, s.expires_at, s.created_at, c.card_str
     FROM sessions s JOIN cards c ON c.id = s.card_id
     WHERE s.app_id = $1 AND s.expires_at > $2 AND ($3::text IS NULL OR c.card_str = $3::text)
     ORDER BY s.created_at, s.statecode LIMIT $4`,
    [q.appId, q.nowMs, q.cardStr ?? null, q.limit],
  );
  return res.rows.map((r) => ({
    statecode: r.statecode,
    cardId: String(r.card_id),
    appId: String(r.app_id),
    imei: r.imei,
    expiresAt: num(r.expires_at),
    createdAt: num(r.created_at),
    cardStr: r.card_str,
  }));
}

export async function countOnline(db: Queryable, appId: string, nowMs: number): Promise<number> {
  const res = await db.query<{ n: unknown }>(
    'SELECT count(*) AS n FROM sessions WHERE app_id = $1 AND expires_at > $2',
    [appId, nowMs],
  );
  return num(res.rows[0]?.n ?? 0);
}

/** Card strings of an app that have sessions (kick all). */
export async function cardsWithSessions(db: Queryable, appId: string): Promise<string[]> {
  const res = await db.query<{ card_str: string }>(
    `SELECT DISTINCT c.card_str FROM sessions s JOIN cards c ON c.id = s.card_id WHERE s.app_id = $1`,
    [appId],
  );
  return res.rows.map((r) => r.card_str);
}

// --- tables no adapter caches -----------------------------------------------------------------

interface TokenRow {
  [column: string]: unknown;
  id: string;
  name: string;
  hash: string;
  scope: string;
  apps: unknown;
  created_at: unknown;
  revoked_at: unknown;
}

const toToken = (r: TokenRow): AdminTokenRecord => ({
  id: String(r.id),
  name: r.name,
  hash: r.hash,
  scope: r.scope === 'full' ? 'full' : 'read',
  apps:
    r.apps === null || r.apps === undefined
      ? null
      : ((typeof r.apps === 'string' ? JSON.parse(r.apps) : r.apps) as string[]),
  createdAt: num(r.created_at),
  revokedAt: numOrNull(r.revoked_at),
});

interface AuditRow {
  [column: string]: unknown;
  id: string;
  at: unknown;
  token_id: string | null;
  token_name: string | null;
  action: string;
  target: string | null;
  params: unknown;
  ip: string;
  status: unknown;
  result: string | null;
}

/** Admin tokens, the audit log and the hourly login counters. */
export interface AdminRecords {
  insertToken(token: AdminTokenRecord): Promise<void>;
  findToken(hash: string): Promise<AdminTokenRecord | undefined>;
  listTokens(): Promise<AdminTokenRecord[]>;
  /** Revokes by id or name; returns the revoked tokens. */
  revokeToken(idOrName: string, nowMs: number): Promise<AdminTokenRecord[]>;
  insertAudit(entry: AuditEntry): Promise<void>;
  /** Newest first, strictly before the cursor (at, id). */
  listAudit(q: { before?: { at: number; id: string } | undefined; limit: number }): Promise<AuditEntry[]>;
  addLoginCounts(counts: readonly HourCount[]): Promise<void>;
  loginCounts(q: { appId: string; sinceHour: number }): Promise<HourCount[]>;
}

export function adminRecords(db: Queryable): AdminRecords {
  return {
    async insertToken(t) {
      await db.query(
        `INSERT INTO admin_tokens (id, name, hash, scope, apps, created_at, revoked_at)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)`,
        [
          t.id,
          t.name,
          t.hash,
          t.scope,
          t.apps === null ? null : JSON.stringify(t.apps),
          t.createdAt,
          t.revokedAt,
        ],
      );
    },
    async findToken(hash) {
      const res = await db.query<TokenRow>('SELECT * FROM admin_tokens WHERE hash = $1', [hash]);
      return res.rows[0] ? toToken(res.rows[0]) : undefined;
    },
    async listTokens() {
      const res = await db.query<TokenRow>('SELECT * FROM admin_tokens ORDER BY created_at, id');
      return res.rows.map(toToken);
    },
    async revokeToken(idOrName, nowMs) {
      const res = await db.query<TokenRow>(
        `UPDATE admin_tokens SET revoked_at = $2 WHERE (id = $1 OR name = $1) AND revoked_at IS NULL RETURNING *`,
        [idOrName, nowMs],
      );
      return res.rows.map(toToken);
    },
    async insertAudit(e) {
      await db.query(
        `INSERT INTO admin_audit (id, at, token_id, token_name, action, target, params, ip, status, result)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10)`,
        [
          e.id,
          e.at,
          e.tokenId,
          e.tokenName,
          e.action,
          e.target,
          e.params === null ? null : JSON.stringify(e.params),
          e.ip,
          e.status,
          e.result,
        ],
      );
    },
    async listAudit({ before, limit }) {
      const res = await db.query<AuditRow>(
        `SELECT * FROM admin_audit WHERE ($1::bigint IS NULL OR (at, id) < ($1::bigint, $2::text))
         ORDER BY at DESC, id DESC LIMIT $3`,
        [before?.at ?? null, before?.id ?? '', limit],
      );
      return res.rows.map((r) => ({
        id: String(r.id),
        at: num(r.at),
        tokenId: r.token_id,
        tokenName: r.token_name,
        action: r.action,
        target: r.target,
        params: (typeof r.params === 'string' ? JSON.parse(r.params) : r.params) as AuditEntry['params'],
        ip: r.ip,
        status: num(r.status),
        result: r.result,
      }));
    },
    async addLoginCounts(counts) {
      if (counts.length === 0) return;
      await db.query(
        `INSERT INTO login_stats (app_id, hour, logins, failures)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[])
         ON CONFLICT (app_id, hour) DO UPDATE SET logins = login_stats.logins + EXCLUDED.logins,
           failures = login_stats.failures + EXCLUDED.failures`,
        [
          textArrayLiteral(counts.map((c) => c.appId)),
          numberArrayLiteral(counts.map((c) => c.hour)),
          numberArrayLiteral(counts.map((c) => c.logins)),
          numberArrayLiteral(counts.map((c) => c.failures)),
        ],
      );
    },
    async loginCounts({ appId, sinceHour }) {
      const res = await db.query<{ app_id: string; hour: unknown; logins: unknown; failures: unknown }>(
        'SELECT app_id, hour, logins, failures FROM login_stats WHERE app_id = $1 AND hour >= $2 ORDER BY hour',
        [appId, sinceHour],
      );
      return res.rows.map((r) => ({
        appId: r.app_id,
        hour: num(r.hour),
        logins: num(r.logins),
        failures: num(r.failures),
      }));
    },
  };
}
