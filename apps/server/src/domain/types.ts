// The contract between the HTTP layer (src/http, src/cli, src/testing) and the domain + store
// layer (src/domain, src/store). The HTTP layer parses, decodes, checks timestamps and signatures
// and encodes replies; the domain layer owns every card rule and every state change.
import type { PotatoCard, T3MessageCode } from '@kami-verify/core';
import type { AppConfig, CardKind } from '../schema/config';
import type { AppSettings, T3RouteName } from '../schema/settings';
import type { AttemptStore } from '../store/attempts';
import type { CardRecord } from '../store/records';
import type { DatabaseSpec } from '../store/spec';
import type { UserRecord } from '../store/user-records';
import type { AdminService } from './admin';
import type { UserLoginBody } from './rules/account';

export type { AppConfig, CardKind } from '../schema/config';
// Settings, app definitions and card kinds are defined once, as schemas (src/schema); the store
// spec belongs to the store. Re-exported here so domain code keeps one import.
export { type AppSettings, T3_ROUTE_NAMES, type T3RouteName } from '../schema/settings';
export type { CardRecord } from '../store/records';
export type { DatabaseSpec } from '../store/spec';
export type { UserRecord, UserSessionRecord } from '../store/user-records';

/** One app as the server knows it. */
export interface AppRecord {
  /** Snowflake id, string. */
  id: string;
  name: string;
  /** Secret; signs requests and tokens. Never logged. */
  appKey: string;
  /** potatocloud app token. */
  askKey: string;
  /** 调用码 per endpoint: 16 uppercase hex, unique across the server. */
  routes: Record<T3RouteName, string>;
  settings: AppSettings;
  /** Where the app is defined: the config file (default) or the admin API (stored only). */
  origin?: 'config' | 'admin';
  /** Keys replaced by a rotation, still accepted until `until` (ms); then only the new ones. */
  previous?: {
    appKey?: { key: string; until: number } | undefined;
    askKey?: { key: string; until: number } | undefined;
  };
}

export type Fail = { ok: false; error: T3MessageCode };

/**
 * Who a card-family call acts for: a card, or (t3sdk's *_user variants) an account by user name
 * and password.
 */
export type Credential = { kami: string } | { user: string; pass: string };

/** The success fields of a login reply, in the seed's order (code and safe_code added by HTTP). */
export interface LoginBody {
  id: number | string;
  end_time: string;
  amount: string;
  available: number;
  token: string;
  statecode: string;
  time: number;
  date: string;
  imei: string;
  change: number;
  core: string;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The domain service. All times come from the injected clock. */
export interface KamiService {
  /**
   * Failed-attempt counters shared by every server process (PostgreSQL); undefined when this
   * process is the only one. The HTTP throttle uses them.
   */
  readonly sharedAttempts?: AttemptStore | undefined;

  // --- apps ------------------------------------------------------------------------------
  /** Looks up the app and endpoint by 调用码 (cached in memory; apps change rarely). */
  resolveRoute(code: string): { app: AppRecord; route: T3RouteName } | undefined;
  resolveAskKey(askKey: string): AppRecord | undefined;
  listApps(): AppRecord[];

  // --- T3 family -------------------------------------------------------------------------
  /**
   * Card login with every card rule: 卡密不存在, 卡密被禁用, 卡密禁止登录, 请在原设备登录,
   * 请在原IP登录 / 请在原省内登录 / 请在市内登录, 卡密已到期, 卡密使用次数已达上限. First binding,
   * activation, count-card use and session creation are atomic (concurrent logins never
   * double-bind or over-use). `signText`: the verified request's, hashed into the token as
   * loginToken says; `region`: the address's region when the app binds by region.
   */
  login(input: {
    app: AppRecord;
    kami: string;
    imei: string;
    ip: string;
    region?: string;
    signText?: string;
  }): Promise<{ ok: true; body: LoginBody } | Fail>;
  /** Renews a live statecode (状态码不存在 when unknown/expired/kicked; card errors when the card went bad). */
  heartbeat(input: {
    app: AppRecord;
    statecode: string;
    kami?: string;
  }): Promise<{ ok: true; time: number; date: string } | Fail>;
  query(input: { app: AppRecord; kami: string }): Promise<{ ok: true; body: Record<string, unknown> } | Fail>;
  /** Clears the bound device (and IP), increments `change`, ends the card's sessions. */
  unbind(input: { app: AppRecord; imei: string } & Credential): Promise<{ ok: true; change: number } | Fail>;

