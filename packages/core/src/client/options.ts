import type { EncodingOptions } from '../codecs';
import type { Md5 } from '../hash';
import type { Transport } from '../net/transport';
import type { TokenVariant } from '../t3/token';

/** The T3-family endpoints the client can call; each has its own route code on the server. */
export const T3_ENDPOINTS = [
  'login',
  'heartbeat',
  'query',
  'unbind',
  'notice',
  'version',
  'checkUpdate',
  'kamiRecharge',
  'ipUnbind',
  'disable',
  'getKamiCore',
  'modifyCore',
  'heartbeatAny',
  'onlineKami',
  'appSign',
  'register',
  'userLogin',
  'userHeartbeat',
  'changePassword',
  'userCancel',
  'recharge',
  'getUserCore',
  'onlineUser',
  'getVariable',
  'modifyVariable',
  'cloudDoc',
] as const;
export type T3Endpoint = (typeof T3_ENDPOINTS)[number];

export interface PotatoOptions {
  /** Base URL(s) of the potatocloud API; defaults to `baseUrl`. */
  baseUrl?: string | string[];
  /** The app's `askKey`. */
  askKey: string;
  /** A user token, if you already have one. */
  apiUserToken?: string;
  /** Or the reseller account, to log in (and log in again when the token expires). */
  userNumber?: string;
  passWord?: string;
  /** The app's signing secret, when its potato sign check is on. */
  signSecret?: string;
}

export interface VerifyOptions {
  /** One base URL, or several to fail over between (first is preferred). */
  baseUrl: string | readonly string[];
  /** The app's APPKEY; signs requests and verifies tokens. Never sent. */
  appKey: string;
  /**
   * Where each endpoint lives: a 16-hex 调用码 (`'813B2676E9690C89'` → `POST /813B2676E9690C89`)
   * or a path starting with `/`.
   */
  routes: Partial<Record<T3Endpoint, string>>;
  /** Value encoding of the app. Default `{ mode: 'plain' }`. */
  encoding?: EncodingOptions;
  /** Injected by the platform wrapper. */
  md5: Md5;
  /** Injected by the platform wrapper. */
  transport: Transport;
  /** Per-attempt timeout. Default 10 000 ms (the official Python SDK's). */
  timeoutMs?: number;
  /** Retries of idempotent calls after every host failed transiently. Default 2. Logins never retry. */
  maxRetries?: number;
  /** Largest allowed |reply time − local time| in seconds. Default 5. `Infinity` disables. */
  maxClockSkewSeconds?: number;
  /** Token formula to accept. Default `'auto'` (either; both need the APPKEY). `false` skips token checks. */
  verifyToken?: TokenVariant | false;
  /** The app's success code. Default 200 (`"200"` and `200` both accepted). */
  successCode?: string | number;
  /** Cancels every call of this client. Per-call signals can be passed too. */
  signal?: AbortSignal;
  /** The local clock in ms. Default `Date.now`. */
  now?: () => number;
  /** The safe_code nonce for each login. Default: 16 random hex characters. */
  createSafeCode?: () => string;
  /** potatocloud credentials for `createCardMy` / `getCardMyList`. */
  potato?: PotatoOptions;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export const DEFAULTS = {
  timeoutMs: 10_000,
  maxRetries: 2,
  maxClockSkewSeconds: 5,
  successCode: 200,
} as const;
