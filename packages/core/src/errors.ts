import { type PotatoMessageCode, type T3MessageCode, potatoCodeForMessage, t3CodeForMessage } from './messages';

/** Every stable machine code a Kami Verify error can carry. */
export type KamiErrorCode =
  | T3MessageCode
  | Exclude<PotatoMessageCode, 'SIGNATURE_REQUIRED' | 'SIGNATURE_INVALID' | 'BAD_REQUEST' | 'RATE_LIMITED'>
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
// copies of this package end up in one bundle (where `instanceof` would fail).
const BRAND = Symbol.for('kami-verify.error');

type ErrorOptions = { cause?: unknown };

export class KamiError extends Error {
  override name = 'KamiError';
  readonly code: KamiErrorCode;

  constructor(code: KamiErrorCode, message: string, options?: ErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    Object.defineProperty(this, BRAND, { value: this.constructor.name });
  }

  static isInstance(value: unknown): value is KamiError {
    return typeof value === 'object' && value !== null && BRAND in value;
  }
}

function brandIs(value: unknown, name: string): boolean {
  return KamiError.isInstance(value) && (value as unknown as Record<symbol, string>)[BRAND] === name;
}

/** The server answered with an error (a documented message, or one we don't know). */
export class KamiApiError extends KamiError {
  override name = 'KamiApiError';
  /** The server's original message, untouched (e.g. `卡密已到期`). */
  readonly serverMessage: string;
  /** The `code` field of the body as sent (`"201"`, `403`, ...), if there was one. */
  readonly serverCode: string | number | undefined;
  readonly httpStatus: number;

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

  static override isInstance(value: unknown): value is KamiApiError {
    return brandIs(value, 'KamiApiError') || brandIs(value, 'KamiRateLimitError');
  }
}

/** HTTP 429 from the server's throttle; `retryAfterMs` comes from `Retry-After`. */
export class KamiRateLimitError extends KamiApiError {
  override name = 'KamiRateLimitError';
  readonly retryAfterMs: number | undefined;

  constructor(
    serverMessage: string,
    details: { serverCode?: string | number | undefined; httpStatus: number; retryAfterMs?: number | undefined },
  ) {
    super('RATE_LIMITED', serverMessage, details);
    this.retryAfterMs = details.retryAfterMs;
  }

  static override isInstance(value: unknown): value is KamiRateLimitError {
    return brandIs(value, 'KamiRateLimitError');
  }
}

/**
 * No usable answer arrived. `phase: 'connect'` means the request provably never reached a
 * server (refused, DNS, connect timeout), so even a login may be resent elsewhere.
 */
export class KamiConnectionError extends KamiError {
  override name = 'KamiConnectionError';
  readonly phase: 'connect' | 'unknown';

  constructor(message: string, options?: ErrorOptions & { phase?: 'connect' | 'unknown'; code?: 'NETWORK_ERROR' | 'TIMEOUT' }) {
    super(options?.code ?? 'NETWORK_ERROR', message, options);
    this.phase = options?.phase ?? 'unknown';
  }

  static override isInstance(value: unknown): value is KamiConnectionError {
    return brandIs(value, 'KamiConnectionError') || brandIs(value, 'KamiTimeoutError');
  }
}

export class KamiTimeoutError extends KamiConnectionError {
  override name = 'KamiTimeoutError';

  constructor(message: string, options?: ErrorOptions & { phase?: 'connect' | 'unknown' }) {
    super(message, { ...options, code: 'TIMEOUT' });
  }

  static override isInstance(value: unknown): value is KamiTimeoutError {
    return brandIs(value, 'KamiTimeoutError');
  }
}

/** The caller's `AbortSignal` fired. */
export class KamiAbortError extends KamiError {
  override name = 'KamiAbortError';
  constructor(options?: ErrorOptions) {
    super('ABORTED', 'the request was aborted', options);
  }
  static override isInstance(value: unknown): value is KamiAbortError {
    return brandIs(value, 'KamiAbortError');
  }
}

/** An answer arrived but could not be used: bad HTTP status, undecodable, not JSON, fields missing. */
export class KamiResponseError extends KamiError {
  override name = 'KamiResponseError';
  readonly httpStatus: number | undefined;
  readonly body: string | undefined;

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

  static override isInstance(value: unknown): value is KamiResponseError {
    return brandIs(value, 'KamiResponseError');
  }
}

/** The answer decoded fine but failed the client-side checks (token, statecode, clock, safe_code). */
export class KamiVerificationError extends KamiError {
  override name = 'KamiVerificationError';
  constructor(
    code: 'TOKEN_MISMATCH' | 'STATECODE_MISMATCH' | 'SAFE_CODE_MISMATCH' | 'CLOCK_SKEW',
    message: string,
  ) {
    super(code, message);
  }
  static override isInstance(value: unknown): value is KamiVerificationError {
    return brandIs(value, 'KamiVerificationError');
  }
}

/** The caller passed something the protocol cannot carry; raised before any I/O. */
export class KamiValidationError extends KamiError {
  override name = 'KamiValidationError';
  readonly field: string;
  constructor(field: string, message: string, code: 'INVALID_ARGUMENT' | 'NOT_ALLOWED_IN_BROWSER' = 'INVALID_ARGUMENT') {
    super(code, message);
    this.field = field;
  }
  static override isInstance(value: unknown): value is KamiValidationError {
    return brandIs(value, 'KamiValidationError');
  }
}

/** Builds the typed error for a T3-family error body (`{code, msg}`). */
export function t3ErrorFromMessage(
  message: string,
  details: { serverCode?: string | number | undefined; httpStatus: number; retryAfterMs?: number | undefined },
): KamiApiError {
  const code = t3CodeForMessage(message);
  if (code === 'RATE_LIMITED' || details.httpStatus === 429) return new KamiRateLimitError(message, details);
  return new KamiApiError(code ?? 'UNKNOWN_SERVER_ERROR', message, details);
}

/** Builds the typed error for a potatocloud envelope whose `code` is not 200. */
export function potatoErrorFromEnvelope(
  message: string,
  details: { serverCode?: string | number | undefined; httpStatus: number; retryAfterMs?: number | undefined },
): KamiApiError {
  const known = potatoCodeForMessage(message);
  if (known === 'RATE_LIMITED' || details.httpStatus === 429) return new KamiRateLimitError(message, details);
  const numeric = Number(details.serverCode);
  let code: KamiErrorCode;
  switch (known) {
    case 'SIGNATURE_REQUIRED':
    case 'SIGNATURE_INVALID':
      code = known;
      break;
    case 'BAD_REQUEST':
      code = 'INVALID_ARGUMENT';
      break;
    case undefined:
      code = numeric === 403 ? 'PERMISSION_DENIED' : numeric === 203 ? 'NO_DATA' : numeric === 500 ? 'SERVER_ERROR' : 'UNKNOWN_SERVER_ERROR';
      break;
    default:
      code = known;
  }
  return new KamiApiError(code, message, details);
}
