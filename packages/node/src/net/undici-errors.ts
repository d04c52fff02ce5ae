import {
  errorCodes,
  KamiAbortError,
  KamiConnectionError,
  type KamiError,
  KamiTimeoutError,
  neverConnected,
} from '@kami-verify/core';

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

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
  const connectPhase = neverConnected(codes);
  const timeout = codes.some((c) => TIMEOUT_CODES.has(c));
  const message = `${timeout ? '请求超时' : '连接错误'}: ${ctx.url}: ${head}${
    error instanceof Error && error.message ? ` (${error.message})` : ''
  }`;
  const phase = connectPhase ? 'connect' : 'unknown';
  if (timeout) return new KamiTimeoutError(message, { cause: error, phase });
  return new KamiConnectionError(message, { cause: error, phase });
}
