// Transport-level failures (4xx) and the last-resort 500. Business errors never come through
// here: they are HTTP 200 with the protocol's own body, like the hosted services answer.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { POTATO_MESSAGES, T3_MESSAGES } from '@kami-verify/core';
import { potatoEnvelope } from '@kami-verify/core/server';
import { DatabaseUnavailableError } from '../store/types';
import type { LogSink, RequestNotes } from './request-log';
import { requestPath } from './request-path';

/** Texts for failures the seeds do not cover; the protocol's own texts where one fits. */
export const TRANSPORT_MESSAGES = {
  400: T3_MESSAGES.BAD_REQUEST,
  403: '禁止访问',
  404: T3_MESSAGES.ENDPOINT_NOT_FOUND,
  405: '请求方法不支持',
  413: '请求数据过大',
  415: '不支持的Content-Type',
  429: T3_MESSAGES.RATE_LIMITED,
  500: '服务器内部错误',
  503: '服务暂不可用,请稍后重试',
} as const;

/** Seconds a client is told to wait while the database is away (it reconnects by itself). */
const DATABASE_RETRY_AFTER_SECONDS = 2;

export type TransportStatus = keyof typeof TRANSPORT_MESSAGES;

export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: TransportStatus,
    /** Shown to the client; the default is the table's text. */
    readonly publicMessage: string = TRANSPORT_MESSAGES[status],
    readonly headers: Record<string, string> = {},
  ) {
    super(publicMessage);
  }
}

/** The potato API answers in its envelope even for transport errors; everything else in `{code, msg}`. */
export function isPotatoPath(req: IncomingMessage): boolean {
  return requestPath(req).startsWith('/api/');
}

/** A JSON answer written straight to node:http (both the Express routes and the T3 lane use it). */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function sendTransportError(
  req: IncomingMessage,
  res: ServerResponse,
  notes: RequestNotes,
  error: HttpError,
): void {
  const potatoMessage = error.status === 429 ? POTATO_MESSAGES.RATE_LIMITED : error.publicMessage;
  // In the envelope too the code is the HTTP status, so a client reading only the body still knows.
  const body = isPotatoPath(req)
    ? potatoEnvelope(error.status, potatoMessage, null)
    : { code: error.status, msg: error.publicMessage };
  notes.result = error.publicMessage;
  sendJson(res, error.status, body, error.headers);
}

/** Express and http-errors put a 4xx `status` (and sometimes a `type`) on their errors. */
function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (err instanceof DatabaseUnavailableError)
    return new HttpError(503, TRANSPORT_MESSAGES[503], {
      'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS),
    });
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown };
  const status = Number(e?.status ?? e?.statusCode);
  if (e?.type === 'entity.too.large' || status === 413) return new HttpError(413);
  if (e?.type === 'encoding.unsupported' || status === 415) return new HttpError(415);
  if (Number.isInteger(status) && status >= 400 && status < 500) return new HttpError(400);
  return undefined;
}

/**
 * The answer to any error: JSON, never a stack trace. Unexpected errors are logged (name and
 * message; the request log line carries the route) and become 500.
 */
export function sendError(
  log: LogSink,
  req: IncomingMessage,
  res: ServerResponse,
  notes: RequestNotes,
  err: unknown,
): void {
  const known = toHttpError(err);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (known) {
    sendTransportError(req, res, notes, known);
    return;
  }
  log({
    time: new Date().toISOString(),
    level: 'error',
    msg: 'unhandled error',
    error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
  });
  sendTransportError(req, res, notes, new HttpError(500));
}
