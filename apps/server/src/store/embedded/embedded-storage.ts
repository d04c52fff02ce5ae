// The embedded adapter (PGlite). PGlite is one WASM Postgres inside this process, so this process
// is by construction the only writer: hot state is kept authoritative in memory and persisted
// with group commit.
//
// - Cards: a cache (card-cache.ts). A card's decision and the change it makes run synchronously in
//   one JS turn (withCard), so concurrent logins are trivially serialised: exactly one binds, a
//   count card is never over-used.
// - Sessions: the whole table is held in memory (session-table.ts).
// - Writes: durable changes (card state, ended sessions, new cards, and the sessions that come
//   with them) go into the current batch; one statement writes a batch (sql/card-writes.ts).
//   While it commits, new changes gather in the next batch (group commit: no fixed delay, batches
//   grow with load). A request that changed durable state is answered only after its batch
//   committed, so no acknowledged change to a card is ever lost.
// - Written behind (with the next batch, at the latest after LAZY_FLUSH_MS, and on close):
//   heartbeat renewals, and a session that comes with no card change (a re-login of a bound,
//   active time card: the common login). A crash in that window shortens a renewed session or
//   ends a new one (the client gets 状态码不存在 and logs in again); card state is never behind.
// - A failed flush rejects its batch and the batch gathered meanwhile (those changes were computed
//   on top of the failed ones), then drops the card cache and reloads the sessions from disk
//   while new operations wait: memory never diverges from what is on disk.
// - Decisions that meet a card with uncommitted changes and change nothing (refusals, reads)
//   wait for those changes and decide again; a soft session waits for them and shares their
//   fate. No reply is based on state that may still be rolled back.

import { bulkInsert, importCards, userMethods } from '../postgres-storage';
import type { CardRecord } from '../records';
import { SeenSignatures } from '../seen-signatures';
import { findPotatoUser, findUserToken, saveUserToken, sweepUserTokens } from '../sql/accounts';
import {
  type AdminRecords,
  adminRecords,
  cardsWithSessions,
  countCardsByState,
  countOnline,
  selectAdminCard,
  selectAdminCards,
  selectSessions,
} from '../sql/admin';
import { recordOfNewCard } from '../sql/card-rows';
import { writeCardChanges } from '../sql/card-writes';
import { listCardRows, selectCard } from '../sql/cards';
import { selectUserSessionByToken } from '../sql/session-tokens';
import { sweepUserSessions } from '../sql/users';
import { readVariable, writeVariable } from '../sql/variables';
import type { CardsDecision, Decision, RenewSession, Storage } from '../storage';
import type { Database } from '../types';
import { Batch, FlushFailedError } from './batch';
import { CardCache } from './card-cache';
import { SessionTable } from './session-table';

/** Written-behind changes wait at most this long for a batch to ride along with. */
export const LAZY_FLUSH_MS = 1000;
/** How long past its expiry an on-disk session row must be before the sweep deletes it. */
const DISK_SWEEP_MARGIN_MS = 60_000;
/** Sessions looked at per turn by the expiry sweep. */
const SWEEP_SLICE = 1000;
/** potato user tokens remembered (the cache is dropped when full; tokens are few in practice). */
const TOKEN_CACHE_MAX = 10_000;

/** Returned from a synchronous section: wait for `after`, then run the operation again. */
class Retry {
  constructor(readonly after: Promise<void>) {}
}

type TokenEntry = NonNullable<Awaited<ReturnType<Storage['findUserToken']>>>;

export class EmbeddedStorage implements Storage {
  private readonly cards: CardCache;
  private readonly sessions = new SessionTable();
  private readonly tokens = new Map<string, TokenEntry>();
  private readonly signatures = new SeenSignatures();
  /** Card id -> the batch holding its uncommitted changes. */
  private readonly pendingCards = new Map<string, Batch>();

