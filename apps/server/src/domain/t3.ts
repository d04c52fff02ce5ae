// The T3 family: login, heartbeat, query, unbind. Every read-check-write runs in one transaction
// with the card row locked (SELECT ... FOR UPDATE), so concurrent logins of one card serialise:
// exactly one binds a device, a count card is never over-used. On PGlite transactions are
// exclusive anyway; the lock is what matters on PostgreSQL with several servers.
import {
  type CardType,
  cardTypeAmount,
  computeLoginToken,
  computeStatecode,
  formatBeijingDateTime,
  formatBeijingMinute,
  PERMANENT_END_TIME,
  parseBeijingDateTime,
} from '@kami-verify/core';
import type { Queryable } from '../store/types';
import { CARD_COLUMNS, type CardRow, cardColumns, num, toCardRecord } from './card-rows';
import { type DomainContext, nowSeconds } from './context';
import type { AppRecord, CardRecord, Fail, KamiService, LoginBody } from './types';

const PERMANENT_END_SECONDS = parseBeijingDateTime(PERMANENT_END_TIME) ?? 4_102_415_999;

const fail = (error: Fail['error']): Fail => ({ ok: false, error });

/**
 * The `id` on the wire: a number when the card id is a safe integer (as in the seed's `"id": 1`),
 * otherwise the decimal string. Our snowflake ids exceed 2^53, so in practice it is a string;
 * the token hashes the same decimal text either way.
 */
export function wireId(id: string): number | string {
  const n = Number(id);
  return Number.isSafeInteger(n) && String(n) === id ? n : id;
}

function isExpired(card: CardRecord, now: number): boolean {
  return card.kind === 'time' && card.expiresAt !== null && card.expiresAt <= now;
}

function isExhausted(card: CardRecord): boolean {
  return card.kind === 'count' && (card.usesLeft ?? 0) <= 0;
}

/** 卡密不存在 / 卡密被禁用: the checks every card endpoint shares. */
function checkExists(card: CardRecord | undefined): Fail | undefined {
  if (!card || card.status === 0) return fail('CARD_NOT_FOUND');
  if (card.disabled) return fail('CARD_DISABLED');
  return undefined;
}