  // --- T3 account family (账号模式) -----------------------------------------------------------
  /** 账号已存在, or a new account with no time (it buys time by recharge). */
  registerUser(input: {
    app: AppRecord;
    user: string;
    pass: string;
    email: string;
    ip: string;
  }): Promise<{ ok: true } | Fail>;
  /**
   * Account login: 账号或密码错误 (the same for an unknown account), then the account rules of
   * decideUserLogin; binding, a count use and the session are atomic.
   */
  userLogin(input: {
    app: AppRecord;
    user: string;
    pass: string;
    imei: string;
    ip: string;
    region?: string;
    signText?: string;
  }): Promise<{ ok: true; body: UserLoginBody } | Fail>;
  /** Renews an account's live statecode (`user` null: any account of the app, heartbeat_any). */
  userHeartbeat(input: {
    app: AppRecord;
    user: string | null;
    statecode: string;
  }): Promise<{ ok: true; time: number; date: string } | Fail>;
  /** Recharges a card into an account; the card is consumed atomically, at most once. */
  recharge(input: { app: AppRecord; user: string; card: string }): Promise<{ ok: true } | Fail>;
  changePassword(input: {
    app: AppRecord;
    user: string;
    oldpass: string;
    newpass: string;
  }): Promise<{ ok: true } | Fail>;
  /** Deletes the account (its sessions end). */
  cancelUser(input: { app: AppRecord; user: string; pass: string }): Promise<{ ok: true } | Fail>;
  /** The account's core data (or the app's), after the password. */
  userCore(input: { app: AppRecord; user: string; pass: string }): Promise<{ ok: true; core: string } | Fail>;
  /** Accounts of the app with a live session. */
  onlineUsers(input: { app: AppRecord }): Promise<number>;
  /** Test/admin: the account as stored. */
  getUser(input: { app: AppRecord; user: string }): Promise<UserRecord | undefined>;
  /** Test/admin: disables or enables an account (账号被禁用). */
  setUserDisabled(input: { app: AppRecord; user: string; disabled: boolean }): Promise<boolean>;
  /**
   * 以卡充卡: adds the source card's term to the target and uses the source up, atomically over
   * both cards (a source is consumed at most once however many recharges race for it).
   */
  kamiRecharge(input: { app: AppRecord; target: string; source: string }): Promise<{ ok: true } | Fail>;
  /** Clears the card's (or account's) bound IP or region. */
  ipUnbind(input: { app: AppRecord } & Credential): Promise<{ ok: true } | Fail>;
  /** The client disables its own card (or account); its sessions end. */
  disableCard(input: { app: AppRecord } & Credential): Promise<{ ok: true } | Fail>;
  getCore(input: { app: AppRecord; kami: string }): Promise<{ ok: true; core: string } | Fail>;
  modifyCore(input: { app: AppRecord; core: string } & Credential): Promise<{ ok: true } | Fail>;
  /**
   * 云变量: the variable's value (the client-written one, else the configured one), for a valid
   * card or an account with a term left.
   */
  getVariable(
    input: { app: AppRecord; values: ReadonlyMap<string, string> } & Credential,
  ): Promise<{ ok: true; value: string } | Fail>;
  /** Writes a client-writable variable, for a valid card or an account with a term left. */
  modifyVariable(
    input: { app: AppRecord; values: ReadonlyMap<string, string> } & Credential,
  ): Promise<{ ok: true } | Fail>;
  /** Live card sessions of the app. */
  onlineCards(input: { app: AppRecord }): Promise<number>;
  /**
   * 统一心跳: renews a statecode of any session kind. Card sessions today; account sessions are
   * looked up here too once the account family is served (the seam: try cards, then accounts).
   */
  heartbeatAny(input: {
    app: AppRecord;
    statecode: string;
  }): Promise<{ ok: true; time: number; date: string } | Fail>;

  // --- potatocloud family ----------------------------------------------------------------
  /** `/api/login`: a new apiUserToken for a configured potato user of this app. */
  potatoLogin(input: {
    app: AppRecord;
    userNumber: string;
    passWord: string;
  }): Promise<{ ok: true; apiUserToken: string; expiresAt: number } | { ok: false }>;
  /** The user id behind a live token of this app, or undefined. */
  resolveUserToken(input: { app: AppRecord; token: string }): Promise<string | undefined>;

  /**
   * With the app's replayProtection: whether a verified request signature `s` was already used
   * while a request carrying it could still pass the timestamp check. Records it otherwise.
   */
  isReplayed(input: { app: AppRecord; signature: string }): Promise<boolean>;
  createCards(input: { app: AppRecord; type: number; total: number; ip: string }): Promise<PotatoCard[]>;
  listCards(input: {
    app: AppRecord;
    page: number;
    size: number;
    cardStr?: string;
    state?: number;
    type?: number;
  }): Promise<{ list: PotatoCard[]; total: number }>;

  /** The operator surface (admin API); absent on services built without it. */
  readonly admin?: AdminService;

  // --- testing / admin -------------------------------------------------------------------
  mintCard(input: { app: AppRecord; card: CardKind; cardStr?: string; core?: string }): Promise<CardRecord>;
  /** Fast path for bulk generation (benchmarks, seeding): one multi-row insert per batch. */
  bulkCreateCards(input: { app: AppRecord; type: number; count: number; ip?: string }): Promise<number>;
  getCard(input: { app: AppRecord; cardStr: string }): Promise<CardRecord | undefined>;
  setCardDisabled(input: { app: AppRecord; cardStr: string; disabled: boolean }): Promise<boolean>;
  deleteCard(input: { app: AppRecord; cardStr: string }): Promise<boolean>;
  /** Ends every session of the card (its statecodes then get 状态码不存在). */
  kickSessions(input: { app: AppRecord; cardStr: string }): Promise<number>;
}

export interface ServiceOptions {
  db: DatabaseSpec;
  clock: Clock;
  apps: AppConfig[];
  /** Lifetime of a potato apiUserToken. Default 7200 s. */
  userTokenTtlSeconds?: number;
}

/**
 * Implemented in src/domain/index.ts:
 *   export function createKamiService(options: ServiceOptions): Promise<KamiService & { close(): Promise<void> }>
 * Runs migrations, upserts the configured apps, users and cards, and warms the route cache.
 */
export type CreateKamiService = (
  options: ServiceOptions,
) => Promise<KamiService & { close(): Promise<void> }>;
