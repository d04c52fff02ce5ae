// Transport-level failures (4xx) and the last-resort 500. Business errors never come through
// here: they are HTTP 200 with the protocol's own body, like the hosted services answer.
import { POTATO_MESSAGES, potatoEnvelope, T3_MESSAGES } from '@kami-verify/core';
import type { ErrorRequestHandler, Request, Response } from 'express';

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
} as const;

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
export function isPotatoPath(req: Request): boolean {
  return req.path.startsWith('/api/');
}

export function sendJson(
  res: Response,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.status(status).type('application/json; charset=utf-8').send(JSON.stringify(body));
}

export function sendTransportError(req: Request, res: Response, error: HttpError): void {
  const potatoMessage = error.status === 429 ? POTATO_MESSAGES.RATE_LIMITED : error.publicMessage;
  // In the envelope too the code is the HTTP status, so a client reading only the body still knows.
  const body = isPotatoPath(req)
    ? potatoEnvelope(error.status, potatoMessage, null)
    : { code: error.status, msg: error.publicMessage };
  res.locals.result = error.publicMessage;
  sendJson(res, error.status, body, error.headers);
}

/** body-parser and http-errors put a 4xx `status` and a `type` on their errors. */
function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  const e = err as { status?: unknown; statusCode?: unknown; type?: unknown };
  const status = Number(e?.status ?? e?.statusCode);
  if (e?.type === 'entity.too.large' || status === 413) return new HttpError(413);
  if (e?.type === 'encoding.unsupported' || status === 415) return new HttpError(415);
  if (Number.isInteger(status) && status >= 400 && status < 500) return new HttpError(400);
  return undefined;
}

/**
 * The Express error handler: a JSON answer for every error, never a stack trace. Unexpected
 * errors are logged (name and message; the request log line carries the route) and become 500.
 */
export function errorHandler(log: (line: object) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toHttpError(err);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (known) {
      sendTransportError(req, res, known);
      return;
    }
    log({
      time: new Date().toISOString(),
      level: 'error',
      msg: 'unhandled error',
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    sendTransportError(req, res, new HttpError(500));
  };
}