  private current = new Batch();
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private lazyTimer: NodeJS.Timeout | undefined;
  /** While set, operations wait: recovery or exclusive external SQL is under way. */
  private gate: Promise<void> | undefined;
  private needsReload = false;
  private closed = false;
  /** App users live in the database only (no cache): transactions, exclusive on PGlite. */
  private readonly users: ReturnType<typeof userMethods>;

  constructor(
    private readonly db: Database,
    private readonly clock: { now(): number },
    options: { cardCacheMax?: number } = {},
  ) {
    this.cards = new CardCache(db, (id) => this.pendingCards.has(id), options.cardCacheMax);
    this.users = userMethods(db, clock);
  }

  /** Loads the session table. */
  async start(): Promise<void> {
    await this.sessions.reload(this.db, this.clock.now());
  }

  /** Sizes of the in-memory state (tests, diagnostics). */
  stats(): { cachedCards: number; sessions: number; pendingCards: number; sessionsVisitedByLogins: number } {
    return {
      cachedCards: this.cards.size,
      sessions: this.sessions.size,
      pendingCards: this.pendingCards.size,
      sessionsVisitedByLogins: this.sessions.visitedByLogins,
    };
  }

  // --- cards --------------------------------------------------------------------------------

  withCard<T>(
    appId: string,
    cardStr: string,
    decide: (card: CardRecord | undefined) => Decision<T>,
  ): Promise<T> {
    return this.inCardTurn(appId, cardStr, (card) => {
      const pending = card && this.pendingCards.get(card.id);
      const { value, change } = decide(card);
      const durable = change !== undefined && (change.card !== undefined || change.endSessions === true);
      if (!durable) {
        if (!change?.session || !card) return pending ? new Retry(pending.done.catch(() => {})) : value;
        if (this.closed) return Promise.reject(new Error('the service is closed'));
        // A soft session: written behind. If the card's last change is still on its way to disk,
        // this reply relies on it, so it waits for it and shares its fate.
        this.sessions.start(this.current, change.session, change.sessionLimit ?? Number.POSITIVE_INFINITY);
        this.scheduleLazyFlush();
        return pending ? pending.done.then(() => value) : value;
      }
      if (!card) return value;
      const batch = this.current;
      if (change.card) this.writeCard(batch, change.card);
      if (change.endSessions) this.sessions.removeCard(batch, card.id);
      if (change.session)
        this.sessions.start(batch, change.session, change.sessionLimit ?? Number.POSITIVE_INFINITY);
      return this.commit(batch).then(() => value);
    });
  }

  async withCards<T>(
    appId: string,
    cardStrs: readonly string[],
    decide: (cards: Array<CardRecord | undefined>) => CardsDecision<T>,
  ): Promise<T> {
    for (;;) {
      if (this.gate || this.needsReload) {
        await this.ready();
        continue;
      }
      const absent = new Set<string>();
      for (const str of cardStrs) {
        if (this.cards.byStr(appId, str)) continue;
        if ((await this.cards.load({ appId, cardStr: str })) === 'absent' && this.settledAbsent(appId, str))
          absent.add(str);
      }
      if (this.gate || this.needsReload) continue;
      // One synchronous section from here: every card present now (or known absent) is decided
      // and written together, as withCard does for one.
      const cards = cardStrs.map((str) => this.cards.byStr(appId, str));
      if (cards.some((card, i) => !card && !absent.has(cardStrs[i] as string))) continue; // evicted meanwhile
      const pending = cards.flatMap((card) => {
        const batch = card && this.pendingCards.get(card.id);
        return batch ? [batch.done.catch(() => {})] : [];
      });
      const { value, cards: after } = decide(cards);
      if (!after || after.length === 0) {
        // A refusal must not rest on changes that may still be rolled back.
        if (pending.length > 0) {
          await Promise.all(pending);
          continue;
        }
        return value;
      }
      const batch = this.current;
      for (const card of after) this.writeCard(batch, card);
      return this.commit(batch).then(() => value);
    }
  }

  readVariable(appId: string, valueid: string): Promise<string | undefined> {
    return readVariable(this.db, appId, valueid);
  }

