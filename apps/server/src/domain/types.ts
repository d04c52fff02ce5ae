// The contract between the HTTP layer (src/http, src/cli, src/testing) and the domain + store
// layer (src/domain, src/store). The HTTP layer parses, decodes, checks timestamps and signatures
// and encodes replies; the domain layer owns every card rule and every state change.
import type { EncodingOptions, PotatoCard, T3MessageCode } from '@kami-verify/core';

/** Endpoint names of the T3 family as configured per app (each has its own 调用码). */
export const T3_ROUTE_NAMES = [
  'login',
  'heartbeat',
  'query',
  'unbind',
  'notice',
  'version',
  'check_update',
] as const;
export type T3RouteName = (typeof T3_ROUTE_NAMES)[number];

/** Every per-app switch the docs describe. Defaults are in `defaultAppSettings()` (src/domain/settings.ts). */
export interface AppSettings {
  /** 程序未开启 when false. */
  enabled: boolean;
  /** 接口未开启 for an endpoint set to false. */
  endpoints: Record<T3RouteName, boolean>;
  /** 机器码不可为空 / 请在原设备登录; binds the card to the first machine code. Default true. */
  machineCodeCheck: boolean;
  /** 卡密禁止登录 for a card with no bound device. Default false. */
  forbidEmptyDevice: boolean;
  /** 时间戳参数不可为空 / 验证数据已失效,请重试. Default on, 60 s window. */
  timestampCheck: { enabled: boolean; windowSeconds: number };
  /** 签名参数不可为空 / 签名有误; 'two-way' also puts the sign text into the token. Default 'on'. */
  signatureCheck: 'off' | 'on' | 'two-way';
  /** `"code": "200"` or `"code": 200`. Default 'string'. */
  codeType: 'string' | 'int';
  /** Success code value. Default 200. */
  successCode: number;
  /** Value encoding; for 'rsa' the server config holds `privateKey` too. */
  encoding: EncodingOptions;
  /** 登录状态码有效期: a statecode lives this long after login / its last heartbeat. Default 600 s. */
  statecodeValiditySeconds: number;
  /** 请在原IP登录 when 'exact' and the IP differs from the bound one. Default 'off'. */
  ipBinding: 'off' | 'exact';
  /** Most unbinds per card (counts toward `change`). Default 3. */
  unbindLimit: number;
  /** The "API 生成卡密" switch for potatocloud `/api/createCardMy`. Default true. */
  apiCardCreation: boolean;
  /** potatocloud sign check (`sign = md5(signSecret + time)`); needs `potatoSignSecret`. Default false. */
  potatoSign: boolean;
  potatoSignSecret?: string;
  /** Allowed |time − now| for potato `time` (ms) when potatoSign is on. Default 300 000. */
  potatoSignWindowMs: number;
  /** Texts for notice / version / check_update. */
  notice: string;
  version: string;
  update: { version: string; uplog: string; upurl: string };
  /** Hex `core` data returned on login. */
  core: string;
}

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
}

/** How a card is limited. */
export type CardKind =
  | { kind: 'time'; type: 0 | 1 | 2 | 3 | 4 }
  | { kind: 'permanent' }
  | { kind: 'count'; uses: number };

export interface CardRecord {
  id: string;
  appId: string;
  cardStr: string;
  kind: CardKind['kind'];
  /** potatocloud type 0–5; null for count cards. */
  type: number | null;
  durationSeconds: number | null;
  usesTotal: number | null;
  usesLeft: number | null;
  /** 1 in use, 0 deleted. */
  status: 0 | 1;
  disabled: boolean;
  imei: string | null;
  boundIp: string | null;
  /** Unbinds so far. */
  change: number;
  core: string;
  createdIp: string;
  createdAt: number; // ms
  modifiedAt: number; // ms
  activatedAt: number | null; // unix seconds, first login
  expiresAt: number | null; // unix seconds; null until activated or for permanent/count
}

export type Fail = { ok: false; error: T3MessageCode };

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
  // --- apps ------------------------------------------------------------------------------
  /** Looks up the app and endpoint by 调用码 (cached in memory; apps change rarely). */
  resolveRoute(code: string): { app: AppRecord; route: T3RouteName } | undefined;
  resolveAskKey(askKey: string): AppRecord | undefined;
  listApps(): AppRecord[];

  // --- T3 family -------------------------------------------------------------------------
  /**
   * Card login with every card rule: 卡密不存在, 卡密被禁用, 卡密禁止登录, 请在原设备登录,
   * 请在原IP登录, 卡密已到期, 卡密使用次数已达上限. First binding, activation, count-card use and
   * session creation are atomic (concurrent logins never double-bind or over-use).
   * `signText` is passed for the two-way token variant.
   */
  login(input: {
    app: AppRecord;
    kami: string;
    imei: string;
    ip: string;
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
  unbind(input: { app: AppRecord; kami: string; imei: string }): Promise<{ ok: true; change: number } | Fail>;

  // --- potatocloud family ----------------------------------------------------------------
  /** `/api/login`: a new apiUserToken for a configured potato user of this app. */
  potatoLogin(input: {
    app: AppRecord;
    userNumber: string;
    passWord: string;
  }): Promise<{ ok: true; apiUserToken: string; expiresAt: number } | { ok: false }>;
  /** The user id behind a live token of this app, or undefined. */
  resolveUserToken(input: { app: AppRecord; token: string }): Promise<string | undefined>;
  createCards(input: { app: AppRecord; type: number; total: number; ip: string }): Promise<PotatoCard[]>;
  listCards(input: {
    app: AppRecord;
    page: number;
    size: number;
    cardStr?: string;
    state?: number;
    type?: number;
  }): Promise<{ list: PotatoCard[]; total: number }>;

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

/** A declarative app definition (config file, `startServer({ apps })`, the testing API). */
export interface AppConfig {
  /** Stable identity across restarts; apps are upserted by name. */
  name: string;
  /** Generated from a CSPRNG and persisted when omitted. */
  appKey?: string;
  askKey?: string;
  /** 调用码 per endpoint; generated (16 uppercase hex) and persisted when omitted. */
  routes?: Partial<Record<T3RouteName, string>>;
  settings?: Partial<Omit<AppSettings, 'endpoints' | 'timestampCheck' | 'update'>> & {
    endpoints?: Partial<AppSettings['endpoints']>;
    timestampCheck?: Partial<AppSettings['timestampCheck']>;
    update?: Partial<AppSettings['update']>;
  };
  /** potatocloud reseller accounts of this app. */
  potatoUsers?: Array<{ userNumber: string; passWord: string }>;
  /** Cards to preload (inserted if absent, by cardStr). */
  cards?: Array<{ cardStr: string; card: CardKind; core?: string; disabled?: boolean; imei?: string }>;
}

export type DatabaseSpec =
  | { kind: 'memory' }
  | { kind: 'file'; path: string }
  | { kind: 'postgres'; url: string };

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
