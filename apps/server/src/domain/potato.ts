// The potatocloud family: reseller login, user tokens, createCardMy and getCardMyList.
import type { PotatoCard } from '@kami-verify/core';
import { textArrayLiteral } from '../store/array-literal';
import {
  CARD_COLUMNS,
  type CardRow,
  kindColumns,
  kindForPotatoType,
  num,
  potatoStateSql,
  toPotatoCard,
} from './card-rows';
import { type DomainContext, nowSeconds } from './context';
import { newCardStrs, newUserToken } from './ids';
import { hashPassword, verifyPassword } from './passwords';
import type { KamiService } from './types';

// Verified against when the user does not exist, so a wrong user number costs as much as a wrong
// password and response times do not reveal which accounts exist.
let dummyHash: Promise<string> | undefined;

export async function potatoLogin(
  ctx: DomainContext,
  input: Parameters<KamiService['potatoLogin']>[0],
): ReturnType<KamiService['potatoLogin']> {
  const res = await ctx.db.query<{ id: string; pass_hash: string }>(
    'SELECT id, pass_hash FROM potato_users WHERE app_id = $1 AND user_number = $2',
    [input.app.id, input.userNumber],
  );
  const user = res.rows[0];
  if (!user) {
    dummyHash ??= hashPassword('not a password');
    await verifyPassword(input.passWord, await dummyHash);
    return { ok: false };
  }
  if (!(await verifyPassword(input.passWord, user.pass_hash))) return { ok: false };
  const nowMs = ctx.clock.now();
  const expiresAt = nowMs + ctx.userTokenTtlSeconds * 1000;
  const token = newUserToken();
  await ctx.db.query('DELETE FROM potato_tokens WHERE user_id = $1 AND expires_at <= $2', [user.id, nowMs]);
  await ctx.db.query(
    'INSERT INTO potato_tokens (token, user_id, app_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)',
    [token, user.id, input.app.id, expiresAt, nowMs],
  );
  return { ok: true, apiUserToken: token, expiresAt };
}

export async function resolveUserToken(
  ctx: DomainContext,
  input: Parameters<KamiService['resolveUserToken']>[0],
): Promise<string | undefined> {
  if (!input.token) return undefined;
  const res = await ctx.db.query<{ user_id: string }>(
    'SELECT user_id FROM potato_tokens WHERE token = $1 AND app_id = $2 AND expires_at > $3',
    [input.token, input.app.id, ctx.clock.now()],
  );
  return res.rows[0] ? String(res.rows[0].user_id) : undefined;
}

/**
 * Inserts `ids.length` unused cards of one potato type in a single statement (arrays unnested
 * server-side: one round trip however many rows). Returns the inserted rows.
 */
export async function insertCardBatch(
  db: Pick<DomainContext['db'], 'query'>,
  input: {
    appId: string;
    type: number;
    ids: string[];
    cardStrs: string[];
    ip: string;
    nowMs: number;
    returning: boolean;
    /**
     * Skip (instead of failing on) an existing card string. Bulk generation leaves it off: the
     * speculative insertion behind ON CONFLICT costs ~15 % throughput, and a clash between 128-bit
     * random strings is not a practical event (it would abort the batch with a unique violation).
     */
    skipExisting: boolean;
  },
): Promise<{ rows: CardRow[]; rowCount: number }> {
  const k = kindColumns(kindForPotatoType(input.type));
  return db.query<CardRow>(
    `INSERT INTO cards (id, app_id, card_str, kind, type, duration_seconds, created_ip, created_at, modified_at)
     SELECT u.id, $3, u.card_str, $4, $5, $6, $7, $8, $8
     FROM unnest($1::text[], $2::text[]) AS u(id, card_str)
     ${input.skipExisting ? 'ON CONFLICT (app_id, card_str) DO NOTHING' : ''}
     ${input.returning ? `RETURNING ${CARD_COLUMNS}` : ''}`,
    [
      textArrayLiteral(input.ids),
      textArrayLiteral(input.cardStrs),
      input.appId,
      k.kind,
      k.type,
      k.durationSeconds,
      input.ip,
      input.nowMs,
    ],
  );
}

export async function createCards(
  ctx: DomainContext,
  input: Parameters<KamiService['createCards']>[0],
): Promise<PotatoCard[]> {
  if (!Number.isInteger(input.total) || input.total < 1)
    throw new RangeError('total must be a positive integer');
  const ids = Array.from({ length: input.total }, () => ctx.ids.next());
  const res = await insertCardBatch(ctx.db, {
    appId: input.app.id,
    type: input.type,
    ids,
    cardStrs: newCardStrs(input.total),
    ip: input.ip,
    nowMs: ctx.clock.now(),
    returning: true,
    skipExisting: true,
  });
  // Keep generation order (ids ascend), like the seed's reply.
  return res.rows.map((row) => toPotatoCard(row, 1)).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
}

export async function listCards(
  ctx: DomainContext,
  input: Parameters<KamiService['listCards']>[0],
): ReturnType<KamiService['listCards']> {
  const page = Math.max(1, Math.floor(input.page) || 1);
  const size = Math.min(1000, Math.max(1, Math.floor(input.size) || 10));
  const state = potatoStateSql('$5::bigint');
  // Deleted cards (status 0) are not listed. Filters are exact matches.
  const where = `app_id = $1 AND status = 1
    AND ($2::text IS NULL OR card_str = $2::text)
    AND ($3::int IS NULL OR type = $3::int)
    AND ($4::int IS NULL OR ${state} = $4::int)`;
  const params = [
    input.app.id,
    input.cardStr || null,
    input.type ?? null,
    input.state ?? null,
    nowSeconds(ctx),
  ];
  const [rows, count] = await Promise.all([
    ctx.db.query<CardRow & { potato_state: unknown }>(
      `SELECT ${CARD_COLUMNS}, ${state} AS potato_state FROM cards WHERE ${where}
       ORDER BY created_at DESC, id DESC LIMIT $6 OFFSET $7`,
      [...params, size, (page - 1) * size],
    ),
    ctx.db.query<{ total: unknown }>(`SELECT count(*) AS total FROM cards WHERE ${where}`, params),
  ]);
  return {
    list: rows.rows.map((row) => toPotatoCard(row, num(row.potato_state))),
    total: num(count.rows[0]?.total ?? 0),
  };
}
