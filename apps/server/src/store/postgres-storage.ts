// The PostgreSQL adapter: several server processes may share the database, so nothing is kept in
// memory. A card's read–decide–write runs in one transaction with its row locked (SELECT ...
// FOR UPDATE), so concurrent logins of one card serialise: exactly one binds a device, a count
// card is never over-used.
import { postgresAttempts } from './attempts';
import type { CardRecord } from './records';
import { firstUseInDatabase } from './seen-signatures';
import { findPotatoUser, findUserToken, saveUserToken, sweepUserTokens } from './sql/accounts';
import { type CardRow, cardColumns, num, toCardRecord } from './sql/card-rows';
import { type CardWrites, writeCardChanges } from './sql/card-writes';
import { insertCardRows, listCardRows, selectCard } from './sql/cards';
import type { CardChange, Storage } from './storage';
import type { Database } from './types';

/** The statement parts for one card's change (see sql/card-writes.ts). */
export function writesOf(card: CardRecord, change: CardChange, nowMs: number): CardWrites {
  return {
    ...(change.card ? { cards: [change.card] } : {}),
    ...(change.endSessions ? { endCardSessions: [card.id] } : {}),
    // A login also drops its card's expired sessions while the row is locked anyway.
    ...(change.session ? { sessions: [change.session], dropExpired: { cardIds: [card.id], nowMs } } : {}),
    ...(change.session && change.sessionLimit !== undefined
      ? {
          sessionLimit: {
            cardId: card.id,
            limit: change.sessionLimit,
            keep: change.session.statecode,
            nowMs,
          },
        }
      : {}),
  };
}

export function createPostgresStorage(db: Database, clock: { now(): number }): Storage {
  const attempts = postgresAttempts(db);
  return {
    database: db,
    attempts,
    withCard(appId, cardStr, decide) {
      return db.transaction(async (tx) => {
        const card = await selectCard(tx, appId, cardStr, true);
        const { value, change } = decide(card);
        if (card && change && (change.card || change.endSessions || change.session))
          await writeCardChanges(tx, writesOf(card, change, clock.now()));
        return value;
      });
    },
    readCard: (appId, cardStr) => selectCard(db, appId, cardStr),

    async renewSession({ appId, statecode, kami, nowMs, expiresAt, refusal }) {
      // Fast path, one statement: the heartbeat rule's conditions in SQL, so that the renewal is
      // atomic on a shared database. Only when it renews nothing does the rule itself say why.
      const renewed = await db.query(
        `UPDATE sessions s SET expires_at = $4
         FROM cards c
         WHERE s.statecode = $1 AND s.app_id = $2 AND s.expires_at > $5 AND c.id = s.card_id
           AND ($3::text IS NULL OR c.card_str = $3::text)
           AND c.status = 1 AND NOT c.disabled
           AND NOT (c.kind = 'time' AND c.expires_at IS NOT NULL AND c.expires_at <= $6)
         RETURNING s.statecode`,
        [statecode, appId, kami, expiresAt, nowMs, Math.floor(nowMs / 1000)],
      );
      if (renewed.rowCount > 0) return undefined;
      const res = await db.query<CardRow & { session_expires_at: unknown }>(
        `SELECT s.expires_at AS session_expires_at, ${cardColumns('c')}
         FROM sessions s JOIN cards c ON c.id = s.card_id
         WHERE s.statecode = $1 AND s.app_id = $2`,
        [statecode, appId],
      );
      const row = res.rows[0];
      const refused = row
        ? refusal({ expiresAt: num(row.session_expires_at) }, toCardRecord(row))
        : refusal(undefined, undefined);
      // No rule refuses: the state changed between the two statements (a kick): treat as gone.
      return refused ?? refusal(undefined, undefined);
    },

    async endCardSessions(appId, cardStr) {
      const res = await db.query(
        `DELETE FROM sessions s USING cards c WHERE s.card_id = c.id AND c.app_id = $1 AND c.card_str = $2`,
        [appId, cardStr],
      );
      return res.rowCount;
    },
    async insertCards(cards) {
      const res = await insertCardRows(db, cards, { skipExisting: true, returning: true });
      return res.rows.map(toCardRecord);
    },
    bulkInsertCards: (count, next) => bulkInsert(db, count, next),
    listCards: (query) => listCardRows(db, query),
    findPotatoUser: (appId, userNumber) => findPotatoUser(db, appId, userNumber),
    saveUserToken: (token) => saveUserToken(db, token),
    findUserToken: (token) => findUserToken(db, token),
    firstUseOfSignature: (appId, signature, nowMs, expiresAt) =>
      firstUseInDatabase(db, appId, signature, nowMs, expiresAt),
    async sweep(nowMs, limit) {
      // A bounded slice, oldest expiry first (sessions_expiry_idx): no long statement or lock.
      const sessions = await db.query(
        `DELETE FROM sessions WHERE statecode IN (
           SELECT statecode FROM sessions WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)`,
        [nowMs, limit],
      );
      await attempts.sweep(nowMs);
      await db.query('DELETE FROM seen_signatures WHERE expires_at <= $1', [nowMs]);
      return { sessions: sessions.rowCount, tokens: await sweepUserTokens(db, nowMs) };
    },
    close: () => db.close(),
  };
}

/** Rows per INSERT in bulk generation: large enough to amortise round trips, small enough for memory. */
export const BULK_BATCH_SIZE = 20_000;

/** Bulk generation in one transaction on either engine (new cards touch no cached state). */
export function bulkInsert(
  db: Database,
  count: number,
  next: Parameters<Storage['bulkInsertCards']>[1],
): Promise<number> {
  return db.transaction(async (tx) => {
    let inserted = 0;
    for (let done = 0; done < count; done += BULK_BATCH_SIZE) {
      const rows = next(Math.min(BULK_BATCH_SIZE, count - done));
      inserted += (await insertCardRows(tx, rows, { skipExisting: false, returning: false })).rowCount;
    }
    return inserted;
  });
}