/** end_time text, amount text and `available` of a card at `now` (after this login's changes). */
function validity(card: CardRecord, now: number): { endTime: string; amount: string; available: number } {
  switch (card.kind) {
    case 'time': {
      const duration = card.durationSeconds ?? 0;
      const end = card.expiresAt ?? now + duration;
      return {
        endTime: formatBeijingDateTime(end),
        amount: cardTypeAmount((card.type ?? 0) as CardType),
        available: Math.max(0, end - now),
      };
    }
    case 'permanent':
      return {
        endTime: PERMANENT_END_TIME,
        amount: cardTypeAmount(5),
        available: PERMANENT_END_SECONDS - now,
      };
    case 'count':
      // A count card never lapses by time; it reports the permanent end and the uses left.
      return {
        endTime: PERMANENT_END_TIME,
        amount: `${card.usesTotal ?? 0}次`,
        available: card.usesLeft ?? 0,
      };
  }
}

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
  const { app, kami, imei, ip, signText } = input;
  const settings = app.settings;
  const nowMs = ctx.clock.now();
  const now = Math.floor(nowMs / 1000);
  return ctx.db.transaction(async (tx) => {
    const card = await lockCard(tx, app, kami);
    const bad = checkExists(card);
    if (bad || !card) return bad ?? fail('CARD_NOT_FOUND');
    if (settings.forbidEmptyDevice && !card.imei) return fail('CARD_LOGIN_FORBIDDEN');
    if (settings.machineCodeCheck && card.imei !== null && card.imei !== imei) return fail('DEVICE_MISMATCH');
    if (settings.ipBinding === 'exact' && card.boundIp !== null && card.boundIp !== ip)
      return fail('IP_MISMATCH');
    if (isExpired(card, now)) return fail('CARD_EXPIRED');
    if (isExhausted(card)) return fail('CARD_USES_EXHAUSTED');

    // The row is locked, so the new state can be computed here and written in one statement
    // together with the session (one round trip instead of three on the hot path).
    const bindImei = settings.machineCodeCheck && imei !== '' ? imei : null;
    const bindIp = settings.ipBinding === 'exact' && ip !== '' ? ip : null;
    const after: CardRecord = {
      ...card,
      imei: card.imei ?? bindImei,
      boundIp: card.boundIp ?? bindIp,
      activatedAt: card.activatedAt ?? now,
      expiresAt:
        card.kind === 'time' && card.expiresAt === null ? now + (card.durationSeconds ?? 0) : card.expiresAt,
      usesLeft: card.kind === 'count' ? (card.usesLeft ?? 0) - 1 : card.usesLeft,
      modifiedAt: nowMs,
    };

    const { endTime, amount, available } = validity(after, now);
    const id = wireId(after.id);
    const date = formatBeijingMinute(now);
    const token = computeLoginToken(ctx.md5, {
      id,
      appKey: app.appKey,
      endTime,
      date,
      signText: settings.signatureCheck === 'two-way' ? signText : undefined,
    });
    const statecode = computeStatecode(ctx.md5, token, now);

    // Also drops this card's expired sessions (dead weight) while the card is locked anyway.
    // Two logins of one card in the same second yield the same statecode: renew, do not fail.
    await tx.query(
      `WITH card AS (
         UPDATE cards SET imei = $2, bound_ip = $3, activated_at = $4, expires_at = $5, uses_left = $6, modified_at = $7
         WHERE id = $1
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
        statecode,
        app.id,
        imei,
        nowMs + settings.statecodeValiditySeconds * 1000,
      ],
    );

    const body: LoginBody = {
      id,
      end_time: endTime,
      amount,
      available,
      token,
      statecode,
      time: now,
      date,
      imei: after.imei ?? imei,
      change: after.change,
      core: after.core || settings.core,
    };
    return { ok: true as const, body };
  });
}

/**
 * Fast path: one UPDATE renews a live session whose card is still good. Only when it touches
 * nothing does a second query find out which error applies.
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
  if (renewed.rowCount > 0) return { ok: true, time: now, date: formatBeijingMinute(now) };

  const res = await ctx.db.query<CardRow & { session_expires_at: unknown }>(
    `SELECT s.expires_at AS session_expires_at, ${cardColumns('c')}
     FROM sessions s JOIN cards c ON c.id = s.card_id
     WHERE s.statecode = $1 AND s.app_id = $2`,
    [statecode, app.id],
  );
  const row = res.rows[0];
  if (!row || num(row.session_expires_at) <= nowMs) return fail('STATECODE_NOT_FOUND');
  const card = toCardRecord(row);
  if (kami !== null && card.cardStr !== kami) return fail('STATECODE_NOT_FOUND');
  const bad = checkExists(card);
  if (bad) return bad;
  if (isExpired(card, now)) return fail('CARD_EXPIRED');
  // The state changed between the two statements (e.g. a kick): treat as gone.
  return fail('STATECODE_NOT_FOUND');
}

function queryState(card: CardRecord, now: number): '未使用' | '已使用' | '已禁用' | '已到期' {
  if (card.disabled) return '已禁用';
  if (isExpired(card, now) || (card.activatedAt !== null && isExhausted(card))) return '已到期';
  return card.activatedAt === null ? '未使用' : '已使用';
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
  const card = row ? toCardRecord(row) : undefined;
  if (!card || card.status === 0) return fail('CARD_NOT_FOUND');
  const v = validity(card, now);
  const activated = card.activatedAt !== null;
  return {
    ok: true,
    body: {
      id: wireId(card.id),
      state: queryState(card, now),
      use: activated ? 1 : 0,
      use_time: activated ? formatBeijingDateTime(card.activatedAt ?? 0) : '',
      // A time card's clock starts at first login: before it, end_time is '' and available the full term.
      end_time: card.kind === 'time' && !activated ? '' : v.endTime,
      amount: v.amount,
      available: v.available,
    },
  };
}

export function unbind(
  ctx: DomainContext,
  input: Parameters<KamiService['unbind']>[0],
): ReturnType<KamiService['unbind']> {
  const { app, kami, imei } = input;
  const nowMs = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const card = await lockCard(tx, app, kami);
    const bad = checkExists(card);
    if (bad || !card) return bad ?? fail('CARD_NOT_FOUND');
    if (card.imei === null) return fail('CARD_NOT_BOUND');
    if (imei !== '' && imei !== card.imei) return fail('DEVICE_MISMATCH');
    if (card.change >= app.settings.unbindLimit) return fail('UNBIND_LIMIT_REACHED');
    const res = await tx.query<{ change_count: unknown }>(
      // The conditions repeat the checks above: redundant under the row lock, but they keep the
      // statement safe on its own (never past the limit, never on an unbound card).
      `UPDATE cards SET imei = NULL, bound_ip = NULL, change_count = change_count + 1, modified_at = $2
       WHERE id = $1 AND imei IS NOT NULL AND change_count < $3 RETURNING change_count`,
      [card.id, nowMs, app.settings.unbindLimit],
    );
    if (res.rowCount === 0) return fail('CARD_NOT_BOUND');
    await tx.query('DELETE FROM sessions WHERE card_id = $1', [card.id]);
    return { ok: true as const, change: num(res.rows[0]?.change_count) };
  });
}
