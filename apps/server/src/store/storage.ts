// The storage port: what the domain service needs from a storage engine, and nothing more. Two
// adapters implement it: PostgreSQL (transactions with row locks; several server processes may
// share the database) and the embedded store (PGlite, one process: authoritative memory with
// group commit). The service decides every rule; an adapter only reads, locks and writes.
import type { AttemptStore } from './attempts';
import type { CardRecord } from './records';
import type { AdminCard, AdminCardQuery, AdminCardState, AdminRecords, ImportedCard } from './sql/admin';
import type { Database } from './types';
import type { UserRecord, UserSessionRecord } from './user-records';

export type { UserRecord, UserSessionRecord } from './user-records';

export interface SessionRecord {
  statecode: string;
  cardId: string;
  appId: string;
  imei: string;
  /** ms */
  expiresAt: number;
  /** ms */
  createdAt: number;
  /** sha-256 hex of the login token the session was opened with (cloud_doc); absent on older rows. */
  tokenHash?: string | undefined;
}

/**
 * A session found by its login token's hash, with its card or account as last committed; the
 * domain decides whether it is live and usable.
 */
export type TokenSession =
  | { kind: 'card'; session: SessionRecord; card: CardRecord | undefined }
  | { kind: 'user'; session: UserSessionRecord; user: UserRecord };

/** What a decision changes about one card. */
export interface CardChange {
  /** The card's new state. Durable before the reply. */
  card?: CardRecord;
  /** End every session of the card. Durable before the reply. */
  endSessions?: boolean;
  /**
   * Start (or renew) this session. With no card change beside it, an adapter may write it
   * behind (the embedded store does, within a second): losing it costs the client a re-login.
   */
  session?: SessionRecord;
  /** With `session`: the card keeps at most this many live sessions, the newest (the oldest end). */
  sessionLimit?: number;
}

export interface Decision<T> {
  value: T;
  change?: CardChange;
}

/** A card to insert, every column decided by the domain. */
export interface NewCard {
  id: string;
  appId: string;
  cardStr: string;
  kind: CardRecord['kind'];
  type: number | null;
  durationSeconds: number | null;
  uses: number | null;
  core: string;
  createdIp: string;
  nowMs: number;
  /** Operator labels (admin bulk creation); '' when absent. */
  remark?: string;
  batch?: string;
}

export interface CardListQuery {
  appId: string;
  offset: number;
  limit: number;
  cardStr?: string | undefined;
  type?: number | undefined;
  /** Only cards in this potatocloud state at `nowSeconds`. */
  potatoState?: number | undefined;
  nowSeconds: number;
}

export interface UserTokenRecord {
  token: string;
  userId: string;
  appId: string;
  expiresAt: number;
  createdAt: number;
}

/** What a decision over several cards changes (kami_recharge): their new states, all or none. */
export interface CardsDecision<T> {
  value: T;
  cards?: CardRecord[];
}

/** A heartbeat's renewal; `refusal` is the domain's heartbeat rule (the store only applies it). */
export interface RenewSession<Refusal> {
  appId: string;
  statecode: string;
  kami: string | null;
  nowMs: number;
  expiresAt: number;
  refusal: (session: { expiresAt: number } | undefined, card: CardRecord | undefined) => Refusal | undefined;
}

/** What a decision changes about one app user (账号模式). Written before the reply. */
export interface UserChange {
  /** The account's new state. */
  user?: UserRecord;
  /** Delete the account (user_cancel); its sessions go with it. */
  deleteUser?: boolean;
  /** End every session of the account. */
  endSessions?: boolean;
  /** Start (or renew) this session. */
  session?: UserSessionRecord;
  /** With `session`: the account keeps at most this many sessions, the newest. */
  sessionLimit?: number;
}

export interface UserDecision<T> {
  value: T;
  change?: UserChange;
}

/** A recharge decision: the account's and the consumed card's new states. */
export interface RechargeDecision<T> {
  value: T;
  change?: { user: UserRecord; card: CardRecord };
}

