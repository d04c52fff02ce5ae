// The PostgreSQL adapter: several server processes may share the database, so the database is the
// only truth. A card's read–decide–write is optimistic (a guarded write, see withCard), falling
// back to a transaction with the row locked under contention, so concurrent logins on any process
// serialise: exactly one binds a device, a count card is never over-used. The per-process card
// cache only supplies guesses for those guards. Concurrent logins' writes and reads, and
// heartbeats' reads, share statements (postgres-batches.ts).
import { LRUCache } from 'lru-cache';
import { postgresAttempts } from './attempts';
import { type BatchingOptions, postgresBatches } from './postgres-batches';
import type { CardRecord } from './records';
import { firstUseInDatabase } from './seen-signatures';
import { findPotatoUser, findUserToken, saveUserToken, sweepUserTokens } from './sql/accounts';
import {
  adminRecords,
  cardsWithSessions,
  countCardsByState,
  countOnline,
  existingCardStrs,
  insertImportedCards,
  selectAdminCard,
  selectAdminCards,
  selectSessions,
} from './sql/admin';
import { type CardRow, num, numOrNull, toCardRecord } from './sql/card-rows';
import { type CardWrites, writeCardChanges } from './sql/card-writes';
import { insertCardRows, insertUniformCardRows, listCardRows, selectCard } from './sql/cards';
import { selectCardSessionByToken, selectUserSessionByToken } from './sql/session-tokens';
import {
  cardRecharged,
  countOnlineUsers,
  insertUser,
  renewUserSession,
  selectUser,
  selectUserSession,
  sweepUserSessions,
  writeRecharge,
  writeUserChange,
} from './sql/users';
import { readVariable, writeVariable } from './sql/variables';
import type { CardChange, Storage } from './storage';
import type { Database, Queryable } from './types';

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

/** Optimistic tries before a card's change falls back to the locked transaction. */
const MAX_OPTIMISTIC_ATTEMPTS = 3;

/**
 * Cards remembered per process as guards for the next write (about 1 KB each). Default
 * KAMI_PG_CARD_CACHE from the environment, else 50 000; 0 turns the cache off (every change
 * then reads first). A stale entry costs a retry, never a wrong answer: see withCard.
 */
function cardCacheSize(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.KAMI_PG_CARD_CACHE);
  return env.KAMI_PG_CARD_CACHE !== undefined && Number.isInteger(n) && n >= 0 ? n : 50_000;
}

/** A card as last read or written by this process, with its row's tuple version. */
interface Seen {
  card: CardRecord | undefined;
  version?: string | undefined;
}

const cacheKey = (appId: string, cardStr: string) => `${appId}\u0000${cardStr}`;

function versioned(row: (CardRow & { version: string }) | null | undefined): Seen {
  return row ? { card: toCardRecord(row), version: row.version } : { card: undefined };
}

