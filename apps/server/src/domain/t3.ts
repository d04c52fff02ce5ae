// The T3 family on PostgreSQL (several server processes may share one database). Every
// read-check-write runs in one transaction with the card row locked (SELECT ... FOR UPDATE), so
// concurrent logins of one card serialise: exactly one binds a device, a count card is never
// over-used. The rules themselves are the pure functions of rules.ts, shared with the embedded
// store (embedded.ts), which keeps hot state in memory instead.
import type { Queryable } from '../store/types';
import { CARD_COLUMNS, type CardRow, cardColumns, num, toCardRecord } from './card-rows';
import { type DomainContext, nowSeconds } from './context';
import { checkHeartbeat, decideLogin, decideUnbind, fail, heartbeatOk, queryBody } from './rules';
import type { AppRecord, CardRecord, KamiService } from './types';

export { wireId } from './rules';

async function lockCard(tx: Queryable, app: AppRecord, kami: string): Promise<CardRecord | undefined> {
  const res = await tx.query<CardRow>(
    `SELECT ${CARD_COLUMNS} FROM cards WHERE app_id = $1 AND card_str = $2 FOR UPDATE`,
    [app.id, kami],
  );
  const row = res.rows[0];
  return row ? toCardRecord(row) : undefined;
}

export function login(
  ctx: DomainContext,
  input: Parameters<KamiService['login']>[0],
): ReturnType<KamiService['login']> {
  const { app, kami } = input;
  const nowMs = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const card = await lockCard(tx, app, kami);
    const decision = decideLogin(card, app, input, nowMs, ctx.md5);
    if (!decision.ok) return decision;
    const { after, session } = decision;
    // The row is locked, so the new state is written in one statement together with the
    // session; it also drops this card's expired sessions while the card is locked anyway. A
    // re-login that changed nothing leaves the row alone ($13).
    await tx.query(
      `WITH card AS (
         UPDATE cards SET imei = $2, bound_ip = $3, activated_at = $4, expires_at = $5, uses_left = $6, modified_at = $12
         WHERE id = $1 AND $13::boolean
       ), expired AS (
         DELETE FROM sessions WHERE card_id = $1 AND expires_at <= $7 AND statecode <> $8
       )
       INSERT INTO sessions (statecode, card_id, app_id, imei, expires_at, created_at)
       VALUES ($8, $1, $9, $10, $11, $7)
       ON CONFLICT (statecode) DO UPDATE SET expires_at = EXCLUDED.expires_at, imei = EXCLUDED.imei`,
      [
        after.id,
        after.imei,
        after.boundIp,
        after.activatedAt,
        after.expiresAt,
        after.usesLeft,
        nowMs,
        session.statecode,
        app.id,
        session.imei,
        session.expiresAt,
        after.modifiedAt,
        decision.changed,
      ],
    );
    return { ok: true as const, body: decision.body };
  });
}

/**
 * Fast path: one UPDATE renews a live session whose card is still good (the same conditions as
 * checkHeartbeat, in SQL, so that the renewal is atomic on a shared database). Only when it
 * touches nothing does a second query find out which error applies.
 */
export async function heartbeat(
  ctx: DomainContext,
  input: Parameters<KamiService['heartbeat']>[0],
): ReturnType<KamiService['heartbeat']> {
  const { app, statecode } = input;
  const kami = input.kami === undefined || input.kami === '' ? null : input.kami;
  const nowMs = ctx.clock.now();
  const now = Math.floor(nowMs / 1000);
  const renewed = await ctx.db.query(
    `UPDATE sessions s SET expires_at = $4
     FROM cards c
     WHERE s.statecode = $1 AND s.app_id = $2 AND s.expires_at > $5 AND c.id = s.card_id
       AND ($3::text IS NULL OR c.card_str = $3::text)
       AND c.status = 1 AND NOT c.disabled
       AND NOT (c.kind = 'time' AND c.expires_at IS NOT NULL AND c.expires_at <= $6)
     RETURNING s.statecode`,
    [statecode, app.id, kami, nowMs + app.settings.statecodeValiditySeconds * 1000, nowMs, now],
  );
  if (renewed.rowCount > 0) return heartbeatOk(nowMs);

  const res = await ctx.db.query<CardRow & { session_expires_at: unknown }>(
    `SELECT s.expires_at AS session_expires_at, ${cardColumns('c')}
     FROM sessions s JOIN cards c ON c.id = s.card_id
     WHERE s.statecode = $1 AND s.app_id = $2`,
    [statecode, app.id],
  );
  const row = res.rows[0];
  const bad = row
    ? checkHeartbeat({ expiresAt: num(row.session_expires_at) }, toCardRecord(row), kami, nowMs)
    : fail('STATECODE_NOT_FOUND');
  // No rule refuses: the state changed between the two statements (e.g. a kick): treat as gone.
  return bad ?? fail('STATECODE_NOT_FOUND');
}

/** Card status for the `query` endpoint. A disabled or expired card is reported, not refused. */
export async function query(
  ctx: DomainContext,
  input: Parameters<KamiService['query']>[0],
): ReturnType<KamiService['query']> {
  const now = nowSeconds(ctx);
  const res = await ctx.db.query<CardRow>(
    `SELECT ${CARD_COLUMNS} FROM cards WHERE app_id = $1 AND card_str = $2`,
    [input.app.id, input.kami],
  );
  const row = res.rows[0];
  return queryBody(row ? toCardRecord(row) : undefined, now);
}

export function unbind(
  ctx: DomainContext,
  input: Parameters<KamiService['unbind']>[0],
): ReturnType<KamiService['unbind']> {
  const { app, kami, imei } = input;
  const nowMs = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const card = await lockCard(tx, app, kami);
    const decision = decideUnbind(card, app, imei, nowMs);
    if (!decision.ok) return decision;
    const res = await tx.query<{ change_count: unknown }>(
      // The conditions repeat the checks: redundant under the row lock, but they keep the
      // statement safe on its own (never past the limit, never on an unbound card).
      `UPDATE cards SET imei = NULL, bound_ip = NULL, change_count = change_count + 1, modified_at = $2
       WHERE id = $1 AND imei IS NOT NULL AND change_count < $3 RETURNING change_count`,
      [decision.after.id, nowMs, app.settings.unbindLimit],
    );
    if (res.rowCount === 0) return fail('CARD_NOT_BOUND');
    await tx.query('DELETE FROM sessions WHERE card_id = $1', [decision.after.id]);
    return { ok: true as const, change: num(res.rows[0]?.change_count) };
  });
}