  writeVariable(appId: string, valueid: string, value: string, nowMs: number): Promise<void> {
    return writeVariable(this.db, appId, valueid, value, nowMs);
  }

  async cardSessions(cardId: string, nowMs: number): Promise<{ live: number; lastExpiresAt: number | null }> {
    await this.ready();
    return this.sessions.liveOf(cardId, nowMs);
  }

  async countLiveSessions(appId: string, nowMs: number): Promise<number> {
    await this.ready();
    return this.sessions.countLive(appId, nowMs);
  }

  readCard(appId: string, cardStr: string): Promise<CardRecord | undefined> {
    return this.withCard(appId, cardStr, (card) => ({ value: card ? { ...card } : undefined }));
  }

  async renewSession<Refusal>({
    appId,
    statecode,
    expiresAt,
    refusal,
  }: RenewSession<Refusal>): Promise<Refusal | undefined> {
    for (;;) {
      if (this.gate || this.needsReload) {
        await this.ready();
        continue;
      }
      const session = this.sessions.get(statecode);
      if (!session || session.appId !== appId) return refusal(undefined, undefined);
      const card = this.cards.get(session.cardId);
      if (!card) {
        if ((await this.cards.load({ id: session.cardId })) === 'absent') return refusal(session, undefined);
        continue;
      }
      const pending = this.pendingCards.get(card.id);
      if (pending) {
        await pending.done.catch(() => {});
        continue;
      }
      const refused = refusal(session, card);
      if (refused) return refused;
      session.expiresAt = expiresAt;
      this.sessions.renewals.add(statecode);
      this.scheduleLazyFlush();
      return undefined;
    }
  }

  /** Card sessions from memory (as renewSession reads them); accounts' from the database. */
  async findSessionByToken(appId: string, tokenHash: string): ReturnType<Storage['findSessionByToken']> {
    for (;;) {
      if (this.gate || this.needsReload) {
        await this.ready();
        continue;
      }
      const session = this.sessions.byTokenHash(appId, tokenHash);
      if (!session) break;
      const card = this.cards.get(session.cardId);
      if (!card) {
        if ((await this.cards.load({ id: session.cardId })) === 'absent')
          return { kind: 'card', session: { ...session }, card: undefined };
        continue;
      }
      const pending = this.pendingCards.get(card.id);
      if (pending) {
        await pending.done.catch(() => {});
        continue;
      }
      return { kind: 'card', session: { ...session }, card: { ...card } };
    }
    return selectUserSessionByToken(this.db, appId, tokenHash);
  }

  endCardSessions(appId: string, cardStr: string): Promise<number> {
    return this.inCardTurn(appId, cardStr, (card) => {
      if (!card) return 0;
      const batch = this.current;
      const n = this.sessions.removeCard(batch, card.id);
      if (n === 0) return 0;
      this.pendingCards.set(card.id, batch); // later reads of the card wait for the kick
      return this.commit(batch).then(() => n);
    });
  }

  /** New cards ride in the next batch (one multi-row INSERT for all requests). */
  async insertCards(cards: Parameters<Storage['insertCards']>[0]): Promise<CardRecord[]> {
    await this.ready();
    const batch = this.current;
    batch.newCards.push(...cards);
    await this.commit(batch);
    // A card string that already existed is skipped, as ON CONFLICT DO NOTHING does.
    return cards.filter((c) => batch.inserted.has(c.id)).map(recordOfNewCard);
  }

  /** New cards touch no cached state, so bulk generation goes straight to the database. */
  bulkInsertCards(count: number, next: Parameters<Storage['bulkInsertCards']>[1]): Promise<number> {
    return bulkInsert(this.db, count, next);
  }

  /** Written back first, so the listing reflects every change made in memory. */
  async listCards(query: Parameters<Storage['listCards']>[0]): ReturnType<Storage['listCards']> {
    await this.sync();
    return listCardRows(this.db, query);
  }

  // --- operator surface ----------------------------------------------------------------------
  // Reads write everything back first; an import runs exclusively (caches reloaded after).

