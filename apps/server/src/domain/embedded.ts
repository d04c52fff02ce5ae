// The embedded store (PGlite) strategy. PGlite is one WASM Postgres inside this process, so this
// process is by construction the only writer: hot state is kept authoritative in memory and
// persisted with group commit.
//
// - Cards: a cache loaded on first use (by card string or id). Every read and write of a card
//   goes through it, and the rule evaluation + state change of an operation run synchronously in
//   one JS turn (see withCard), so concurrent logins are trivially serialised: exactly one binds,
//   a count card is never over-used.
// - Sessions: the whole table is held in memory (loaded at start), statecode -> session.
// - Writes: durable changes (card binding / activation / count use / unbind / disable / delete,
//   the sessions of those logins, card creation) go into the current batch; one statement writes
//   a batch. While it commits, new changes gather in the next batch (group commit: no fixed
//   delay, batches grow with load). A request that changed durable state is answered only after
//   its batch committed, so no acknowledged change to a card is ever lost.
// - Written behind (with the next batch, at the latest after LAZY_FLUSH_MS, and on close):
//   heartbeat renewals, and the session of a re-login that changed nothing about its card (a
//   bound, active time card logging in again: the common login). A crash in that window
//   shortens a renewed session or ends a new one (the client gets 状态码不存在 and logs in
//   again); card state is never behind. This keeps re-logins from costing a disk write each.
// - A failed flush rejects its batch and the batch gathered meanwhile (those changes were computed
//   on top of the failed ones), then drops the card cache and reloads the sessions from disk
//   while new operations wait: memory never diverges from what is on disk.
// - Reads that meet a card with uncommitted changes wait for them to commit first, so no reply
//   (success or refusal) is based on state that may still be rolled back.
import type { PotatoCard } from '@kami-verify/core';
import type { Database } from '../store/types';
import { CARD_COLUMNS, type CardRow, kindColumns, kindForPotatoType, num, toCardRecord } from './card-rows';
import type { DomainContext } from './context';
import { newCardStrs } from './ids';
import { checkHeartbeat, decideLogin, decideUnbind, fail, heartbeatOk, queryBody } from './rules';
import type { AppRecord, CardKind, CardRecord, Fail, KamiService } from './types';

/** Written-behind changes wait at most this long for a batch to ride along with. */
export const LAZY_FLUSH_MS = 1000;
/** Clean cards kept in memory beyond this many are evicted (oldest loaded first). */
export const CARD_CACHE_MAX = 200_000;
/** potato user tokens remembered (the cache is dropped when full; tokens are few in practice). */
const TOKEN_CACHE_MAX = 10_000;

interface Session {
  statecode: string;
  cardId: string;
  appId: string;
  imei: string;
  expiresAt: number;
  createdAt: number;
}

interface NewCard {
  id: string;
  appId: string;
  cardStr: string;
  kind: CardKind['kind'];
  type: number | null;
  durationSeconds: number | null;
  ip: string;
  nowMs: number;
}

class Batch {
  /** Latest state per card id. */
  readonly cards = new Map<string, CardRecord>();
  /** Final state per statecode: a session to upsert, or null to delete. */
  readonly sessions = new Map<string, Session | null>();
  /** New cards (potato createCardMy); ids of the inserted ones are collected in `inserted`. */
  readonly newCards: NewCard[] = [];
  readonly inserted = new Set<string>();
  /** A request waits for this batch (commit() was called): flush it as soon as possible. */
  awaited = false;
  readonly done: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;
  constructor() {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Nobody may be waiting (e.g. a batch of lazy renewals only); never an unhandled rejection.
    this.done.catch(() => {});
  }
  get empty(): boolean {
    return this.cards.size === 0 && this.sessions.size === 0 && this.newCards.length === 0;
  }
}

