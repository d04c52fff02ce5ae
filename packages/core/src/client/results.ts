import type { PotatoCard } from '../potato/envelope';

export interface LoginResult {
  id: string | number;
  endTime: string;
  /** Duration text: `30天`, `永久卡`, `3次`. */
  amount: string;
  /** Seconds left (count cards: uses left − 1). */
  available: number;
  token: string;
  /** Send this with every heartbeat. */
  statecode: string;
  safeCode: string | undefined;
  /** Server unix seconds. */
  time: number;
  /** Server minute, `yyyyMMddHHmm` Beijing time. */
  date: string;
  imei: string;
  change: number;
  /** Core data, hex as sent. */
  core: string;
  recharge?: unknown;
  useTime?: unknown;
  /** The sign text of the request (for apps that verify tokens themselves). */
  signText: string;
  /** The decoded reply, untouched. */
  raw: Record<string, unknown>;
}

export interface HeartbeatResult {
  msg: string;
  time: number;
  date: string;
  raw: Record<string, unknown>;
}

export interface QueryResult {
  id: string | number | undefined;
  state: unknown;
  use: unknown;
  useTime: unknown;
  endTime: string | undefined;
  amount: string | undefined;
  available: number | undefined;
  /** Sessions of the card online now (`line`), when the server reports it. */
  line: number | undefined;
  /** When an online session was last seen (`line_time`, Beijing time; '' when none), when reported. */
  lineTime: string | undefined;
  raw: Record<string, unknown>;
}

export interface MessageResult {
  msg: string;
  raw: Record<string, unknown>;
}

export interface VersionResult {
  /** The version number (`msg`, what t3sdk reads). */
  version: string;
  /** The display name (`ver`), when the server sends one. */
  name?: string | undefined;
  raw: Record<string, unknown>;
}

export interface CoreResult {
  core: string;
  raw: Record<string, unknown>;
}

export interface CountResult {
  count: number;
  raw: Record<string, unknown>;
}

/** cloud_doc: the document text (`msg`), named as t3sdk's get_cloud_doc names it. */
export interface CloudDocResult {
  content: string;
  raw: Record<string, unknown>;
}

export interface AppSignResult {
  msg: string;
  autograph: string;
  time: number | undefined;
  raw: Record<string, unknown>;
}

export type CheckUpdateResult =
  | { latest: true; msg: string; raw: Record<string, unknown> }
  | { latest: false; version: string; uplog: string; upurl: string; raw: Record<string, unknown> };

export interface CardListResult {
  cards: PotatoCard[];
  total: number | undefined;
  raw: unknown;
}

export type { PotatoCard };

/** user_login (账号模式): the fields t3sdk reads, token and statecode verified. */
export interface UserLoginResult {
  id: string | number;
  endTime: string;
  token: string;
  statecode: string;
  time: number;
  date: string;
  /** Cards recharged into the account so far. */
  recharge: number;
  /** First login, `YYYY-MM-DD HH:mm:ss`. */
  useTime: string;
  /** Seconds left, or count uses left when the account logs in by uses. */
  available: number;
  imei: string;
  change: number;
  core: string;
  signText: string;
  raw: Record<string, unknown>;
}
