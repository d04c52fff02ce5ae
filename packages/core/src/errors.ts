import {
  type PotatoMessageCode,
  potatoCodeForMessage,
  type T3MessageCode,
  t3CodeForMessage,
} from './messages';

/** Every stable machine code a Kami Verify error can carry. */
export type KamiErrorCode =
  | T3MessageCode
  | PotatoMessageCode
  | 'PERMISSION_DENIED'
  | 'SERVER_ERROR'
  | 'UNKNOWN_SERVER_ERROR'
  | 'NETWORK_ERROR'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'HTTP_ERROR'
  | 'RESPONSE_DECODE_FAILED'
  | 'RESPONSE_INVALID_JSON'
  | 'RESPONSE_MISSING_FIELD'
  | 'TOKEN_MISMATCH'
  | 'STATECODE_MISMATCH'
  | 'SAFE_CODE_MISMATCH'
  | 'CLOCK_SKEW'
  | 'INVALID_ARGUMENT'
  | 'NOT_ALLOWED_IN_BROWSER';

// A brand shared through the global symbol registry, so `isInstance` works even when two
// copies of this package end up in one bundle (where `instanceof` would fail). Each class names
// itself in a static `kind` string (not `constructor.name`, which minifiers rename); an
// instance carries the kinds of its whole class chain.
const BRAND = Symbol.for('kami-verify.error');

// Instance fields are `declare`d and assigned in the constructors, and `name` comes from `kind`:
// no per-class field initialisers, which every page bundling the client would pay for.
type ErrorOptions = { cause?: unknown };
type KamiErrorClass = { kind: string; prototype: KamiError };

export class KamiError extends Error {
  static readonly kind: string = 'KamiError';
  declare readonly code: KamiErrorCode;

  constructor(code: KamiErrorCode, message: string, options?: ErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    const kinds: string[] = [];
    for (let c: unknown = new.target; typeof c === 'function' && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.hasOwn(c, 'kind')) kinds.push((c as unknown as KamiErrorClass).kind);
    }
    Object.defineProperty(this, BRAND, { value: kinds });
    // `name` is the nearest class's kind: `KamiApiError`, or a parent's for a subclass without one.
    this.name = kinds[0]!;
    this.code = code;
  }

  /** `instanceof` that also recognises errors from another copy of this package. */
  static isInstance<T extends KamiErrorClass>(this: T, value: unknown): value is T['prototype'] {
    if (typeof value !== 'object' || value === null) return false;
    const kinds = (value as Record<symbol, unknown>)[BRAND];
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass the guard was called on.
    return Array.isArray(kinds) && kinds.includes(this.kind);
  }
}

/** The server answered with an error (a documented message, or one we don't know). */
export class KamiApiError extends KamiError {
  static override readonly kind: string = 'KamiApiError';
  /** The server's original message, untouched (e.g. `卡密已到期`). */
  declare readonly serverMessage: string;
  /** The `code` field of the body as sent (`"201"`, `403`, ...), if there was one. */
  declare readonly serverCode: string | number | undefined;
  declare readonly httpStatus: number;

  constructor(
    code: KamiErrorCode,
    serverMessage: string,
    details: { serverCode?: string | number | undefined; httpStatus: number },
    options?: ErrorOptions,
  ) {
    super(code, serverMessage || code, options);
    this.serverMessage = serverMessage;
    this.serverCode = details.serverCode;
    this.httpStatus = details.httpStatus;
  }
}

/** HTTP 429 from the server's throttle; `retryAfterMs` comes from `Retry-After`. */
export class KamiRateLimitError extends KamiApiError {
  static override readonly kind: string = 'KamiRateLimitError';
  declare readonly retryAfterMs: number | undefined;

  constructor(
    serverMessage: string,
    details: {
      serverCode?: string | number | undefined;
      httpStatus: number;
      retryAfterMs?: number | undefined;
    },
  ) {
    super('RATE_LIMITED', serverMessage, details);
    this.retryAfterMs = details.retryAfterMs;
  }
}

/**
 * No usable answer arrived. `phase: 'connect'` means the request provably never reached a
 * server (refused, DNS, connect timeout), so even a login may be resent elsewhere.
 */
export class KamiConnectionError extends KamiError {
  static override readonly kind: string = 'KamiConnectionError';
  declare readonly phase: 'connect' | 'unknown';

