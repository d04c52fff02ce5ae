// `POST /<调用码>`: resolve the app and endpoint, parse the form keeping field order, run the
// shared checks, dispatch. Business errors are HTTP 200 with `{code, msg}`; transport problems
// (unknown route, content type, malformed body, throttle) are 4xx with plain JSON, because the
// client cannot be assumed to share the app's codec when the request itself was unusable.
import type { Request, RequestHandler, Response } from 'express';
import { clientIp } from '../client-ip';
import type { HttpContext } from '../context';
import { type Fields, MalformedBodyError, parseForm } from '../form';
import { maskCard } from '../mask';
import { bodyBytes, bodyText, mediaType } from '../raw-body';
import { HttpError } from '../transport-errors';
import { checkT3Request } from './checks';
import { codecFor } from './codec-cache';
import { T3_HANDLERS } from './endpoints';
import { T3Reply } from './reply';

// 调用码 are uppercase hex; the service also accepts a client that lower-cased the URL.
const ROUTE_CODE = /^[0-9A-Fa-f]{16}$/;

function readFields(req: Request): Fields {
  // An empty body needs no content type (notice / version carry no fields without checks).
  if (bodyBytes(req).length === 0) return [];
  if (mediaType(req) !== 'application/x-www-form-urlencoded') throw new HttpError(415);
  try {
    return parseForm(bodyText(req));
  } catch (error) {
    if (error instanceof MalformedBodyError) throw new HttpError(400);
    throw error;
  }
}

export function t3Handler(ctx: HttpContext): RequestHandler {
  return async (req: Request, res: Response) => {
    const code = String(req.params.code ?? '');
    const resolved = ROUTE_CODE.test(code) ? ctx.service.resolveRoute(code) : undefined;
    if (!resolved) throw new HttpError(404);
    const { app, route } = resolved;
    res.locals.route = `t3.${route}`;
    res.locals.app = app.name;

    const ip = clientIp(req);
    if (route === 'login') {
      const wait = ctx.throttle.retryAfterSeconds(ip);
      if (wait > 0) throw new HttpError(429, undefined, { 'Retry-After': String(wait) });
    }
    const fields = readFields(req);

    const codec = codecFor(app);
    const reply = new T3Reply(res, app, codec, ctx.server.t3ErrorCode);
    const checked = checkT3Request({ app, route, fields, codec, nowMs: ctx.clock.now() });
    if ('error' in checked) reply.fail(checked.error);
    else {
      await T3_HANDLERS[route]({
        service: ctx.service,
        app,
        values: checked.values,
        signText: checked.signText,
        ip,
        reply,
        logCard: (card) => {
          res.locals.card = maskCard(card);
        },
      });
    }
    // Every failed login counts, signature and timestamp failures included: they are guesses too.
    if (route === 'login' && reply.failed) ctx.throttle.recordFailure(ip);
  };
}
