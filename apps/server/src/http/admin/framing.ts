// Framing shared by the admin routes: the error shape, body and query parsing with the JSON path of
// the first problem, and the audit-recording wrapper every route runs in.
import type { Request, Response } from 'express';
import { ZodError, type z } from 'zod';
import { AdminConflict } from '../../domain/admin';
import type { AdminTokenRecord } from '../../store/sql/admin';
import type { HttpContext } from '../context';
import { mediaType, readBody, utf8Text } from '../raw-body';
import { HttpError, sendJson } from '../transport-errors';

/** An admin API refusal: `{code, msg, field?}` with the HTTP status as `code`. */
export class AdminError extends Error {
  override name = 'AdminError';
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A zod issue path as JSON-path-like text: `settings.timestampCheck.windowSeconds`, `apps[0]`. */
export function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path)
    out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out;
}

export function fromZod(error: ZodError, prefix: readonly PropertyKey[] = []): AdminError {
  const issue = error.issues[0];
  const field = pathText([...prefix, ...(issue?.path ?? [])]);
  return new AdminError(400, `${field || 'body'}: ${issue?.message ?? 'invalid'}`, field || undefined);
}

export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: readonly PropertyKey[] = [],
): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw fromZod(result.error, prefix);
  return result.data;
}

/** Largest JSON body of an admin call. */
export const ADMIN_JSON_LIMIT = 1024 * 1024;

/** The JSON body (an object); `{}` when empty. */
export async function jsonBody(req: Request): Promise<unknown> {
  const bytes = await readBody(req, ADMIN_JSON_LIMIT);
  if (bytes.length === 0) return {};
  const type = mediaType(req);
  if (type !== 'application/json' && type !== '') throw new AdminError(415, 'send application/json');
  try {
    return JSON.parse(utf8Text(bytes));
  } catch (error) {
    if (error instanceof HttpError) throw error;
    throw new AdminError(400, 'the body is not valid JSON', 'body');
  }
}

/** The query string as single values (a repeated parameter is refused). */
export function queryOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  const url = new URL(req.originalUrl, 'http://x');
  for (const [k, v] of url.searchParams) {
    if (Object.hasOwn(out, k)) throw new AdminError(400, `${k}: given more than once`, k);
    out[k] = v;
  }
  return out;
}

export interface AdminLocals {
  token: AdminTokenRecord;
  action: string;
  target?: string | undefined;
  params?: Record<string, unknown> | undefined;
}

export function locals(res: Response): AdminLocals {
  return res.locals.admin as AdminLocals;
}

const SECRET_KEY = /key|secret|token|password|pass/i;

/** Parameters as they go into the audit log: secret-looking values replaced. */
export function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice(0, 50).map(scrub);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        SECRET_KEY.test(k) && typeof v === 'string' ? '[redacted]' : scrub(v),
      ]),
    );
  }
  return typeof value === 'string' && value.length > 200 ? `${value.slice(0, 200)}…` : value;
}

export function sendError(res: Response, error: AdminError): void {
  sendJson(
    res,
    error.status,
    { code: error.status, msg: error.message, ...(error.field !== undefined ? { field: error.field } : {}) },
    error.headers,
  );
}

/** Known refusals as AdminError; anything else stays (the edge answers 500 and logs it). */
export function asAdminError(error: unknown): AdminError | undefined {
  if (error instanceof AdminError) return error;
  if (error instanceof AdminConflict) return new AdminError(error.status, error.message, error.field);
  if (error instanceof ZodError) return fromZod(error);
  if (error instanceof HttpError && error.status < 500)
    return new AdminError(
      error.status as AdminError['status'],
      error.publicMessage,
      undefined,
      error.headers,
    );
  return undefined;
}

export type AdminHandler = (ctx: HttpContext, req: Request, res: Response) => Promise<unknown>;

/**
 * Runs a handler, records the action in the audit log (token, action, target, parameters without
 * secrets, client IP, status, result), then answers: JSON for a returned value, nothing more for
 * a handler that streamed its own reply (it returns `STREAMED` and leaves ending to this).
 */
export const STREAMED = Symbol('streamed');

export async function runAudited(
  ctx: HttpContext,
  req: Request,
  res: Response,
  handler: AdminHandler,
  status = 200,
): Promise<void> {
  const l = locals(res);
  let out: unknown;
  let error: AdminError | undefined;
  let failure: unknown;
  try {
    out = await handler(ctx, req, res);
  } catch (e) {
    error = asAdminError(e);
    if (!error) failure = e;
  }
  const streamed = out === STREAMED;
  const code = error ? error.status : failure ? 500 : streamed ? res.statusCode : status;
  await ctx.service.admin
    ?.audit({
      tokenId: l.token.id,
      tokenName: l.token.name,
      action: l.action,
      target: l.target ?? null,
      params: l.params ? (scrub(l.params) as Record<string, unknown>) : null,
      ip: ctx.clientIp(req),
      status: code,
      result: error ? error.message : failure ? 'internal error' : (res.locals.auditResult ?? 'ok'),
    })
    .catch((e: unknown) => {
      // The action happened; a lost audit row must not turn its answer into an error.
      ctx.log({
        time: new Date().toISOString(),
        level: 'error',
        msg: 'audit write failed',
        error: String(e),
      });
    });
  if (failure) throw failure;
  if (streamed) {
    if (!res.writableEnded) res.end();
    return;
  }
  if (error) {
    if (res.headersSent) res.destroy();
    else sendError(res, error);
    return;
  }
  if (status === 204) {
    res.status(204).end();
    return;
  }
  sendJson(res, status, out);
}
