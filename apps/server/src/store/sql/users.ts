// SQL of an app's user accounts (账号模式), their sessions and recharges, shared by both
// adapters. (potato reseller accounts are sql/accounts.ts.)
import type { CardRecord } from '../records';
import type { UserChange } from '../storage';
import type { Queryable } from '../types';
import type { UserRecord, UserSessionRecord } from '../user-records';
import { num } from './card-rows';
import { writeCardChanges } from './card-writes';

const USER_COLUMNS = `id, app_id, username, pass_hash, email, disabled, imei, bound_ip, bound_region,
  change_count, core, expires_at, uses_left, recharges, first_login, created_at, modified_at`;

const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));

function toUserRecord(r: Record<string, unknown>): UserRecord {
  return {
    id: String(r.id),
    appId: String(r.app_id),
    username: String(r.username),
    passHash: String(r.pass_hash),
    email: String(r.email ?? ''),
    disabled: r.disabled === true,
    imei: (r.imei as string | null) ?? null,
    boundIp: (r.bound_ip as string | null) ?? null,
    boundRegion: (r.bound_region as string | null) ?? null,
    change: num(r.change_count),
    core: String(r.core ?? ''),
    expiresAt: numOrNull(r.expires_at),
    usesLeft: numOrNull(r.uses_left),
    recharges: num(r.recharges),
    firstLogin: numOrNull(r.first_login),
    createdAt: num(r.created_at),
    modifiedAt: num(r.modified_at),
  };
}

export async function selectUser(
  db: Queryable,
  appId: string,
  username: string,
  forUpdate = false,
): Promise<UserRecord | undefined> {
  const res = await db.query(
    `SELECT ${USER_COLUMNS} FROM app_users WHERE app_id = $1 AND username = $2${forUpdate ? ' FOR UPDATE' : ''}`,
    [appId, username],
  );
  return res.rows[0] ? toUserRecord(res.rows[0]) : undefined;
}

/** Inserts a new account; false when the username is taken in the app. */
export async function insertUser(db: Queryable, u: UserRecord): Promise<boolean> {
  const res = await db.query(
    `INSERT INTO app_users (${USER_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
     ON CONFLICT (app_id, username) DO NOTHING`,
    userParams(u),
  );
  return res.rowCount === 1;
}

function userParams(u: UserRecord): unknown[] {
  return [
    u.id,
    u.appId,
    u.username,
    u.passHash,
    u.email,
    u.disabled,
    u.imei,
    u.boundIp,
    u.boundRegion,
    u.change,
    u.core,
    u.expiresAt,
    u.usesLeft,
    u.recharges,
    u.firstLogin,
    u.createdAt,
    u.modifiedAt,
  ];
}

async function updateUser(db: Queryable, u: UserRecord): Promise<void> {
  await db.query(
    `UPDATE app_users SET pass_hash = $4, email = $5, disabled = $6, imei = $7, bound_ip = $8,
       bound_region = $9, change_count = $10, core = $11, expires_at = $12, uses_left = $13,
       recharges = $14, first_login = $15, modified_at = $16
     WHERE id = $1 AND app_id = $2 AND username = $3`,
    [...userParams(u).slice(0, 15), u.modifiedAt],
  );
}

