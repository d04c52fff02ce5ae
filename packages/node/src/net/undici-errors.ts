import { KamiAbortError, KamiConnectionError, type KamiError, KamiTimeoutError } from '@kami-verify/core';

/**
 * Failures that happen before a single byte of the request can have reached a server: DNS,
 * refused or unreachable, connect timeout, TLS handshake. Only these may make the client resend
 * a non-idempotent call (a login) to another host.
 */
const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  // Our own dispatcher was closed or destroyed: nothing is sent any more.
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  // TLS handshake failures: the HTTP request is written only after the handshake.
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Error codes of `error`, its `cause` and, for an AggregateError (happy eyeballs), every attempt. */
export function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  const visit = (value: unknown, depth: number) => {
    if (typeof value !== 'object' || value === null || depth > 3) return;
    const { code, cause, errors } = value as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string') codes.push(code);
    if (Array.isArray(errors)) for (const inner of errors) visit(inner, depth + 1);
    visit(cause, depth + 1);
  };
  visit(error, 0);
  return codes;
}

export interface FailureContext {
  url: string;
  timeoutMs: number;
  /** The caller's signal fired. */
  aborted: boolean;
  abortReason?: unknown;
  /** Our whole-request deadline fired. */
  timedOut: boolean;
}

/** Maps whatever undici or the socket threw to the transport contract's three error kinds. */
export function mapUndiciError(error: unknown, ctx: FailureContext): KamiError {
  if (ctx.aborted) return new KamiAbortError({ cause: ctx.abortReason ?? error });
  if (ctx.timedOut) {
    // The deadline may have fired mid-connect or after the body left; we cannot tell which.
    return new KamiTimeoutError(`请求超时: no answer from ${ctx.url} within ${ctx.timeoutMs} ms`, {
      cause: error,
      phase: 'unknown',
    });
  }
  const codes = errorCodes(error);
  const head = codes[0] ?? (error as Error)?.name ?? 'error';
  // Every recorded code must be a connect-phase one: a reset seen anywhere means the bytes may have left.
  const connectPhase = codes.length > 0 && codes.every((c) => CONNECT_CODES.has(c));
  const timeout = codes.some((c) => TIMEOUT_CODES.has(c));
  const message = `${timeout ? '请求超时' : '连接错误'}: ${ctx.url}: ${head}${
    error instanceof Error && error.message ? ` (${error.message})` : ''
  }`;
  const phase = connectPhase ? 'connect' : 'unknown';
  if (timeout) return new KamiTimeoutError(message, { cause: error, phase });
  return new KamiConnectionError(message, { cause: error, phase });
}
