// Sessions found by the sha-256 of the login token they were opened with (cloud_doc), shared by
// both adapters. Several sessions may share a token (two logins in one minute compute the same
// one): the one that lives the longest answers.
import type { SessionRecord, TokenSession } from '../storage';
import type { Queryable } from '../types';
import { type CardRow, cardColumns, num } from './card-rows';
import { selectUserSession } from './users';

/** A card session with its card, as committed. */
export async function selectCardSessionByToken(
  db: Queryable,
  appId: string,
  tokenHash: string,
): Promise<{ session: SessionRecord; card: CardRow } | undefined> {
  const res = await db.query<
    CardRow & { s_statecode: string; s_imei: string; s_expires_at: unknown; s_created_at: unknown }
  >(
    `SELECT s.statecode AS s_statecode, s.imei AS s_imei, s.expires_at AS s_expires_at,
       s.created_at AS s_created_at, ${cardColumns('c')}
     FROM sessions s JOIN cards c ON c.id = s.card_id
     WHERE s.app_id = $1 AND s.token_hash = $2
     ORDER BY s.expires_at DESC LIMIT 1`,
    [appId, tokenHash],
  );
  const r = res.rows[0];
  if (!r) return undefined;
  return {
    session: {
      statecode: r.s_statecode,
      cardId: String(r.id),
      appId,
      imei: r.s_imei ?? '',
      expiresAt: num(r.s_expires_at),
      createdAt: num(r.s_created_at),
      tokenHash,
    },
    card: r,
  };
}

/** An account session with its account, as committed. */
export async function selectUserSessionByToken(
  db: Queryable,
  appId: string,
  tokenHash: string,
): Promise<Extract<TokenSession, { kind: 'user' }> | undefined> {
  const res = await db.query<{ statecode: string }>(
    `SELECT statecode FROM user_sessions WHERE app_id = $1 AND token_hash = $2
     ORDER BY expires_at DESC LIMIT 1`,
    [appId, tokenHash],
  );
  const statecode = res.rows[0]?.statecode;
  if (statecode === undefined) return undefined;
  // Ended between the two reads (a logout): no session.
  const found = await selectUserSession(db, appId, statecode);
  return found ? { kind: 'user', session: { ...found.session, tokenHash }, user: found.user } : undefined;
}