/** Thrown to the requests whose changes were rolled back because a flush failed. */
export class FlushFailedError extends Error {
  constructor(cause: unknown) {
    super(
      `the embedded store failed to persist a batch: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        cause,
      },
    );
    this.name = 'FlushFailedError';
  }
}

const strKey = (appId: string, cardStr: string) => `${appId}\u0000${cardStr}`;
const copy = (card: CardRecord): CardRecord => ({ ...card });

export class EmbeddedStore {
  private readonly db: Database;
  private readonly cards = new Map<string, CardRecord>(); // by id
  private readonly idByStr = new Map<string, string>();
  private readonly loading = new Map<string, Promise<'found' | 'absent'>>();
  /** Bumped when the cache is dropped (failure, admin SQL): a load that started before must not re-insert its row. */
  private epoch = 0;
  private readonly sessions = new Map<string, Session>();
  private readonly sessionsByCard = new Map<string, Set<string>>();
  private readonly renewals = new Set<string>();
  private readonly tokens = new Map<string, { userId: string; appId: string; expiresAt: number }>();
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

  private readonly cardCacheMax: number;
  private evictScheduled = false;

  constructor(
    private readonly ctx: DomainContext,
    options: { cardCacheMax?: number } = {},
  ) {
    this.db = ctx.db;
    this.cardCacheMax = options.cardCacheMax ?? CARD_CACHE_MAX;
  }

  /** Sizes of the in-memory state (tests, diagnostics). */
  stats(): { cachedCards: number; sessions: number; pendingCards: number } {
    return {
      cachedCards: this.cards.size,
      sessions: this.sessions.size,
      pendingCards: this.pendingCards.size,
    };
  }

  /** Loads the session table. */
  async start(): Promise<void> {
    await this.reloadSessions();
  }

  // --- T3 ---------------------------------------------------------------------------------

  login(input: Parameters<KamiService['login']>[0]): ReturnType<KamiService['login']> {
    const { app, kami } = input;
    const nowMs = this.ctx.clock.now();
    return this.withCardByStr(app.id, kami, (card) => {
      const decision = decideLogin(card, app, input, nowMs, this.ctx.md5);
      if (!decision.ok) return this.refusal(card, decision);
      const { after, session, changed } = decision;
      const batch = changed ? this.writeCard(after) : this.current;
      // Drop this card's expired sessions (dead weight), then add or renew this one.
      for (const sc of this.sessionsByCard.get(after.id) ?? []) {
        const s = this.sessions.get(sc);
        if (s && sc !== session.statecode && s.expiresAt <= nowMs) this.removeSession(batch, s);
      }
      const existing = this.sessions.get(session.statecode);
      if (existing) {
        existing.expiresAt = session.expiresAt;
        existing.imei = session.imei;
        batch.sessions.set(existing.statecode, existing);
      } else {
        const s: Session = { ...session, cardId: after.id, appId: app.id };
        this.addSession(s);
        batch.sessions.set(s.statecode, s);
      }
      const ok = { ok: true as const, body: decision.body };
      if (changed || this.closed) return this.commit(batch).then(() => ok);
      // Nothing about the card changed: the session is written behind (see the header). If the
      // card's last change is still on its way to disk, this reply relies on it and waits.
      this.scheduleLazyFlush();
      const pending = this.pendingCards.get(after.id);
      return pending ? pending.done.then(() => ok) : ok;
    });
  }

  async heartbeat(input: Parameters<KamiService['heartbeat']>[0]): ReturnType<KamiService['heartbeat']> {
    const { app, statecode } = input;
    const kami = input.kami === undefined || input.kami === '' ? null : input.kami;
    const nowMs = this.ctx.clock.now();
    for (;;) {
      if (this.gate || this.needsReload) {
        await this.ready();
        continue;
      }
      const session = this.sessions.get(statecode);
      if (!session || session.appId !== app.id || session.expiresAt <= nowMs)
        return fail('STATECODE_NOT_FOUND');
      const card = this.cards.get(session.cardId);
      if (!card) {
        if ((await this.loadCard('id', session.cardId, session.cardId)) === 'absent')
          return fail('STATECODE_NOT_FOUND');
        continue;
      }
      const pending = this.pendingCards.get(card.id);
      if (pending) {
        await pending.done.catch(() => {});
        continue;
      }
      const bad = checkHeartbeat(session, card, kami, nowMs);
      if (bad) return bad;
      session.expiresAt = nowMs + app.settings.statecodeValiditySeconds * 1000;
      this.renewals.add(statecode);
      this.scheduleLazyFlush();
      return heartbeatOk(nowMs);
    }
  }

  query(input: Parameters<KamiService['query']>[0]): ReturnType<KamiService['query']> {
    const now = Math.floor(this.ctx.clock.now() / 1000);
    return this.withCardByStr(input.app.id, input.kami, (card) =>
      this.settledOr(card, () => queryBody(card, now)),
    );
  }

  unbind(input: Parameters<KamiService['unbind']>[0]): ReturnType<KamiService['unbind']> {
    const { app, kami, imei } = input;
    const nowMs = this.ctx.clock.now();
    return this.withCardByStr(app.id, kami, (card) => {
      const decision = decideUnbind(card, app, imei, nowMs);
      if (!decision.ok) return this.refusal(card, decision);
      const batch = this.writeCard(decision.after);
      this.removeCardSessions(batch, decision.after.id);
      return this.commit(batch).then(() => ({ ok: true as const, change: decision.after.change }));
    });
  }

  // --- admin / testing ------------------------------------------------------------------------

  getCard(input: { app: AppRecord; cardStr: string }): Promise<CardRecord | undefined> {
    return this.withCardByStr(input.app.id, input.cardStr, (card) =>
      this.settledOr(card, () => (card ? copy(card) : undefined)),
    );
  }

  setCardDisabled(input: { app: AppRecord; cardStr: string; disabled: boolean }): Promise<boolean> {
    const nowMs = this.ctx.clock.now();
    return this.withCardByStr(input.app.id, input.cardStr, (card) => {
      if (!card || card.status === 0) return false;
      const batch = this.writeCard({ ...card, disabled: input.disabled, modifiedAt: nowMs });
      return this.commit(batch).then(() => true);
    });
  }

  deleteCard(input: { app: AppRecord; cardStr: string }): Promise<boolean> {
    const nowMs = this.ctx.clock.now();
    return this.withCardByStr(input.app.id, input.cardStr, (card) => {
      if (!card || card.status === 0) return false;
      const batch = this.writeCard({ ...card, status: 0, modifiedAt: nowMs });
      this.removeCardSessions(batch, card.id);
      return this.commit(batch).then(() => true);
    });
  }

  kickSessions(input: { app: AppRecord; cardStr: string }): Promise<number> {
    return this.withCardByStr(input.app.id, input.cardStr, (card) => {
      if (!card) return 0;
      const batch = this.current;
      const n = this.removeCardSessions(batch, card.id);
      if (n === 0) return 0;
      this.pendingCards.set(card.id, batch); // later reads of the card wait for the kick
      return this.commit(batch).then(() => n);
    });
  }

  // --- potato --------------------------------------------------------------------------------

  /** createCardMy: the new rows ride in the next batch (one multi-row INSERT for all requests). */
  async createCards(input: Parameters<KamiService['createCards']>[0]): Promise<PotatoCard[]> {
    if (!Number.isInteger(input.total) || input.total < 1)
      throw new RangeError('total must be a positive integer');
    const k = kindColumns(kindForPotatoType(input.type));
    const nowMs = this.ctx.clock.now();
    const strs = newCardStrs(input.total);
    const rows: NewCard[] = strs.map((cardStr) => ({
      id: this.ctx.ids.next(),
      appId: input.app.id,
      cardStr,
      kind: k.kind,
      type: k.type,
      durationSeconds: k.durationSeconds,
      ip: input.ip,
      nowMs,
    }));
    await this.ready();
    const batch = this.current;
    batch.newCards.push(...rows);
    await this.commit(batch);
    // A card string that already existed is skipped, as ON CONFLICT DO NOTHING does.
    return rows
      .filter((r) => batch.inserted.has(r.id))
      .map((r) => ({
        id: r.id,
        createdDate: r.nowMs,
        modifiedDate: r.nowMs,
        status: 1,
        ip: r.ip,
        appId: r.appId,
        cardStr: r.cardStr,
        exportState: 1,
        state: 1,
        type: r.type ?? -1,
      }));
  }

  /** A live apiUserToken's user; tokens never change once issued, so positive answers are cached. */
  async resolveUserToken(input: { app: AppRecord; token: string }): Promise<string | undefined> {
    if (!input.token) return undefined;
    const nowMs = this.ctx.clock.now();
    const hit = this.tokens.get(input.token);
    if (hit && hit.appId === input.app.id && hit.expiresAt > nowMs) return hit.userId;
    if (hit) return undefined;
    const res = await this.db.query<{ user_id: string; app_id: string; expires_at: unknown }>(
      'SELECT user_id, app_id, expires_at FROM potato_tokens WHERE token = $1',
      [input.token],
    );
    const row = res.rows[0];
    if (!row) return undefined;
    const entry = { userId: String(row.user_id), appId: String(row.app_id), expiresAt: num(row.expires_at) };
    if (this.tokens.size >= TOKEN_CACHE_MAX) this.tokens.clear();
    this.tokens.set(input.token, entry);
    return entry.appId === input.app.id && entry.expiresAt > nowMs ? entry.userId : undefined;
  }

  /** Deletes expired sessions (memory and disk, through the write queue). */
  async sweepSessions(): Promise<number> {
    await this.ready();
    const nowMs = this.ctx.clock.now();
    const batch = this.current;
    let n = 0;
    for (const s of [...this.sessions.values()]) {
      if (s.expiresAt <= nowMs) {
        this.removeSession(batch, s);
        n++;
      }
    }
    if (n > 0) await this.commit(batch);
    return n;
  }

  /** Resolves once every change made so far (renewals included) is on disk. */
  async sync(): Promise<void> {
    while (this.flushing || !this.current.empty || this.renewals.size > 0) {
      if (this.flushing) await this.flushing;
      else await this.flushNow().catch(() => {});
    }
  }

  /**
   * The database as `service.db` exposes it: a read first writes everything back; anything else
   * runs exclusively (no operation in between) and the caches are reloaded afterwards, so
   * admin SQL behind the service's back is seen by later requests.
   */
  externalDatabase(): Database {
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

  async close(): Promise<void> {
    if (this.closed) return;
    await this.sync();
    this.closed = true;
    if (this.lazyTimer) clearTimeout(this.lazyTimer);
  }

  // --- cards --------------------------------------------------------------------------------

  /**
   * Runs `fn` with the cached card (undefined when it does not exist) synchronously in the turn
   * in which it was read from the cache: no other operation interleaves between rule and change.
   */
  private async withCardByStr<T>(
    appId: string,
    cardStr: string,
    fn: (card: CardRecord | undefined) => T | Promise<T> | Retry,
  ): Promise<T> {
    const key = strKey(appId, cardStr);
    for (;;) {
      if (this.gate || this.needsReload) {
        await this.ready();
        continue;
      }
      const id = this.idByStr.get(key);
      const card = id === undefined ? undefined : this.cards.get(id);
      if (card) {
        const out = fn(card);
        if (out instanceof Retry) {
          await out.after;
          continue;
        }
        return out as T | Promise<T>;
      }
      const found = await this.loadCard('str', key, [appId, cardStr]);
      if (found === 'absent' && !this.gate && !this.needsReload && !this.idByStr.has(key)) {
        const out = fn(undefined);
        if (out instanceof Retry) {
          await out.after;
          continue;
        }
        return out as T | Promise<T>;
      }
    }
  }

  /** Loads one card into the cache (deduplicated per key). */
  private loadCard(
    by: 'str' | 'id',
    key: string,
    arg: string | [string, string],
  ): Promise<'found' | 'absent'> {
    const loadKey = `${by}:${key}`;
    let p = this.loading.get(loadKey);
    if (!p) {
      const epoch = this.epoch;
      const q =
        by === 'str'
          ? this.db.query<CardRow>(
              `SELECT ${CARD_COLUMNS} FROM cards WHERE app_id = $1 AND card_str = $2`,
              arg as [string, string],
            )
          : this.db.query<CardRow>(`SELECT ${CARD_COLUMNS} FROM cards WHERE id = $1`, [arg as string]);
      p = q
        .then((res) => {
          const row = res.rows[0];
          if (!row) return 'absent' as const;
          // Evicted or cleared meanwhile: the row may predate a write; the caller retries.
          if (this.epoch !== epoch) return 'found' as const;
          const card = toCardRecord(row);
          if (!this.cards.has(card.id)) this.cacheCard(card);
          return 'found' as const;
        })
        .finally(() => this.loading.delete(loadKey));
      this.loading.set(loadKey, p);
    }
    return p;
  }

  private cacheCard(card: CardRecord): void {
    this.cards.set(card.id, card);
    this.idByStr.set(strKey(card.appId, card.cardStr), card.id);
    // Evicted in a later macrotask, never here: an operation whose load just resolved runs its
    // synchronous section in the microtasks that follow and must still find its card (evicting
    // right away let concurrent loads evict each other's cards forever with a small cache).
    this.scheduleEviction();
  }

  /** Dirty cards cannot go; once their batch committed, the flush schedules eviction again. */
  private scheduleEviction(): void {
    if (this.cards.size > this.cardCacheMax && !this.evictScheduled) {
      this.evictScheduled = true;
      setImmediate(() => {
        this.evictScheduled = false;
        this.evict();
      });
    }
  }

  private evict(): void {
    if (this.cards.size <= this.cardCacheMax) return;
    let excess = this.cards.size - Math.floor(this.cardCacheMax * 0.9);
    for (const [id, card] of this.cards) {
      if (excess <= 0) break;
      if (this.pendingCards.has(id)) continue;
      this.cards.delete(id);
      this.idByStr.delete(strKey(card.appId, card.cardStr));
      excess--;
    }
    // No epoch bump: PGlite runs statements in the order they were issued, so a load that
    // started before a card's flush resolves before that flush does, i.e. while the dirty card
    // is still cached (dirty cards are never evicted) and the stale row is ignored.
  }

  /** A refusal seen on a card with uncommitted changes waits for them and re-evaluates. */
  private refusal(card: CardRecord | undefined, decision: Fail): Fail | Retry {
    const pending = card && this.pendingCards.get(card.id);
    return pending ? new Retry(pending.done.catch(() => {})) : decision;
  }

  private settledOr<T>(card: CardRecord | undefined, fn: () => T): T | Retry {
    const pending = card && this.pendingCards.get(card.id);
    return pending ? new Retry(pending.done.catch(() => {})) : fn();
  }

  private writeCard(after: CardRecord): Batch {
    const batch = this.current;
    this.cards.set(after.id, after);
    batch.cards.set(after.id, after);
    this.pendingCards.set(after.id, batch);
    return batch;
  }

  // --- sessions -----------------------------------------------------------------------------

  private addSession(s: Session): void {
    this.sessions.set(s.statecode, s);
    let set = this.sessionsByCard.get(s.cardId);
    if (!set) {
      set = new Set();
      this.sessionsByCard.set(s.cardId, set);
    }
    set.add(s.statecode);
  }

  private removeSession(batch: Batch, s: Session): void {
    this.sessions.delete(s.statecode);
    this.renewals.delete(s.statecode);
    const set = this.sessionsByCard.get(s.cardId);
    set?.delete(s.statecode);
    if (set?.size === 0) this.sessionsByCard.delete(s.cardId);
    batch.sessions.set(s.statecode, null);
  }

  private removeCardSessions(batch: Batch, cardId: string): number {
    let n = 0;
    for (const sc of [...(this.sessionsByCard.get(cardId) ?? [])]) {
      const s = this.sessions.get(sc);
      if (s) {
        this.removeSession(batch, s);
        n++;
      }
    }
    return n;
  }

  private async reloadSessions(): Promise<void> {
    const res = await this.db.query<{
      statecode: string;
      card_id: string;
      app_id: string;
      imei: string;
      expires_at: unknown;
      created_at: unknown;
    }>('SELECT statecode, card_id, app_id, imei, expires_at, created_at FROM sessions');
    this.sessions.clear();
    this.sessionsByCard.clear();
    this.renewals.clear();
    for (const r of res.rows) {
      this.addSession({
        statecode: r.statecode,
        cardId: String(r.card_id),
        appId: String(r.app_id),
        imei: r.imei ?? '',
        expiresAt: num(r.expires_at),
        createdAt: num(r.created_at),
      });
    }
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
      if (this.renewals.size === 0 && this.current.empty) return;
      if (this.flushing) this.scheduleLazyFlush();
      else this.flushNow().catch(() => {});
    }, LAZY_FLUSH_MS);
    this.lazyTimer.unref();
  }

  /** Writes the current batch (and pending renewals) in one transaction. */
  private flushNow(): Promise<void> {
    const batch = this.current;
    this.current = new Batch();
    const renewals = [...this.renewals].filter((sc) => !batch.sessions.has(sc));
    this.renewals.clear();
    const run = (async () => {
      try {
        await writeBatch(this.db, batch, renewals, this.sessions);
      } catch (error) {
        this.recover(batch, error);
        throw error;
      }
      for (const [id, b] of this.pendingCards) if (b === batch) this.pendingCards.delete(id);
      this.scheduleEviction();
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
    this.idByStr.clear();
    this.epoch++;
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
          await this.reloadSessions();
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
    await this.ready();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    while (this.gate) await this.gate.catch(() => {});
    this.gate = gate;
    try {
      while (this.flushing || !this.current.empty || this.renewals.size > 0) {
        if (this.flushing) await this.flushing.catch(() => {});
        else await this.flushNow().catch(() => {});
      }
      return await fn();
    } finally {
      this.tokens.clear();
      this.cards.clear();
      this.idByStr.clear();
      this.epoch++;
      this.needsReload = true;
      this.gate = undefined;
      release();
    }
  }
}

/** Returned from a synchronous section: wait for `after`, then run the operation again. */
class Retry {
  constructor(readonly after: Promise<void>) {}
}

/**
 * One batch as ONE statement (data-modifying CTEs): a single statement is atomic on its own, so
 * no BEGIN/COMMIT round trips; every part is a multi-row unnest, whatever the batch size, and
 * only the parts the batch needs are included (an empty part still costs planning time). The
 * parts never touch the same row twice (new and updated cards are disjoint; a statecode is
 * deleted, upserted or renewed, never two of these). Tests recognise the statement by FLUSH_MARKER.
 */
export const FLUSH_MARKER = '/* kami:flush */';

interface Part {
  name: string;
  /** SQL with `$n` numbered from 1 within the part. */
  sql: string;
  params: unknown[];
}

function renumber(sql: string, offset: number): string {
  return sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}

function flushParts(batch: Batch, renewed: Session[]): Part[] {
  const parts: Part[] = [];
  const n = batch.newCards;
  if (n.length > 0) {
    parts.push({
      name: 'new_cards',
      sql: `INSERT INTO cards (id, app_id, card_str, kind, type, duration_seconds, created_ip, created_at, modified_at)
        SELECT v.id, v.app_id, v.card_str, v.kind, v.type, v.duration_seconds, v.ip, v.now, v.now
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::bigint[], $7::text[], $8::bigint[])
          AS v(id, app_id, card_str, kind, type, duration_seconds, ip, now)
        ON CONFLICT (app_id, card_str) DO NOTHING
        RETURNING id`,
      params: [
        n.map((x) => x.id),
        n.map((x) => x.appId),
        n.map((x) => x.cardStr),
        n.map((x) => x.kind),
        n.map((x) => x.type),
        n.map((x) => x.durationSeconds),
        n.map((x) => x.ip),
        n.map((x) => x.nowMs),
      ],
    });
  }
  const c = [...batch.cards.values()];
  if (c.length > 0) {
    parts.push({
      name: 'changed_cards',
      sql: `UPDATE cards c SET imei = v.imei, bound_ip = v.bound_ip, activated_at = v.activated_at,
          expires_at = v.expires_at, uses_left = v.uses_left, change_count = v.change_count,
          disabled = v.disabled, status = v.status, modified_at = v.modified_at
        FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::int[], $7::int[],
                    $8::bool[], $9::smallint[], $10::bigint[])
          AS v(id, imei, bound_ip, activated_at, expires_at, uses_left, change_count, disabled, status, modified_at)
        WHERE c.id = v.id
        RETURNING c.id`,
      params: [
        c.map((x) => x.id),
        c.map((x) => x.imei),
        c.map((x) => x.boundIp),
        c.map((x) => x.activatedAt),
        c.map((x) => x.expiresAt),
        c.map((x) => x.usesLeft),
        c.map((x) => x.change),
        c.map((x) => x.disabled),
        c.map((x) => x.status),
        c.map((x) => x.modifiedAt),
      ],
    });
  }
  const deletes: string[] = [];
  const upserts: Session[] = [];
  for (const [sc, s] of batch.sessions) {
    if (s === null) deletes.push(sc);
    else upserts.push(s);
  }
  if (deletes.length > 0) {
    parts.push({
      name: 'ended',
      sql: 'DELETE FROM sessions WHERE statecode = ANY($1::text[])',
      params: [deletes],
    });
  }
  if (renewed.length > 0) {
    parts.push({
      name: 'renewed',
      sql: `UPDATE sessions s SET expires_at = v.expires_at
        FROM unnest($1::text[], $2::bigint[]) AS v(statecode, expires_at)
        WHERE s.statecode = v.statecode`,
      params: [renewed.map((s) => s.statecode), renewed.map((s) => s.expiresAt)],
    });
  }
  if (upserts.length > 0) {
    parts.push({
      name: 'started',
      sql: `INSERT INTO sessions (statecode, card_id, app_id, imei, expires_at, created_at)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[])
        ON CONFLICT (statecode) DO UPDATE SET expires_at = EXCLUDED.expires_at, imei = EXCLUDED.imei`,
      params: [
        upserts.map((s) => s.statecode),
        upserts.map((s) => s.cardId),
        upserts.map((s) => s.appId),
        upserts.map((s) => s.imei),
        upserts.map((s) => s.expiresAt),
        upserts.map((s) => s.createdAt),
      ],
    });
  }
  return parts;
}

async function writeBatch(
  db: Pick<Database, 'query'>,
  batch: Batch,
  renewals: string[],
  sessions: Map<string, Session>,
): Promise<void> {
  const renewed = renewals.flatMap((sc) => {
    const s = sessions.get(sc);
    return s ? [s] : [];
  });
  const parts = flushParts(batch, renewed);
  if (parts.length === 0) return;
  const params: unknown[] = [];
  const ctes = parts.map((p) => {
    const sql = renumber(p.sql, params.length);
    params.push(...p.params);
    return `${p.name} AS (${sql})`;
  });
  const has = (name: string) => parts.some((p) => p.name === name);
  const res = await db.query<{ changed: unknown; inserted: unknown }>(
    `${FLUSH_MARKER} WITH ${ctes.join(', ')} SELECT ${has('changed_cards') ? '(SELECT count(*) FROM changed_cards)' : '0'} AS changed, ${
      has('new_cards') ? '(SELECT array_agg(id) FROM new_cards)' : 'NULL'
    } AS inserted`,
    params,
  );
  const row = res.rows[0];
  // Memory is authoritative only if it matched the table: a card that vanished is a failure.
  if (num(row?.changed) !== batch.cards.size)
    throw new Error(`card update touched ${String(row?.changed)} of ${batch.cards.size} rows`);
  const inserted = row?.inserted;
  const ids = Array.isArray(inserted)
    ? inserted
    : typeof inserted === 'string'
      ? parsePgTextArray(inserted)
      : [];
  for (const id of ids) batch.inserted.add(String(id));
}

/** `{a,b}` (ids are digits: no quoting) for a driver that returns text arrays unparsed. */
function parsePgTextArray(text: string): string[] {
  const inner = text.replace(/^\{|\}$/g, '');
  return inner === '' ? [] : inner.split(',').map((x) => x.replace(/^"|"$/g, ''));
}