export interface Storage {
  /**
   * Atomic read–decide–write of one card: no other change of the card interleaves between the
   * read `decide` sees and the write of its change (a row lock in PostgreSQL, one synchronous
   * turn in the embedded cache). `decide` is pure and may run more than once. The value is
   * returned once its durable changes are.
   */
  withCard<T>(
    appId: string,
    cardStr: string,
    decide: (card: CardRecord | undefined) => Decision<T>,
  ): Promise<T>;
  /**
   * Atomic read–decide–write of several cards of one app (kami_recharge: target and source):
   * no other change of any of them interleaves, and the new states are written together or not
   * at all. `decide` gets the cards in the order of `cardStrs` and may run more than once.
   */
  withCards<T>(
    appId: string,
    cardStrs: readonly string[],
    decide: (cards: Array<CardRecord | undefined>) => CardsDecision<T>,
  ): Promise<T>;
  /** A client-written value of a cloud variable (undefined: never written). */
  readVariable(appId: string, valueid: string): Promise<string | undefined>;
  writeVariable(appId: string, valueid: string, value: string, nowMs: number): Promise<void>;
  /** Live (unexpired at `nowMs`) sessions of the app's cards. */
  countLiveSessions(appId: string, nowMs: number): Promise<number>;
  /** The card's live sessions at `nowMs`: how many, and the latest expiry (null when none). */
  cardSessions(cardId: string, nowMs: number): Promise<{ live: number; lastExpiresAt: number | null }>;
  /** The card as last committed (never a state that may still be rolled back). */
  readCard(appId: string, cardStr: string): Promise<CardRecord | undefined>;
  /**
   * Renews a live session to `expiresAt` unless `refusal` (the heartbeat rule) refuses it and its
   * card; returns that refusal. `kami` (when not null) must be the session's card.
   */
  renewSession<Refusal>(input: RenewSession<Refusal>): Promise<Refusal | undefined>;
  /**
   * The session of the app opened with a login token of this sha-256 hex, the one that lives the
   * longest (expired ones included: the domain decides); card sessions first, then accounts'.
   */
  findSessionByToken(appId: string, tokenHash: string): Promise<TokenSession | undefined>;
  /** Ends every session of the card; returns how many ended. */
  endCardSessions(appId: string, cardStr: string): Promise<number>;
  /** Inserts cards, skipping card strings that exist; returns the inserted ones in order. */
  insertCards(cards: NewCard[]): Promise<CardRecord[]>;
  /** Many unused cards in one transaction (all or none): `next(n)` gives the next n rows. */
  bulkInsertCards(count: number, next: (n: number) => NewCard[]): Promise<number>;
  listCards(query: CardListQuery): Promise<{ cards: CardRecord[]; total: number }>;

  findPotatoUser(appId: string, userNumber: string): Promise<{ id: string; passHash: string } | undefined>;
  saveUserToken(token: UserTokenRecord): Promise<void>;
  findUserToken(token: string): Promise<Omit<UserTokenRecord, 'token' | 'createdAt'> | undefined>;

  // --- app users (账号模式) -----------------------------------------------------------------
  /** Inserts a new account; false when the username is taken in the app. */
  insertUser(user: UserRecord): Promise<boolean>;
  /** The account as last committed. */
  readUser(appId: string, username: string): Promise<UserRecord | undefined>;
  /**
   * Atomic read–decide–write of one account (a transaction with the row locked). `decide` is
   * pure and may run more than once.
   */
  withUser<T>(
    appId: string,
    username: string,
    decide: (user: UserRecord | undefined) => UserDecision<T>,
  ): Promise<T>;
  /**
   * Atomic read–decide–write of an account and a card: `decide` sees both (and whether the card
   * was recharged before); its change writes the account, the consumed card and the recharge
   * record together or not at all. A card is recharged at most once, on both engines.
   */
  rechargeUser<T>(
    appId: string,
    username: string,
    cardStr: string,
    decide: (
      user: UserRecord | undefined,
      card: CardRecord | undefined,
      recharged: boolean,
    ) => RechargeDecision<T>,
  ): Promise<T>;
  /** Renews an account session unless `refusal` refuses it; returns that refusal. */
  renewUserSession<Refusal>(input: {
    appId: string;
    statecode: string;
    expiresAt: number;
    refusal: (found: { session: UserSessionRecord; user: UserRecord } | undefined) => Refusal | undefined;
  }): Promise<Refusal | undefined>;
  /** Accounts of the app with a live session. */
  countOnlineUsers(appId: string, nowMs: number): Promise<number>;

  /**
   * Records a request signature until `expiresAt`; false when it was already recorded and has
   * not expired (a replay). Shared across processes on PostgreSQL.
   */
  firstUseOfSignature(appId: string, signature: string, nowMs: number, expiresAt: number): Promise<boolean>;

  /**
   * Deletes at most `limit` expired sessions and expired user tokens, a bounded amount of work;
   * a caller that wants them all calls again while it returns `limit` sessions.
   */
  sweep(nowMs: number, limit: number): Promise<{ sessions: number; tokens: number }>;
  /**
   * Failed-attempt counters shared with other processes (PostgreSQL); undefined when this
   * process is the only one (embedded), where the throttle's own memory is authoritative.
   */
  readonly attempts?: AttemptStore | undefined;
  // --- operator surface (domain/admin.ts) ----------------------------------------------------
  /** Admin tokens, audit log and login counters: tables no adapter caches. */
  readonly admin: AdminRecords;
  /** A keyset page of cards with their labels, reflecting every acknowledged change. */
  adminCards(query: AdminCardQuery): Promise<AdminCard[]>;
  adminCard(appId: string, cardStr: string): Promise<AdminCard | undefined>;
  /** All or none: nothing is inserted when a card string exists already (`exists` names it). */
  importCards(appId: string, cards: ImportedCard[]): Promise<{ inserted: number } | { exists: string }>;
  countCards(appId: string, nowSeconds: number): Promise<Record<AdminCardState, number>>;
  listSessions(q: {
    appId: string;
    cardStr?: string | undefined;
    nowMs: number;
    limit: number;
  }): Promise<Array<SessionRecord & { cardStr: string }>>;
  countOnline(appId: string, nowMs: number): Promise<number>;
  cardsWithSessions(appId: string): Promise<string[]>;

  /** The database for admin tooling and tests; the embedded adapter keeps its memory consistent with it. */
  readonly database: Database;
  close(): Promise<void>;
}