  get admin(): AdminRecords {
    this.adminRecords ??= adminRecords(this.db);
    return this.adminRecords;
  }
  private adminRecords: AdminRecords | undefined;

  async adminCards(query: Parameters<Storage['adminCards']>[0]): ReturnType<Storage['adminCards']> {
    await this.sync();
    return selectAdminCards(this.db, query);
  }

  async adminCard(appId: string, cardStr: string): ReturnType<Storage['adminCard']> {
    await this.sync();
    return selectAdminCard(this.db, appId, cardStr);
  }

  importCards(
    appId: string,
    cards: Parameters<Storage['importCards']>[1],
  ): ReturnType<Storage['importCards']> {
    return this.exclusive(() => importCards(this.db, appId, cards));
  }

  async countCards(appId: string, nowSeconds: number): ReturnType<Storage['countCards']> {
    await this.sync();
    return countCardsByState(this.db, appId, nowSeconds);
  }

  async listSessions(q: Parameters<Storage['listSessions']>[0]): ReturnType<Storage['listSessions']> {
    await this.sync();
    return selectSessions(this.db, q);
  }

  async countOnline(appId: string, nowMs: number): Promise<number> {
    await this.sync();
    return countOnline(this.db, appId, nowMs);
  }

  async cardsWithSessions(appId: string): Promise<string[]> {
    await this.sync();
    return cardsWithSessions(this.db, appId);
  }

  // --- potato accounts ------------------------------------------------------------------------

  findPotatoUser(appId: string, userNumber: string): ReturnType<Storage['findPotatoUser']> {
    return findPotatoUser(this.db, appId, userNumber);
  }

  saveUserToken(token: Parameters<Storage['saveUserToken']>[0]): Promise<void> {
    return saveUserToken(this.db, token);
  }

  firstUseOfSignature(appId: string, signature: string, nowMs: number, expiresAt: number): Promise<boolean> {
    return Promise.resolve(this.signatures.firstUse(`${appId}\u0000${signature}`, nowMs, expiresAt));
  }

  /** Tokens never change once issued, so found ones are remembered. */
  async findUserToken(token: string): ReturnType<Storage['findUserToken']> {
    const hit = this.tokens.get(token);
    if (hit) return hit;
    const found = await findUserToken(this.db, token);
    if (!found) return undefined;
    if (this.tokens.size >= TOKEN_CACHE_MAX) this.tokens.clear();
    this.tokens.set(token, found);
    return found;
  }

  // --- app users (账号模式) -------------------------------------------------------------------

  insertUser(user: Parameters<Storage['insertUser']>[0]): Promise<boolean> {
    return this.users.insertUser(user);
  }

  readUser(appId: string, username: string): ReturnType<Storage['readUser']> {
    return this.users.readUser(appId, username);
  }

  withUser<T>(...args: Parameters<Storage['withUser']>): Promise<T> {
    return this.users.withUser(...(args as Parameters<typeof this.users.withUser<T>>));
  }

  renewUserSession<Refusal>(input: Parameters<Storage['renewUserSession']>[0]): Promise<Refusal | undefined> {
    return this.users.renewUserSession(input) as Promise<Refusal | undefined>;
  }

  countOnlineUsers(appId: string, nowMs: number): Promise<number> {
    return this.users.countOnlineUsers(appId, nowMs);
  }

  /**
   * The card lives in the cache (authoritative), the account in the database: the recharge runs
   * with every other operation held at the gate, after everything pending is on disk, as one
   * transaction; the cache then takes the consumed card's committed state.
   */
  async rechargeUser<T>(...args: Parameters<Storage['rechargeUser']>): Promise<T> {
    const [appId, , cardStr] = args;
    return this.gated(async () => {
      const value = (await this.users.rechargeUser(...args)) as T;
      if (this.cards.has(appId, cardStr)) {
        const fresh = await selectCard(this.db, appId, cardStr);
        if (fresh) this.cards.set(fresh);
      }
      return value;
    });
  }

