// Admin / testing operations on cards: mint, bulk generation, lookup, disable, delete, kick.
import { CARD_COLUMNS, type CardRow, kindColumns, toCardRecord } from './card-rows';
import type { DomainContext } from './context';
import { newCardStr, newCardStrs } from './ids';
import { insertCardBatch } from './potato';
import type { CardRecord, KamiService } from './types';

/** Rows per INSERT in bulk generation: large enough to amortise round trips, small enough for memory. */
export const BULK_BATCH_SIZE = 20_000;

export async function mintCard(
  ctx: DomainContext,
  input: Parameters<KamiService['mintCard']>[0],
): Promise<CardRecord> {
  const k = kindColumns(input.card);
  const now = ctx.clock.now();
  const res = await ctx.db.query<CardRow>(
    `INSERT INTO cards (id, app_id, card_str, kind, type, duration_seconds, uses_total, uses_left, core, created_at, modified_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $9)
     RETURNING ${CARD_COLUMNS}`,
    [
      ctx.ids.next(),
      input.app.id,
      input.cardStr ?? newCardStr(),
      k.kind,
      k.type,
      k.durationSeconds,
      k.uses,
      input.core ?? '',
      now,
    ],
  );
  const row = res.rows[0];
  if (!row) throw new Error('card insert returned nothing');
  return toCardRecord(row);
}

/** Generates `count` unused cards of potato type `type` in one transaction; returns how many were inserted. */
export async function bulkCreateCards(
  ctx: DomainContext,
  input: Parameters<KamiService['bulkCreateCards']>[0],
): Promise<number> {
  if (!Number.isInteger(input.count) || input.count < 0)
    throw new RangeError('count must be a non-negative integer');
  const nowMs = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    let inserted = 0;
    for (let done = 0; done < input.count; done += BULK_BATCH_SIZE) {
      const n = Math.min(BULK_BATCH_SIZE, input.count - done);
      const ids = new Array<string>(n);
      for (let i = 0; i < n; i++) ids[i] = ctx.ids.next();
      const res = await insertCardBatch(tx, {
        appId: input.app.id,
        type: input.type,
        ids,
        cardStrs: newCardStrs(n),
        ip: input.ip ?? '',
        nowMs,
        returning: false,
        skipExisting: false,
      });
      inserted += res.rowCount;
    }
    return inserted;
  });
}

export async function getCard(
  ctx: DomainContext,
  input: Parameters<KamiService['getCard']>[0],
): Promise<CardRecord | undefined> {
  const res = await ctx.db.query<CardRow>(
    `SELECT ${CARD_COLUMNS} FROM cards WHERE app_id = $1 AND card_str = $2`,
    [input.app.id, input.cardStr],
  );
  return res.rows[0] ? toCardRecord(res.rows[0]) : undefined;
}

/** Sessions stay: their heartbeats then answer 卡密被禁用, which tells the user why. */
export async function setCardDisabled(
  ctx: DomainContext,
  input: Parameters<KamiService['setCardDisabled']>[0],
): Promise<boolean> {
  const res = await ctx.db.query(
    'UPDATE cards SET disabled = $3, modified_at = $4 WHERE app_id = $1 AND card_str = $2 AND status = 1',
    [input.app.id, input.cardStr, input.disabled, ctx.clock.now()],
  );
  return res.rowCount > 0;
}

/** Soft delete (status 0, as potatocloud reports it); the row and its history stay, sessions end. */
export async function deleteCard(
  ctx: DomainContext,
  input: Parameters<KamiService['deleteCard']>[0],
): Promise<boolean> {
  return ctx.db.transaction(async (tx) => {
    const res = await tx.query<{ id: string }>(
      'UPDATE cards SET status = 0, modified_at = $3 WHERE app_id = $1 AND card_str = $2 AND status = 1 RETURNING id',
      [input.app.id, input.cardStr, ctx.clock.now()],
    );
    const row = res.rows[0];
    if (!row) return false;
    await tx.query('DELETE FROM sessions WHERE card_id = $1', [row.id]);
    return true;
  });
}

export async function kickSessions(
  ctx: DomainContext,
  input: Parameters<KamiService['kickSessions']>[0],
): Promise<number> {
  const res = await ctx.db.query(
    `DELETE FROM sessions s USING cards c
     WHERE s.card_id = c.id AND c.app_id = $1 AND c.card_str = $2`,
    [input.app.id, input.cardStr],
  );
  return res.rowCount;
}
