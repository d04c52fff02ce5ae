// `POST /<调用码>`: resolve the app and endpoint, parse the form keeping field order, run the
// shared checks, dispatch. Business errors are HTTP 200 with `{code, msg}`; transport problems
// (unknown route, content type, malformed body, throttle) are 4xx with plain JSON, because the
// client cannot be assumed to share the app's codec when the request itself was unusable.
//
// These are the hot endpoints (every client login and heartbeat), so they are served straight
// from node:http, ahead of the Express app: `createApp` sends a POST whose path is a 调用码 here.
// The request log, CORS and error answers wrap it in edge.ts, exactly as they wrap Express.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { T3_MESSAGES } from '@kami-verify/core';
import { replayCheckApplies } from '../../domain/rules/index';
import type { HttpContext } from '../context';
import { type Fields, firstValue, MalformedBodyError, parseForm } from '../form';
import { regionOf } from '../ip-region';
import { maskCard } from '../mask';
import { mediaType, readBody, utf8Text } from '../raw-body';
import type { RequestNotes } from '../request-log';
import { type Attempt, EVERY_ATTEMPT_COUNTS_T3_ROUTES, GUESSABLE_T3_ROUTES } from '../throttle';
import { HttpError } from '../transport-errors';
import { checkT3Request } from './checks';
import { codecFor } from './codec-cache';
import { T3_HANDLERS } from './endpoints/index';
import { T3Reply } from './reply';

// 调用码 are uppercase hex; the service also accepts a client that lower-cased the URL. A
// trailing slash and a query string are tolerated, as Express's routing did.
const T3_PATH = /^\/([0-9A-Fa-f]{16})\/?(?:\?|$)/;

/** The 调用码 of a T3 request URL, or undefined when the path is not one. */
export function t3RouteCode(url: string | undefined): string | undefined {
  return url === undefined ? undefined : T3_PATH.exec(url)?.[1];
}

function readFields(req: IncomingMessage, body: Buffer): Fields {
  // An empty body needs no content type (notice / version carry no fields without checks).
  if (body.length === 0) return [];
  if (mediaType(req) !== 'application/x-www-form-urlencoded') throw new HttpError(415);
  try {
    return parseForm(utf8Text(body));
  } catch (error) {
    if (error instanceof MalformedBodyError) throw new HttpError(400);
    throw error;
  }
}

/** Serves one T3 request; a rejection is a transport error for the edge to answer. */
export type T3Lane = (
  req: IncomingMessage,
  res: ServerResponse,
  code: string,
  notes: RequestNotes,
) => Promise<void>;

export function t3Lane(ctx: HttpContext): T3Lane {
  return (req, res, code, notes) => handleT3(ctx, req, res, code, notes);
}

async function handleT3(
  ctx: HttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  code: string,
  notes: RequestNotes,
): Promise<void> {
  const resolved = ctx.service.resolveRoute(code);
  if (!resolved) {
    req.resume(); // the body is not wanted; let the connection carry on
    throw new HttpError(404);
  }
  const { app, route } = resolved;
  notes.route = `t3.${route}`;
  notes.app = app.name;

  const ip = ctx.clientIp(req);
  let attempt: Attempt | undefined;
  if (GUESSABLE_T3_ROUTES.has(route)) {
    const reserved = await ctx.throttle.begin(ip);
    if ('retryAfter' in reserved) {
      req.resume();
      const retryAfter = String(reserved.retryAfter);
      // The route code names the app, so the client shares its codec: an encoding client could
      // not read plain JSON. Plain apps keep the common transport answer.
      const codec = codecFor(app);
      if (codec.mode !== 'plain') return sendThrottled(res, notes, codec, retryAfter);
      throw new HttpError(429, undefined, { 'Retry-After': retryAfter });
    }
    attempt = reserved;
  }
  let failed = false;
  try {
    const fields = readFields(req, await readBody(req, ctx.server.bodyLimit));
    const codec = codecFor(app);
    const reply = new T3Reply(res, notes, app, codec, ctx.server.t3ErrorCode);
    const checked = checkT3Request({ app, route, fields, codec, nowMs: ctx.clock.now() });
    if ('error' in checked) reply.fail(checked.error);
    // Asked only of apps that check replays: every other request stays off the await.
    else if (
      replayCheckApplies(app) &&
      (await ctx.service.isReplayed({ app, signature: firstValue(fields, 's') ?? '' }))
    )
      reply.fail('TIMESTAMP_INVALID');
    else {
      await T3_HANDLERS[route]({
        service: ctx.service,
        app: checked.app,
        values: checked.values,
        signText: checked.signText,
        ip,
        region: () => Promise.resolve(regionOf(ip, app.settings.ipBinding)),
        nowMs: ctx.clock.now(),
        reply,
        logCard: (card) => {
          notes.card = maskCard(card);
        },
      });
    }
    // Every failed answer counts, signature and timestamp failures included: they are guesses too.
    failed = reply.failed || EVERY_ATTEMPT_COUNTS_T3_ROUTES.has(route);
  } finally {
    attempt?.done(failed);
  }
}

/** 429 in the app's encoding: `{code: 429, msg: 请求过于频繁,请稍后再试}` encoded, text/plain. */
function sendThrottled(
  res: ServerResponse,
  notes: RequestNotes,
  codec: ReturnType<typeof codecFor>,
  retryAfter: string,
): void {
  const text = codec.encodeResponse(JSON.stringify({ code: 429, msg: T3_MESSAGES.RATE_LIMITED }));
  notes.result = T3_MESSAGES.RATE_LIMITED;
  res.statusCode = 429;
  res.setHeader('Retry-After', retryAfter);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