  /** Runs `fn` with no operation in between and nothing pending; unlike exclusive(), keeps the caches. */
  private async gated<T>(fn: () => Promise<T>): Promise<T> {
    await this.ready();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    while (this.gate) await this.gate.catch(() => {});
    this.gate = gate;
    try {
      while (this.flushing || !this.current.empty || this.sessions.renewals.size > 0) {
        if (this.flushing) await this.flushing.catch(() => {});
        else await this.flushNow().catch(() => {});
      }
      return await fn();
    } finally {
      this.gate = undefined;
      release();
    }
  }

  // --- housekeeping ---------------------------------------------------------------------------

  async sweep(nowMs: number, limit: number): Promise<{ sessions: number; tokens: number }> {
    await this.ready();
    // At most one lap of the table, a slice per turn; each slice's deletions go with the batch
    // current at that moment.
    const total = this.sessions.size;
    const commits: Promise<void>[] = [];
    let removed = 0;
    let visited = 0;
    while (visited < total && removed < limit) {
      const batch = this.current;
      const slice = this.sessions.removeExpired(
        batch,
        nowMs,
        Math.min(SWEEP_SLICE, total - visited, limit - removed),
      );
      removed += slice.removed;
      visited += slice.visited;
      if (slice.removed > 0) commits.push(this.commit(batch));
      if (slice.visited === 0) break;
      if (visited < total) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(commits);
    // Expired rows that never came back into memory (they are not loaded at start). A row whose
    // session lives in memory may look expired on disk until its renewal is written (within
    // LAZY_FLUSH_MS), so only rows long past their expiry go.
    const onDisk = await this.db.query(
      `DELETE FROM sessions WHERE statecode IN (
         SELECT statecode FROM sessions WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2)`,
      [nowMs - DISK_SWEEP_MARGIN_MS, limit],
    );
    await sweepUserSessions(this.db, nowMs, limit);
    return { sessions: removed + onDisk.rowCount, tokens: await sweepUserTokens(this.db, nowMs) };
  }

  /** Resolves once every change made so far (renewals included) is on disk. */
  async sync(): Promise<void> {
    while (this.flushing || !this.current.empty || this.sessions.renewals.size > 0) {
      if (this.flushing) await this.flushing;
      else await this.flushNow().catch(() => {});
    }
  }

  /**
   * The database as `service.db` exposes it: a read first writes everything back; anything else
   * runs exclusively (no operation in between) and the caches are reloaded afterwards, so
   * admin SQL behind the service's back is seen by later requests.
   */
  get database(): Database {
    const isRead = (sql: string) => /^\s*select\b/i.test(sql);
    return {
      engine: this.db.engine,
      query: async (sql, params) => {
        if (isRead(sql)) {
          await this.sync();
          return this.db.query(sql, params);
        }
        return this.exclusive(() => this.db.query(sql, params));
      },
      transaction: (fn) => this.exclusive(() => this.db.transaction(fn)),
      close: () => this.close(),
    };
  }

  /** Writes everything back, then closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.sync();
    } finally {
      this.closed = true;
      if (this.lazyTimer) clearTimeout(this.lazyTimer);
      await this.db.close();
    }
  }

  // --- the synchronous card turn --------------------------------------------------------------

  /**
   * Runs `fn` with the cached card (undefined when it does not exist) synchronously in the turn
   * in which it was read from the cache: no other operation interleaves between rule and change.
   */
  private async inCardTurn<T>(
    appId: string,
    cardStr: string,
    fn: (card: CardRecord | undefined) => T | Promise<T> | Retry,
  ): Promise<T> {
    for (;;) {
      if (this.gate || this.needsReload) {
        await this.ready();
        continue;
      }
      const card = this.cards.byStr(appId, cardStr);
      if (
        card ||
        ((await this.cards.load({ appId, cardStr })) === 'absent' && this.settledAbsent(appId, cardStr))
      ) {
        const out = fn(card);
        if (out instanceof Retry) {
          await out.after;
          continue;
        }
        return out as T | Promise<T>;
      }
    }
  }

  /** After an 'absent' load: nothing put the card in meanwhile and no recovery is under way. */
  private settledAbsent(appId: string, cardStr: string): boolean {
    return !this.gate && !this.needsReload && !this.cards.has(appId, cardStr);
  }

  private writeCard(batch: Batch, after: CardRecord): void {
    this.cards.set(after);
    batch.cards.set(after.id, after);
    this.pendingCards.set(after.id, batch);
  }

  // --- group commit -------------------------------------------------------------------------

  /** Schedules the batch and resolves once it committed (rejects if it was rolled back). */
  private commit(batch: Batch): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the service is closed'));
    batch.awaited = true;
    if (!this.flushing && !this.scheduled) {
      this.scheduled = true;
      // Let the requests of this turn join the batch.
      setImmediate(() => {
        this.scheduled = false;
        if (!this.flushing) this.flushNow().catch(() => {});
      });
    }
    return batch.done;
  }

