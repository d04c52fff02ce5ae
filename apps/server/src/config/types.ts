// The declarative server configuration: what a JSON config file holds, and what
// `startServer({ config })` accepts directly.
import type { AppConfig } from '../domain/types';

export interface ThrottleConfig {
  /** Failed logins (T3 login + potato /api/login) allowed per IP within the window. Default 10. */
  maxFailures: number;
  /** Window length in seconds. Default 60. */
  windowSeconds: number;
}

export interface ServerSection {
  /** Browser origins allowed to call the API (`"*"` allows any). Default: none (no CORS headers). */
  cors?: { origins: string[] };
  /** Failed-login throttling per client IP; `false` turns it off. */
  throttle?: Partial<ThrottleConfig> | false;
  /** Largest accepted request body, bytes. Default 65 536. */
  bodyLimit?: number;
  /**
   * Express "trust proxy" setting. Default false: the client IP is the socket address, so a
   * client cannot spoof `X-Forwarded-For`. Set it (e.g. `1` or `"loopback"`) behind a proxy.
   */
  trustProxy?: boolean | number | string;
  /** The `code` of T3 error replies. Default 201 (the hosted service's "not 200"). */
  t3ErrorCode?: number;
  /** Lifetime of a potato apiUserToken, seconds. Default 7200. */
  userTokenTtlSeconds?: number;
}

export interface ServerConfig {
  apps: AppConfig[];
  server?: ServerSection;
}

/** The server section with every default filled in. */
export interface ResolvedServerSection {
  corsOrigins: string[];
  throttle: ThrottleConfig | false;
  bodyLimit: number;
  trustProxy: boolean | number | string;
  t3ErrorCode: number;
  userTokenTtlSeconds: number;
}

export const SERVER_DEFAULTS: ResolvedServerSection = {
  corsOrigins: [],
  throttle: { maxFailures: 10, windowSeconds: 60 },
  bodyLimit: 64 * 1024,
  trustProxy: false,
  t3ErrorCode: 201,
  userTokenTtlSeconds: 7200,
};

export function resolveServerSection(section: ServerSection | undefined): ResolvedServerSection {
  const s = section ?? {};
  return {
    corsOrigins: s.cors?.origins ?? SERVER_DEFAULTS.corsOrigins,
    throttle:
      s.throttle === false
        ? false
        : { ...(SERVER_DEFAULTS.throttle as ThrottleConfig), ...(s.throttle ?? {}) },
    bodyLimit: s.bodyLimit ?? SERVER_DEFAULTS.bodyLimit,
    trustProxy: s.trustProxy ?? SERVER_DEFAULTS.trustProxy,
    t3ErrorCode: s.t3ErrorCode ?? SERVER_DEFAULTS.t3ErrorCode,
    userTokenTtlSeconds: s.userTokenTtlSeconds ?? SERVER_DEFAULTS.userTokenTtlSeconds,
  };
}