export function createPostgresStorage(
  db: Database,
  clock: { now(): number },
  options: { cardCacheSize?: number; batching?: BatchingOptions } = {},
): Storage {
  const renewals = new RenewalBatch(db);
  const { writes, cardReads, sessionCards } = postgresBatches(db, options.batching);
  const attempts = postgresAttempts(db);
  const cards = new LRUCache<string, Seen>({ max: Math.max(1, options.cardCacheSize ?? cardCacheSize()) });
  const cacheOn = (options.cardCacheSize ?? cardCacheSize()) > 0;
  const remember = (key: string, seen: Seen) => {
    if (cacheOn && seen.card) cards.set(key, seen);
  };
  return {
    database: db,
    attempts,
    async withCard(appId, cardStr, decide) {
      // Optimistic: decide on the card as last seen, then one statement that writes only if the
      // row still holds it (its tuple version included); a miss brings the current row in the same
      // round trip, to decide again. The card as last seen comes from this process's cache, so a
      // repeated login is ONE round trip; a cold card is a read and a write. A refusal is never
      // answered from the cache: it is decided again on a fresh read.
      const key = cacheKey(appId, cardStr);
      let seen = cards.get(key);
      let fresh = false;
      for (let attempt = 1; attempt <= MAX_OPTIMISTIC_ATTEMPTS; attempt++) {
        if (!seen) {
          seen = versioned(await cardReads.submit({ appId, cardStr }));
          fresh = true;
        }
        const card = seen.card;
        const { value, change } = decide(card);
        if (!card || !change || !(change.card || change.endSessions || change.session)) {
          if (fresh) {
            remember(key, seen);
            return value;
          }
          seen = undefined;
          continue;
        }
        // Ending sessions must see every session started before it: FOR UPDATE waits for the
        // logins holding the card FOR KEY SHARE (guarded writes) and keeps new ones out, and the
        // write then runs with a snapshot taken after them. Rare (unbind, delete): kept locked.
        if (change.endSessions) break;
        const write = await writes.submit({ guard: card, version: seen.version, change, nowMs: clock.now() });
        if (write.passed) {
          // A write that left the card as it was (a re-login) leaves the cached entry as it is.
          if (change.card || fresh)
            remember(key, { card: change.card ?? card, version: write.version ?? seen.version });
          return value;
        }
        seen = versioned(write.current);
        fresh = true;
      }
      // Contended (or ending sessions): the locked transaction, which always makes progress.
      cards.delete(key);
      return db.transaction(async (tx) => {
        const card = await selectCard(tx, appId, cardStr, true);
        const { value, change } = decide(card);
        if (card && change && (change.card || change.endSessions || change.session))
          await writeCardChanges(tx, writesOf(card, change, clock.now()));
        return value;
      });
    },
    readCard: (appId, cardStr) => selectCard(db, appId, cardStr),
    withCards(appId, cardStrs, decide) {
      return db.transaction(async (tx) => {
        // Locked in one order (sorted card strings), so two recharges of crossed pairs cannot deadlock.
        const locked = new Map<string, CardRecord | undefined>();
        for (const str of [...new Set(cardStrs)].sort())
          locked.set(str, await selectCard(tx, appId, str, true));
        const { value, cards } = decide(cardStrs.map((str) => locked.get(str)));
        if (cards && cards.length > 0) await writeCardChanges(tx, { cards });
        return value;
      });
    },
    readVariable: (appId, valueid) => readVariable(db, appId, valueid),
    writeVariable: (appId, valueid, value, nowMs) => writeVariable(db, appId, valueid, value, nowMs),
    async cardSessions(cardId, nowMs) {
      // Renewals reach the table written behind (within a flush): the latest expiry may lag that much.
      const res = await db.query<{ live: unknown; last: unknown }>(
        'SELECT count(*) AS live, max(expires_at) AS last FROM sessions WHERE card_id = $1 AND expires_at > $2',
        [cardId, nowMs],
      );
      const row = res.rows[0];
      return { live: num(row?.live ?? 0), lastExpiresAt: numOrNull(row?.last) };
    },

    async countLiveSessions(appId, nowMs) {
      const res = await db.query<{ n: unknown }>(
        'SELECT count(*) AS n FROM sessions WHERE app_id = $1 AND expires_at > $2',
        [appId, nowMs],
      );
      return num(res.rows[0]?.n ?? 0);
    },

    async renewSession({ appId, statecode, expiresAt, refusal }) {
      // Answered from current data (a kick or a disable on any process is seen at once), decided
      // by the heartbeat rule itself; only the renewal is written behind, in batches.
      const row = await sessionCards.submit({ appId, statecode });
      // A renewal of ours not yet written counts: the session lives until then.
      const known = row ? Math.max(num(row.sessionExpiresAt), renewals.pending(statecode)) : 0;
      const refused = row
        ? refusal({ expiresAt: known }, toCardRecord(row.card))
        : refusal(undefined, undefined);
      if (!refused) renewals.add(statecode, expiresAt);
      return refused;
    },

    async findSessionByToken(appId, tokenHash) {
      const card = await selectCardSessionByToken(db, appId, tokenHash);
      if (card) {
        // A renewal of ours not yet written counts, as for a heartbeat.
        const expiresAt = Math.max(card.session.expiresAt, renewals.pending(card.session.statecode));
        return { kind: 'card', session: { ...card.session, expiresAt }, card: toCardRecord(card.card) };
      }
      return selectUserSessionByToken(db, appId, tokenHash);
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
    admin: adminRecords(db),
    adminCards: (query) => selectAdminCards(db, query),
    adminCard: (appId, cardStr) => selectAdminCard(db, appId, cardStr),
    importCards: (appId, cards) => importCards(db, appId, cards),
    countCards: (appId, nowSeconds) => countCardsByState(db, appId, nowSeconds),
    listSessions: (q) => selectSessions(db, q),
    countOnline: (appId, nowMs) => countOnline(db, appId, nowMs),
    cardsWithSessions: (appId) => cardsWithSessions(db, appId),
    findPotatoUser: (appId, userNumber) => findPotatoUser(db, appId, userNumber),
    saveUserToken: (token) => saveUserToken(db, token),
    findUserToken: (token) => findUserToken(db, token),
    firstUseOfSignature: (appId, signature, nowMs, expiresAt) =>
      firstUseInDatabase(db, appId, signature, nowMs, expiresAt),
    ...userMethods(db, clock),
    async sweep(nowMs, limit) {
      // Renewals first, so that a session renewed here is not swept as expired.
      await renewals.flush();
      // A bounded slice, oldest expiry first (sessions_expiry_idx): no long statement or lock.
      const sessions = await db.query(
        `DELETE FROM sessions WHERE statecode IN (
           SELECT statecode FROM sessions WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)`,
        [nowMs, limit],
      );
      await attempts.sweep(nowMs);
      await sweepUserSessions(db, nowMs, limit);
      await db.query('DELETE FROM seen_signatures WHERE expires_at <= $1', [nowMs]);
      return { sessions: sessions.rowCount, tokens: await sweepUserTokens(db, nowMs) };
    },
    async close() {
      await renewals.close();
      await db.close();
    },
  };
}

/**
 * The app-user methods of the port over one database, shared by both adapters: every change is a
 * transaction with the account's row (and a recharge's card row) locked. On PGlite a transaction
 * is exclusive anyway; the embedded adapter adds its own card-cache handling around recharge.
 */
export function userMethods(
  db: Database,
  clock: { now(): number },
): Pick<
  Storage,
  'insertUser' | 'readUser' | 'withUser' | 'rechargeUser' | 'renewUserSession' | 'countOnlineUsers'
> {
  return {
    insertUser: (user) => insertUser(db, user),
    readUser: (appId, username) => selectUser(db, appId, username),
    withUser(appId, username, decide) {
      return db.transaction(async (tx) => {
        const user = await selectUser(tx, appId, username, true);
        const { value, change } = decide(user);
        if (user && change) await writeUserChange(tx, user, change);
        return value;
      });
    },
    rechargeUser(appId, username, cardStr, decide) {
      return db.transaction(async (tx) => {
        // Card first, then account: every recharge locks in this order (no deadlock between them).
        const card = await selectCard(tx, appId, cardStr, true);
        const user = await selectUser(tx, appId, username, true);
        const recharged = card ? await cardRecharged(tx, card.id) : false;
        const { value, change } = decide(user, card, recharged);
        if (change) await writeRecharge(tx, change.user, change.card, clock.now());
        return value;
      });
    },
    async renewUserSession({ appId, statecode, expiresAt, refusal }) {
      const found = await selectUserSession(db, appId, statecode);
      const refused = refusal(found);
      if (!refused) await renewUserSession(db, statecode, expiresAt);
      return refused;
    },
    countOnlineUsers: (appId, nowMs) => countOnlineUsers(db, appId, nowMs),
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
      // `next` gives rows of one template (bulkCreateCards): the fast uniform insert.
      inserted += (await insertUniformCardRows(tx, rows)).rowCount;
    }
    return inserted;
  });
}

