// Card SQL shared by both adapters: reads, inserts and the potatocloud listing.

import { numberArrayLiteral, textArrayLiteral } from '../array-literal';
import type { CardRecord } from '../records';
import type { CardListQuery, NewCard } from '../storage';
import type { Queryable } from '../types';
import { CARD_COLUMNS, type CardRow, cardColumns, num, toCardRecord } from './card-rows';

export async function selectCard(
  db: Queryable,
  appId: string,
  cardStr: string,
  forUpdate = false,
): Promise<CardRecord | undefined> {
  const res = await db.query<CardRow>(
    `SELECT ${CARD_COLUMNS} FROM cards WHERE app_id = $1 AND card_str = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [appId, cardStr],
  );
  return res.rows[0] ? toCardRecord(res.rows[0]) : undefined;
}

/** A card's row with its tuple version (`xmin`), the guard of a later write (sql/card-write-batch.ts). */
export type VersionedCardRow = CardRow & { version: string };

/**
 * Many cards by key in one statement (PostgreSQL's coalesced reads): one answer per key, in
 * order, undefined where no such card exists.
 */
export async function selectVersionedCards(
  db: Queryable,
  keys: ReadonlyArray<{ appId: string; cardStr: string }>,
): Promise<Array<VersionedCardRow | undefined>> {
  const res = await db.query<VersionedCardRow>(
    `SELECT ${cardColumns('c')}, c.xmin::text AS version
     FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS v(app_id, card_str, i)
     LEFT JOIN cards c ON c.app_id = v.app_id AND c.card_str = v.card_str
     ORDER BY v.i`,
    [keys.map((k) => k.appId), keys.map((k) => k.cardStr)],
  );
  if (res.rows.length !== keys.length)
    throw new Error(`card batch answered ${res.rows.length} rows for ${keys.length} keys`);
  return res.rows.map((row) => (row.id === null ? undefined : row));
}

export async function selectCardById(db: Queryable, id: string): Promise<CardRecord | undefined> {
  const res = await db.query<CardRow>(`SELECT ${CARD_COLUMNS} FROM cards WHERE id = $1`, [id]);
  return res.rows[0] ? toCardRecord(res.rows[0]) : undefined;
}

/**
 * Inserts cards in one statement (arrays unnested server-side: one round trip however many rows).
 * `skipExisting` skips an existing card string instead of failing the statement. Bulk generation
 * leaves it off: the speculative insertion behind ON CONFLICT costs ~15 % throughput, and a clash
 * between 128-bit random strings is not a practical event.
 */
export function insertCardRows(
  db: Queryable,
  cards: readonly NewCard[],
  options: { skipExisting: boolean; returning: boolean },
) {
  const col = <K extends keyof NewCard>(k: K) => cards.map((c) => c[k]);
  return db.query<CardRow>(
    `INSERT INTO cards (id, app_id, card_str, kind, type, duration_seconds, uses_total, uses_left, core, created_ip, created_at, modified_at)
     SELECT v.id, v.app_id, v.card_str, v.kind, v.type, v.duration_seconds, v.uses, v.uses, v.core, v.ip, v.now, v.now
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::bigint[], $7::int[],
                 $8::text[], $9::text[], $10::bigint[])
       AS v(id, app_id, card_str, kind, type, duration_seconds, uses, core, ip, now)
     ${options.skipExisting ? 'ON CONFLICT (app_id, card_str) DO NOTHING' : ''}
     ${options.returning ? `RETURNING ${CARD_COLUMNS}` : ''}`,
    [
      textArrayLiteral(col('id')),
      textArrayLiteral(col('appId')),
      textArrayLiteral(col('cardStr')),
      textArrayLiteral(col('kind')),
      numberArrayLiteral(col('type')),
      numberArrayLiteral(col('durationSeconds')),
      numberArrayLiteral(col('uses')),
      textArrayLiteral(col('core')),
      textArrayLiteral(col('createdIp')),
      numberArrayLiteral(col('nowMs')),
    ],
  );
}

/**
 * Bulk generation: rows that differ only in id and card string, so every other column is one
 * parameter and only two arrays are built (a literal per column per row costs ~2× throughput).
 */
export function insertUniformCardRows(db: Queryable, cards: readonly NewCard[]) {
  const first = cards[0];
  if (!first) return Promise.resolve({ rows: [], rowCount: 0 });
  return db.query(
    `INSERT INTO cards (id, app_id, card_str, kind, type, duration_seconds, uses_total, uses_left, core, created_ip, created_at, modified_at, remark, batch)
     SELECT u.id, $3, u.card_str, $4, $5, $6, $7, $7, $8, $9, $10, $10, $11, $12
     FROM unnest($1::text[], $2::text[]) AS u(id, card_str)`,
    [
      textArrayLiteral(cards.map((c) => c.id)),
      textArrayLiteral(cards.map((c) => c.cardStr)),
      first.appId,
      first.kind,
      first.type,
      first.durationSeconds,
      first.uses,
      first.core,
      first.createdIp,
      first.nowMs,
      first.remark ?? '',
      first.batch ?? '',
    ],
  );
}

/**
 * The potatocloud state of a row at `$now` (unix seconds), for filtering in SQL. It translates
 * the domain's `cardPhase` + `POTATO_STATE` (domain/rules/card-state.ts); a test checks that the
 * two agree on every kind of card.
 */
export function potatoStateSql(nowParam: string): string {
  return `(CASE WHEN disabled THEN 0
    WHEN kind = 'time' AND expires_at IS NOT NULL AND expires_at <= ${nowParam} THEN 3
    WHEN kind = 'count' AND activated_at IS NOT NULL AND uses_left <= 0 THEN 3
    WHEN activated_at IS NULL THEN 1 ELSE 2 END)`;
}

/** Undeleted cards of an app, newest first, with exact-match filters. */
export async function listCardRows(
  db: Queryable,
  q: CardListQuery,
): Promise<{ cards: CardRecord[]; total: number }> {
  const where = `app_id = $1 AND status = 1
    AND ($2::text IS NULL OR card_str = $2::text)
    AND ($3::int IS NULL OR type = $3::int)
    AND ($4::int IS NULL OR ${potatoStateSql('$5::bigint')} = $4::int)`;
  const params = [q.appId, q.cardStr || null, q.type ?? null, q.potatoState ?? null, q.nowSeconds];
  const [rows, count] = await Promise.all([
    db.query<CardRow>(
      `SELECT ${CARD_COLUMNS} FROM cards WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $6 OFFSET $7`,
      [...params, q.limit, q.offset],
    ),
    db.query<{ total: unknown }>(`SELECT count(*) AS total FROM cards WHERE ${where}`, params),
  ]);
  return { cards: rows.rows.map(toCardRecord), total: num(count.rows[0]?.total ?? 0) };
}