/** Writes what a decision about one user changed (inside the caller's transaction). */
export async function writeUserChange(db: Queryable, user: UserRecord, change: UserChange): Promise<void> {
  if (change.deleteUser) {
    // user_sessions go with it (ON DELETE CASCADE); recharges stay as the cards' history.
    await db.query('DELETE FROM app_users WHERE id = $1', [user.id]);
    return;
  }
  if (change.user) await updateUser(db, change.user);
  if (change.endSessions) await db.query('DELETE FROM user_sessions WHERE user_id = $1', [user.id]);
  if (change.session) {
    const s = change.session;
    await db.query('DELETE FROM user_sessions WHERE user_id = $1 AND expires_at <= $2', [
      user.id,
      s.createdAt,
    ]);
    await db.query(
      `INSERT INTO user_sessions (statecode, user_id, app_id, imei, expires_at, created_at, token_hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (statecode) DO UPDATE SET expires_at = EXCLUDED.expires_at,
         token_hash = COALESCE(EXCLUDED.token_hash, user_sessions.token_hash)`,
      [s.statecode, s.userId, s.appId, s.imei, s.expiresAt, s.createdAt, s.tokenHash ?? null],
    );
    if (change.sessionLimit !== undefined)
      // The newest `limit` sessions stay (this one always); older ones end.
      await db.query(
        `DELETE FROM user_sessions WHERE user_id = $1 AND statecode <> $2 AND statecode NOT IN (
           SELECT statecode FROM user_sessions WHERE user_id = $1 AND statecode <> $2
           ORDER BY created_at DESC, statecode DESC LIMIT $3)`,
        [user.id, s.statecode, Math.max(0, change.sessionLimit - 1)],
      );
  }
}

/** Whether the card was already recharged into an account. */
export async function cardRecharged(db: Queryable, cardId: string): Promise<boolean> {
  const res = await db.query('SELECT 1 FROM user_recharges WHERE card_id = $1', [cardId]);
  return res.rows.length > 0;
}

/** A recharge's writes: the account, the consumed card and the record that consumed it. */
export async function writeRecharge(
  db: Queryable,
  user: UserRecord,
  card: CardRecord,
  nowMs: number,
): Promise<void> {
  // The key on card_id refuses a second recharge of the card even if a rule failed.
  await db.query(
    `INSERT INTO user_recharges (card_id, app_id, user_id, card_str, created_at) VALUES ($1, $2, $3, $4, $5)`,
    [card.id, card.appId, user.id, card.cardStr, nowMs],
  );
  await updateUser(db, user);
  await writeCardChanges(db, { cards: [card] });
}

export async function selectUserSession(
  db: Queryable,
  appId: string,
  statecode: string,
): Promise<{ session: UserSessionRecord; user: UserRecord } | undefined> {
  const res = await db.query(
    `SELECT s.statecode, s.user_id, s.app_id AS s_app_id, s.imei AS s_imei, s.expires_at AS s_expires_at,
       s.created_at AS s_created_at, ${USER_COLUMNS.split(',')
         .map((c) => `u.${c.trim()}`)
         .join(', ')}
     FROM user_sessions s JOIN app_users u ON u.id = s.user_id
     WHERE s.statecode = $1 AND s.app_id = $2`,
    [statecode, appId],
  );
  const r = res.rows[0];
  if (!r) return undefined;
  return {
    session: {
      statecode: String(r.statecode),
      userId: String(r.user_id),
      appId: String(r.s_app_id),
      imei: String(r.s_imei),
      expiresAt: num(r.s_expires_at),
      createdAt: num(r.s_created_at),
    },
    user: toUserRecord(r),
  };
}

export async function renewUserSession(db: Queryable, statecode: string, expiresAt: number): Promise<void> {
  await db.query('UPDATE user_sessions SET expires_at = $2 WHERE statecode = $1 AND expires_at < $2', [
    statecode,
    expiresAt,
  ]);
}

/** Accounts of the app with a live session (online_user). */
export async function countOnlineUsers(db: Queryable, appId: string, nowMs: number): Promise<number> {
  const res = await db.query<{ n: unknown }>(
    'SELECT count(DISTINCT user_id) AS n FROM user_sessions WHERE app_id = $1 AND expires_at > $2',
    [appId, nowMs],
  );
  return num(res.rows[0]?.n ?? 0);
}

export async function sweepUserSessions(db: Queryable, nowMs: number, limit: number): Promise<number> {
  const res = await db.query(
    `DELETE FROM user_sessions WHERE statecode IN (
       SELECT statecode FROM user_sessions WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)`,
    [nowMs, limit],
  );
  return res.rowCount;
}