/** Rows per INSERT of an import. */
const IMPORT_BATCH_SIZE = 5_000;

/** An import in one transaction on either engine: all cards, or none when one exists already. */
export function importCards(
  db: Database,
  appId: string,
  cards: Parameters<Storage['importCards']>[1],
): ReturnType<Storage['importCards']> {
  return db
    .transaction(async (tx) => {
      for (let i = 0; i < cards.length; i += IMPORT_BATCH_SIZE) {
        const slice = cards.slice(i, i + IMPORT_BATCH_SIZE);
        const [exists] = await existingCardStrs(
          tx,
          appId,
          slice.map((c) => c.cardStr),
        );
        // Nothing written yet in this transaction is kept: the caller's error names the card.
        if (exists !== undefined) throw new ImportConflict(exists);
        await insertImportedCards(tx, slice);
      }
      return { inserted: cards.length };
    })
    .catch((error: unknown) => {
      if (error instanceof ImportConflict) return { exists: error.cardStr };
      throw error;
    });
}

class ImportConflict extends Error {
  constructor(readonly cardStr: string) {
    super(`card ${cardStr} exists`);
  }
}

/** Pending renewals are written at least this often. */
export const RENEWAL_FLUSH_MS = 200;

/**
 * Heartbeat renewals gathered per process and written as one statement every RENEWAL_FLUSH_MS:
 * a heartbeat costs one read instead of a write and its WAL. A renewal that lands late (or is
 * lost in a crash) only shortens a session by that much, next to a validity of minutes.
 */
export class RenewalBatch {
  private entries = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly db: Queryable) {}

  /** The expiry this process will write for `statecode` (0 when none). */
  pending(statecode: string): number {
    return this.entries.get(statecode) ?? 0;
  }

  add(statecode: string, expiresAt: number): void {
    this.entries.set(statecode, Math.max(expiresAt, this.pending(statecode)));
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(() => {});
    }, RENEWAL_FLUSH_MS);
  }

  /** Writes every pending renewal (one statement; after any flush already running). */
  flush(): Promise<void> {
    this.running = this.running.catch(() => {}).then(() => this.write());
    return this.running;
  }

  private async write(): Promise<void> {
    if (this.entries.size === 0) return;
    const batch = [...this.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.entries = new Map();
    try {
      // Sorted, so two processes renewing the same sessions lock them in one order. Only ever
      // extends (a newer renewal from another process stays); a kicked session is not revived.
      await this.db.query(
        `UPDATE sessions s SET expires_at = v.expires_at
         FROM unnest($1::text[], $2::bigint[]) AS v(statecode, expires_at)
         WHERE s.statecode = v.statecode AND s.expires_at < v.expires_at`,
        [batch.map(([statecode]) => statecode), batch.map(([, expiresAt]) => expiresAt)],
      );
    } catch (error) {
      // Kept for the next flush (newer renewals win).
      for (const [statecode, expiresAt] of batch) this.add(statecode, expiresAt);
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush().catch(() => {});
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
