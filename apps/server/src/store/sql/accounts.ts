// potatocloud reseller accounts and their apiUserTokens, shared by both adapters.
import type { Storage, UserTokenRecord } from '../storage';
import type { Queryable } from '../types';
import { num } from './card-rows';

export async function findPotatoUser(
  db: Queryable,
  appId: string,
  userNumber: string,
): ReturnType<Storage['findPotatoUser']> {
  const res = await db.query<{ id: unknown; pass_hash: string }>(
    'SELECT id, pass_hash FROM potato_users WHERE app_id = $1 AND user_number = $2',
    [appId, userNumber],
  );
  const row = res.rows[0];
  return row ? { id: String(row.id), passHash: row.pass_hash } : undefined;
}

/** Saves a new token, dropping the user's expired ones on the way. */
export async function saveUserToken(db: Queryable, t: UserTokenRecord): Promise<void> {
  await db.query('DELETE FROM potato_tokens WHERE user_id = $1 AND expires_at <= $2', [
    t.userId,
    t.createdAt,
  ]);
  await db.query(
    'INSERT INTO potato_tokens (token, user_id, app_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)',
    [t.token, t.userId, t.appId, t.expiresAt, t.createdAt],
  );
}

export async function findUserToken(db: Queryable, token: string): ReturnType<Storage['findUserToken']> {
  const res = await db.query<{ user_id: unknown; app_id: unknown; expires_at: unknown }>(
    'SELECT user_id, app_id, expires_at FROM potato_tokens WHERE token = $1',
    [token],
  );
  const row = res.rows[0];
  return row
    ? { userId: String(row.user_id), appId: String(row.app_id), expiresAt: num(row.expires_at) }
    : undefined;
}

export async function sweepUserTokens(db: Queryable, nowMs: number): Promise<number> {
  return (await db.query('DELETE FROM potato_tokens WHERE expires_at <= $1', [nowMs])).rowCount;
}