  /** Written-behind changes go with the next batch, or on their own after LAZY_FLUSH_MS. */
  private scheduleLazyFlush(): void {
    if (this.lazyTimer || this.closed) return;
    this.lazyTimer = setTimeout(() => {
      this.lazyTimer = undefined;
      if (this.sessions.renewals.size === 0 && this.current.empty) return;
      if (this.flushing) this.scheduleLazyFlush();
      else this.flushNow().catch(() => {});
    }, LAZY_FLUSH_MS);
    this.lazyTimer.unref();
  }

  /** Writes the current batch (and pending renewals) in one statement. */
  private flushNow(): Promise<void> {
    const batch = this.current;
    this.current = new Batch();
    const renewals = this.sessions.takeRenewals(batch);
    const run = (async () => {
      try {
        const ended: string[] = [];
        const started = [];
        for (const [sc, s] of batch.sessions) {
          if (s === null) ended.push(sc);
          else started.push(s);
        }
        batch.inserted = await writeCardChanges(this.db, {
          newCards: batch.newCards,
          cards: [...batch.cards.values()],
          endStatecodes: ended,
          sessions: started,
          renewals,
        });
      } catch (error) {
        this.recover(batch, error);
        throw error;
      }
      for (const [id, b] of this.pendingCards) if (b === batch) this.pendingCards.delete(id);
      this.cards.scheduleEviction();
      batch.resolve();
    })();
    this.flushing = run.finally(() => {
      this.flushing = undefined;
      // Only a batch somebody waits for goes at once; written-behind changes wait for company.
      if (this.current.awaited) this.flushNow().catch(() => {});
      else if (!this.current.empty) this.scheduleLazyFlush();
    });
    return this.flushing;
  }

  /**
   * A batch failed: it and the batch gathered meanwhile (computed on top of it) are rejected,
   * the card cache is dropped and the sessions are reloaded before any operation continues.
   */
  private recover(failed: Batch, error: unknown): void {
    const next = this.current;
    this.current = new Batch();
    this.pendingCards.clear();
    this.cards.clear();
    this.needsReload = true;
    const err = new FlushFailedError(error);
    failed.reject(err);
    next.reject(err);
  }

  /** Waits for a gate; reloads the sessions if a failure asked for it. */
  private async ready(): Promise<void> {
    for (;;) {
      if (this.gate) {
        await this.gate.catch(() => {});
        continue;
      }
      if (!this.needsReload) return;
      if (this.flushing) {
        await this.flushing.catch(() => {});
        continue;
      }
      this.gate = (async () => {
        try {
          await this.sessions.reload(this.db, this.clock.now());
          this.needsReload = false;
        } finally {
          this.gate = undefined;
        }
      })();
      await this.gate; // a failing reload reaches the caller; the next operation tries again
    }
  }

  /** Runs `fn` with no operation in between, everything written first; reloads the caches after. */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.gated(async () => {
      try {
        return await fn();
      } finally {
        // Still inside the gate: no operation sees the caches between the change and the reset.
        this.tokens.clear();
        this.cards.clear();
        this.needsReload = true;
      }
    });
  }
}