  constructor(
    message: string,
    options?: ErrorOptions & { phase?: 'connect' | 'unknown'; code?: 'NETWORK_ERROR' | 'TIMEOUT' },
  ) {
    super(options?.code ?? 'NETWORK_ERROR', message, options);
    this.phase = options?.phase ?? 'unknown';
  }
}

export class KamiTimeoutError extends KamiConnectionError {
  static override readonly kind: string = 'KamiTimeoutError';

  constructor(message: string, options?: ErrorOptions & { phase?: 'connect' | 'unknown' }) {
    super(message, { ...options, code: 'TIMEOUT' });
  }
}

/** The caller's `AbortSignal` fired. */
export class KamiAbortError extends KamiError {
  static override readonly kind: string = 'KamiAbortError';
  constructor(options?: ErrorOptions) {
    super('ABORTED', 'the request was aborted', options);
  }
}

/** An answer arrived but could not be used: bad HTTP status, undecodable, not JSON, fields missing. */
export class KamiResponseError extends KamiError {
  static override readonly kind: string = 'KamiResponseError';
  declare readonly httpStatus: number | undefined;
  declare readonly body: string | undefined;

  constructor(
    code: 'HTTP_ERROR' | 'RESPONSE_DECODE_FAILED' | 'RESPONSE_INVALID_JSON' | 'RESPONSE_MISSING_FIELD',
    message: string,
    details?: { httpStatus?: number; body?: string } & ErrorOptions,
  ) {
    super(code, message, details);
    this.httpStatus = details?.httpStatus;
    // Keep a bounded excerpt only: bodies may be large, and they never hold our secrets.
    this.body = details?.body === undefined ? undefined : details.body.slice(0, 512);
  }
}

/** The answer decoded fine but failed the client-side checks (token, statecode, clock, safe_code). */
export class KamiVerificationError extends KamiError {
  static override readonly kind: string = 'KamiVerificationError';
  constructor(
    code: 'TOKEN_MISMATCH' | 'STATECODE_MISMATCH' | 'SAFE_CODE_MISMATCH' | 'CLOCK_SKEW',
    message: string,
  ) {
    super(code, message);
  }
}

/** The caller passed something the protocol cannot carry; raised before any I/O. */
export class KamiValidationError extends KamiError {
  static override readonly kind: string = 'KamiValidationError';
  declare readonly field: string;
  constructor(
    field: string,
    message: string,
    code: 'INVALID_ARGUMENT' | 'NOT_ALLOWED_IN_BROWSER' = 'INVALID_ARGUMENT',
  ) {
    super(code, message);
    this.field = field;
  }
}

/** What the transport knows of an error reply: the body's `code`, the HTTP status, `Retry-After`. */
export interface ApiErrorDetails {
  serverCode?: string | number | undefined;
  httpStatus: number;
  retryAfterMs?: number | undefined;
}

/** Builds the typed error for a T3-family error body (`{code, msg}`). */
export function t3ErrorFromMessage(message: string, details: ApiErrorDetails): KamiApiError {
  return t3ErrorForCode(t3CodeForMessage(message), message, details);
}

/**
 * {@link t3ErrorFromMessage} for a message already looked up: `code` is its machine code, or
 * `undefined` for a text the caller's table does not hold (→ `UNKNOWN_SERVER_ERROR`, text kept).
 */
export function t3ErrorForCode(
  code: T3MessageCode | undefined,
  message: string,
  details: ApiErrorDetails,
): KamiApiError {
  if (code === 'RATE_LIMITED' || details.httpStatus === 429) return new KamiRateLimitError(message, details);
  return new KamiApiError(code ?? 'UNKNOWN_SERVER_ERROR', message, details);
}

/** Builds the typed error for a potatocloud envelope whose `code` is not 200. */
export function potatoErrorFromEnvelope(message: string, details: ApiErrorDetails): KamiApiError {
  const known = potatoCodeForMessage(message);
  if (known === 'RATE_LIMITED' || details.httpStatus === 429) return new KamiRateLimitError(message, details);
  const numeric = Number(details.serverCode);
  const fallback: KamiErrorCode =
    numeric === 403
      ? 'PERMISSION_DENIED'
      : numeric === 203
        ? 'NO_DATA'
        : numeric === 500
          ? 'SERVER_ERROR'
          : 'UNKNOWN_SERVER_ERROR';
  const code: KamiErrorCode = known ?? fallback;
  return new KamiApiError(code, message, details);
}
